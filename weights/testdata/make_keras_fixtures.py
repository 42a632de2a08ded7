#!/usr/bin/python3
"""Write the Keras 2 HDF5 fixtures of package weights, and what they compute.

Run from anywhere with Debian's python3 (python3-h5py, python3-numpy); there
is no TensorFlow here, so the files are laid out by hand exactly as Keras 2
(2.2.4, TensorFlow backend) writes them:

  keras_model.h5          model.save: root attributes keras_version, backend,
                          model_config, training_config; the weights under
                          /model_weights; an optimizer_weights group.
  keras_weights.h5        model.save_weights: the weights at the root.
  keras_split.h5          save_weights of a one-Dense model with layer_names
                          and weight_names split into name0, name1, as Keras
                          does when a list exceeds the 64 KiB object-header
                          limit, and without the informational attributes
                          (keras_version, backend) the importer must not
                          need.
  keras_tf2.h5            model.save of the same model by TensorFlow 2's
                          Keras (2.4), whose layers are named automatically
                          (conv2d_3, batch_normalization_3, ...), as in the
                          TensorFlow 2 version of the tutorial: importers must
                          match its weights by layer order.
  keras_expected.json     a fixed input batch and the logits and softmax
                          probabilities the model gives on it, computed below
                          in float64 numpy, independently of the Go code.
  keras_mobile.h5         model.save of a network that is none of simdnet's
                          architectures, in the style of Keras applications'
                          MobileNetV2 (Conv2D without bias, ReLU(max_value=6)
                          layers, DepthwiseConv2D, a residual Add,
                          GlobalAveragePooling2D, Dropout), with BatchNorm
                          epsilons of 1e-3 and 1e-5 and momentum 0.999, so
                          that a reader assuming them is caught; its batch
                          and outputs in keras_mobile_expected.json.
      (python3 make_keras_fixtures.py mobile writes only these two.)

The model is a two-stage ResNet from the tutorial's own blocks, small enough
for kilobyte fixtures: the stem (ZeroPadding2D 3, conv1 7x7/2, bn_conv1,
ReLU, MaxPooling2D 3/2), stage 2 = convolutional block (filters 4, 4, 8,
stride 1) + identity block, stage 3 = convolutional block (8, 8, 16,
stride 2), then avg_pool, flatten_1 and fc6 (softmax), on 16x16x1 inputs.
The Go tests register the same architecture with package resnet.

Keep the output deterministic: the generator seeds its own RNG, and the
files are committed, so the Go tests never need Python.
"""

import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
INPUT_SHAPE = (16, 16, 1)
CLASSES = 6
BN_EPSILON = 1e-3
KERAS_VERSION = b"2.2.4"
BACKEND = b"tensorflow"

rng = np.random.default_rng(20240611)
rng_mobile = np.random.default_rng(20261205)  # the mobile fixture's own stream


# ---------------------------------------------------------------------------
# A minimal functional-model description: layers in creation order, each with
# its inputs, configuration and (float32) weights in Keras's order.

class Model:
    def __init__(self):
        self.layers = []  # creation order
        self.by_name = {}
        self.counts = {}

    def auto(self, prefix):
        """Keras 2.2's automatic layer names: activation_1, add_1, ..."""
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return "%s_%d" % (prefix, self.counts[prefix])

    def add(self, cls, name, inputs, config, weights=()):
        layer = {"class": cls, "name": name, "inputs": list(inputs), "config": config,
                 "weights": list(weights)}
        self.layers.append(layer)
        self.by_name[name] = layer
        return name

    def input(self, shape):
        return self.add("InputLayer", self.auto("input"), [], {"shape": shape})

    def zero_padding(self, x, pad):
        return self.add("ZeroPadding2D", self.auto("zero_padding2d"), [x], {"padding": pad})

    def conv(self, x, name, cin, filters, size, stride, padding):
        fan_in = size * size * cin
        kernel = rng.normal(0, np.sqrt(2.0 / fan_in), (size, size, cin, filters)).astype("<f4")
        bias = rng.normal(0, 0.1, (filters,)).astype("<f4")
        return self.add("Conv2D", name, [x],
                        {"filters": filters, "size": size, "stride": stride, "padding": padding},
                        [("kernel", kernel), ("bias", bias)])

    def bn(self, x, name, channels):
        gamma = rng.uniform(0.8, 1.2, channels).astype("<f4")
        beta = rng.normal(0, 0.1, channels).astype("<f4")
        mean = rng.normal(0, 0.1, channels).astype("<f4")
        var = rng.uniform(0.5, 1.5, channels).astype("<f4")
        return self.add("BatchNormalization", name, [x], {},
                        [("gamma", gamma), ("beta", beta), ("moving_mean", mean), ("moving_variance", var)])

    def conv_nobias(self, x, name, cin, filters, size, stride):
        kernel = rng_mobile.normal(0, np.sqrt(2.0 / (size * size * cin)), (size, size, cin, filters)).astype("<f4")
        return self.add("Conv2D", name, [x], {"filters": filters, "size": size, "stride": stride,
                                               "padding": "same", "use_bias": False}, [("kernel", kernel)])

    def depthwise(self, x, name, channels, size, stride):
        kernel = rng_mobile.normal(0, np.sqrt(2.0 / (size * size)), (size, size, channels, 1)).astype("<f4")
        return self.add("DepthwiseConv2D", name, [x], {"size": size, "stride": stride},
                        [("depthwise_kernel", kernel)])

    def bn_eps(self, x, name, channels, eps):
        gamma = rng_mobile.uniform(0.8, 1.2, channels).astype("<f4")
        beta = rng_mobile.normal(0, 0.1, channels).astype("<f4")
        mean = rng_mobile.normal(0, 0.1, channels).astype("<f4")
        # Variances of about 1e-3, so that the epsilon matters.
        var = rng_mobile.uniform(1e-3, 4e-3, channels).astype("<f4")
        return self.add("BatchNormalization", name, [x], {"epsilon": eps, "momentum": 0.999},
                        [("gamma", gamma), ("beta", beta), ("moving_mean", mean), ("moving_variance", var)])

    def relu6(self, x, name):
        return self.add("ReLU", name, [x], {"max_value": 6.0})

    def relu(self, x):
        return self.add("Activation", self.auto("activation"), [x], {"activation": "relu"})

    def max_pool(self, x, size, stride):
        return self.add("MaxPooling2D", self.auto("max_pooling2d"), [x], {"size": size, "stride": stride})

    def avg_pool(self, x, name, size):
        return self.add("AveragePooling2D", name, [x], {"size": size, "stride": size})

    def add_layer(self, a, b):
        return self.add("Add", self.auto("add"), [a, b], {})

    def flatten(self, x):
        return self.add("Flatten", self.auto("flatten"), [x], {})

    def dense(self, x, name, fin, units):
        kernel = rng.normal(0, np.sqrt(1.0 / fin), (fin, units)).astype("<f4")
        bias = rng.normal(0, 0.1, (units,)).astype("<f4")
        return self.add("Dense", name, [x], {"units": units, "activation": "softmax"},
                        [("kernel", kernel), ("bias", bias)])

    def renamed_tf2(self):
        """The same model with TensorFlow 2 Keras's automatic names: per
        class, "conv2d" for the first, then conv2d_1, conv2d_2, ...; the
        input stays input_1."""
        prefixes = {"Conv2D": "conv2d", "BatchNormalization": "batch_normalization",
                    "Activation": "activation", "ZeroPadding2D": "zero_padding2d",
                    "MaxPooling2D": "max_pooling2d", "AveragePooling2D": "average_pooling2d",
                    "Add": "add", "Flatten": "flatten", "Dense": "dense"}
        counts, names = {}, {}
        for layer in self.layers:
            c = layer["class"]
            if c == "InputLayer":
                names[layer["name"]] = "input_1"
                continue
            n = counts.get(c, 0)
            counts[c] = n + 1
            names[layer["name"]] = prefixes[c] if n == 0 else "%s_%d" % (prefixes[c], n)
        m = Model()
        for layer in self.layers:
            m.add(layer["class"], names[layer["name"]], [names[i] for i in layer["inputs"]],
                  layer["config"], layer["weights"])
        return m, names

    def keras_order(self, output):
        """Model.layers order, which is the order of layer_names: by
        decreasing depth (longest path to the output), ties broken by the
        preorder of a depth-first walk from the output over each layer's
        inputs in order (Keras's layer_indices)."""
        preorder, post = {}, []

        def walk(name):
            if name in preorder:
                return
            preorder[name] = len(preorder)
            for i in self.by_name[name]["inputs"]:
                walk(i)
            post.append(name)

        walk(output)
        depth = {n: 0 for n in post}
        for n in reversed(post):  # consumers before their inputs
            for i in self.by_name[n]["inputs"]:
                depth[i] = max(depth[i], depth[n] + 1)
        return sorted(post, key=lambda n: (-depth[n], preorder[n]))


def bottleneck(m, x, cin, filters, stage, block, stride, project):
    """The tutorial's convolutional_block (project) or identity_block."""
    conv, bn = "res%d%s_branch" % (stage, block), "bn%d%s_branch" % (stage, block)
    f1, f2, f3 = filters
    shortcut = x
    x = m.conv(x, conv + "2a", cin, f1, 1, stride if project else 1, "valid")
    x = m.bn(x, bn + "2a", f1)
    x = m.relu(x)
    x = m.conv(x, conv + "2b", f1, f2, 3, 1, "same")
    x = m.bn(x, bn + "2b", f2)
    x = m.relu(x)
    x = m.conv(x, conv + "2c", f2, f3, 1, 1, "valid")
    x = m.bn(x, bn + "2c", f3)
    if project:
        shortcut = m.conv(shortcut, conv + "1", cin, f3, 1, stride, "valid")
        shortcut = m.bn(shortcut, bn + "1", f3)
    x = m.add_layer(x, shortcut)
    return m.relu(x)


def tiny_resnet():
    m = Model()
    x = m.input(INPUT_SHAPE)
    x = m.zero_padding(x, 3)
    x = m.conv(x, "conv1", INPUT_SHAPE[2], 64, 7, 2, "valid")
    x = m.bn(x, "bn_conv1", 64)
    x = m.relu(x)
    x = m.max_pool(x, 3, 2)
    x = bottleneck(m, x, 64, (4, 4, 8), 2, "a", 1, True)
    x = bottleneck(m, x, 8, (4, 4, 8), 2, "b", 1, False)
    x = bottleneck(m, x, 8, (8, 8, 16), 3, "a", 2, True)
    x = m.avg_pool(x, "avg_pool", 2)
    x = m.flatten(x)
    # 16x16 → stem 8 → pool 3 → stage 3 (stride 2) 2 → avg_pool 1: 16 features.
    x = m.dense(x, "fc%d" % CLASSES, 16, CLASSES)
    return m, x


MOBILE_INPUT = (12, 12, 3)
MOBILE_CLASSES = 5


def tiny_mobile():
    """An inverted residual block in the manner of Keras applications'
    MobileNetV2, which no simdnet architecture describes."""
    m = Model()
    x = m.add("InputLayer", "input_1", [], {"shape": MOBILE_INPUT})
    x = m.conv_nobias(x, "Conv1", 3, 8, 3, 2)
    x = m.bn_eps(x, "bn_Conv1", 8, 1e-3)
    stem = m.relu6(x, "Conv1_relu")
    x = m.conv_nobias(stem, "expanded_conv_expand", 8, 16, 1, 1)
    x = m.bn_eps(x, "expanded_conv_expand_BN", 16, 1e-3)
    x = m.relu6(x, "expanded_conv_expand_relu")
    x = m.depthwise(x, "expanded_conv_depthwise", 16, 3, 1)
    x = m.bn_eps(x, "expanded_conv_depthwise_BN", 16, 1e-5)
    x = m.relu6(x, "expanded_conv_depthwise_relu")
    x = m.conv_nobias(x, "expanded_conv_project", 16, 8, 1, 1)
    x = m.bn_eps(x, "expanded_conv_project_BN", 8, 1e-3)
    x = m.add("Add", "expanded_conv_add", [stem, x], {})
    x = m.add("GlobalAveragePooling2D", "global_average_pooling2d_1", [x], {})
    x = m.add("Dropout", "dropout_1", [x], {"rate": 0.2})
    kernel = rng_mobile.normal(0, np.sqrt(1.0 / 8), (8, MOBILE_CLASSES)).astype("<f4")
    bias = rng_mobile.normal(0, 0.1, (MOBILE_CLASSES,)).astype("<f4")
    x = m.add("Dense", "Logits", [x], {"units": MOBILE_CLASSES, "activation": "softmax"},
              [("kernel", kernel), ("bias", bias)])
    return m, x


# ---------------------------------------------------------------------------
# The forward pass in float64 numpy, NHWC, by the layers' definitions.

def same_padding(size, k, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2  # TensorFlow: the extra cell after


def conv2d(x, kernel, bias, stride, padding):
    k = kernel.shape[0]
    if padding == "same":
        (t, b), (l, r) = same_padding(x.shape[1], k, stride), same_padding(x.shape[2], k, stride)
        x = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    oh = (x.shape[1] - k) // stride + 1
    ow = (x.shape[2] - k) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, kernel.shape[3]))
    for ky in range(k):
        for kx in range(k):
            patch = x[:, ky:ky + stride * (oh - 1) + 1:stride, kx:kx + stride * (ow - 1) + 1:stride, :]
            out += patch @ kernel[ky, kx]
    return out + bias


def depthwise2d(x, kernel, stride):
    """A 'same' depthwise convolution; kernel is k×k×C."""
    k = kernel.shape[0]
    (t, b), (l, r) = same_padding(x.shape[1], k, stride), same_padding(x.shape[2], k, stride)
    x = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    oh = (x.shape[1] - k) // stride + 1
    ow = (x.shape[2] - k) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for ky in range(k):
        for kx in range(k):
            out += x[:, ky:ky + stride * (oh - 1) + 1:stride, kx:kx + stride * (ow - 1) + 1:stride, :] * kernel[ky, kx]
    return out


def pool(x, size, stride, reduce):
    oh = (x.shape[1] - size) // stride + 1
    ow = (x.shape[2] - size) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for y in range(oh):
        for xx in range(ow):
            out[:, y, xx, :] = reduce(x[:, y * stride:y * stride + size, xx * stride:xx * stride + size, :], axis=(1, 2))
    return out


def forward(m, output, batch):
    """Returns the logits and probabilities of the model on batch."""
    vals = {}
    logits = None
    for layer in m.layers:  # creation order is topological
        c, cfg = layer["class"], layer["config"]
        w = [a.astype(np.float64) for _, a in layer["weights"]]
        ins = [vals[i] for i in layer["inputs"]]
        if c == "InputLayer":
            y = batch.astype(np.float64)
        elif c == "ZeroPadding2D":
            p = cfg["padding"]
            y = np.pad(ins[0], ((0, 0), (p, p), (p, p), (0, 0)))
        elif c == "Conv2D":
            bias = w[1] if len(w) > 1 else 0.0
            y = conv2d(ins[0], w[0], bias, cfg["stride"], cfg["padding"])
        elif c == "DepthwiseConv2D":
            y = depthwise2d(ins[0], w[0][:, :, :, 0], cfg["stride"])
        elif c == "BatchNormalization":
            gamma, beta, mean, var = w
            y = gamma * (ins[0] - mean) / np.sqrt(var + cfg.get("epsilon", BN_EPSILON)) + beta
        elif c == "ReLU":
            y = np.clip(ins[0], 0, cfg["max_value"])
        elif c == "GlobalAveragePooling2D":
            y = ins[0].mean(axis=(1, 2))
        elif c == "Dropout":
            y = ins[0]
        elif c == "Activation":
            y = np.maximum(ins[0], 0)
        elif c == "MaxPooling2D":
            y = pool(ins[0], cfg["size"], cfg["stride"], np.max)
        elif c == "AveragePooling2D":
            y = pool(ins[0], cfg["size"], cfg["stride"], np.mean)
        elif c == "Add":
            y = ins[0] + ins[1]
        elif c == "Flatten":
            y = ins[0].reshape(ins[0].shape[0], -1)
        elif c == "Dense":
            logits = ins[0] @ w[0] + w[1]
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            y = e / e.sum(axis=1, keepdims=True)
        else:
            raise ValueError(c)
        vals[layer["name"]] = y
    return logits, vals[output]


# ---------------------------------------------------------------------------
# Keras 2's HDF5 layout.

def model_config(m, output, name="TinyResNet"):
    """A Keras 2.2.4 functional model_config with the fields Keras writes."""
    layers = []
    for layer in m.layers:
        c, cfg, name = layer["class"], layer["config"], layer["name"]
        conf = {"name": name, "trainable": True}
        if c == "InputLayer":
            conf = {"batch_input_shape": [None] + list(cfg["shape"]), "dtype": "float32",
                    "sparse": False, "name": name}
        elif c == "ZeroPadding2D":
            p = cfg["padding"]
            conf.update(padding=[[p, p], [p, p]], data_format="channels_last")
        elif c == "Conv2D":
            s = cfg["size"]
            conf.update(filters=cfg["filters"], kernel_size=[s, s], strides=[cfg["stride"]] * 2,
                        padding=cfg["padding"], data_format="channels_last", dilation_rate=[1, 1],
                        activation="linear", use_bias=cfg.get("use_bias", True),
                        kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": 0}},
                        bias_initializer={"class_name": "Zeros", "config": {}},
                        kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                        kernel_constraint=None, bias_constraint=None)
        elif c == "BatchNormalization":
            conf.update(axis=3, momentum=cfg.get("momentum", 0.99), epsilon=cfg.get("epsilon", BN_EPSILON),
                        center=True, scale=True)
        elif c == "DepthwiseConv2D":
            s = cfg["size"]
            conf.update(kernel_size=[s, s], strides=[cfg["stride"]] * 2, padding="same",
                        data_format="channels_last", dilation_rate=[1, 1], depth_multiplier=1,
                        activation="linear", use_bias=False)
        elif c == "ReLU":
            conf.update(max_value=cfg["max_value"], negative_slope=0.0, threshold=0.0)
        elif c == "GlobalAveragePooling2D":
            conf.update(data_format="channels_last")
        elif c == "Dropout":
            conf.update(rate=cfg["rate"], noise_shape=None, seed=None)
        elif c == "Activation":
            conf.update(activation=cfg["activation"])
        elif c in ("MaxPooling2D", "AveragePooling2D"):
            conf.update(pool_size=[cfg["size"]] * 2, padding="valid", strides=[cfg["stride"]] * 2,
                        data_format="channels_last")
        elif c == "Flatten":
            conf.update(data_format="channels_last")
        elif c == "Dense":
            conf.update(units=cfg["units"], activation=cfg["activation"], use_bias=True)
        inbound = [[[i, 0, 0, {}] for i in layer["inputs"]]] if layer["inputs"] else []
        layers.append({"name": name, "class_name": c, "config": conf, "inbound_nodes": inbound})
    first = m.layers[0]["name"]
    return {"class_name": "Model",
            "config": {"name": name, "layers": layers,
                       "input_layers": [[first, 0, 0]], "output_layers": [[output, 0, 0]]}}


def attr_list(names):
    """A list of names as Keras's save_attributes_to_hdf5_group stores it:
    fixed-length bytes, or, for an empty list, numpy's empty float64 array."""
    return np.array([n.encode("utf8") for n in names]) if names else np.asarray([])


def save_attribute(g, name, names, split):
    """Keras's save_attributes_to_hdf5_group; split forces the numbered
    chunks Keras writes for lists over the object-header limit."""
    if split and len(names) > 1:
        for i, chunk in enumerate(np.array_split(attr_list(names), 2)):
            g.attrs["%s%d" % (name, i)] = chunk
    else:
        g.attrs[name] = attr_list(names)


def save_weights_to_group(g, m, order, split=False, version=KERAS_VERSION):
    """Keras's save_weights_to_hdf5_group."""
    save_attribute(g, "layer_names", order, split)
    g.attrs["backend"] = BACKEND
    g.attrs["keras_version"] = version
    for name in order:
        layer = m.by_name[name]
        lg = g.create_group(name)
        weight_names = ["%s/%s:0" % (name, w) for w, _ in layer["weights"]]
        save_attribute(lg, "weight_names", weight_names, split)
        for wn, (_, arr) in zip(weight_names, layer["weights"]):
            ds = lg.create_dataset(wn, arr.shape, dtype=arr.dtype)
            ds[:] = arr


def write_model_save(path, m, order, output, version=KERAS_VERSION, class_name="Model", name="TinyResNet"):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = version
        f.attrs["backend"] = BACKEND
        config = model_config(m, output, name)
        config["class_name"] = class_name
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        f.attrs["training_config"] = json.dumps({
            "optimizer_config": {"class_name": "Adam", "config": {"lr": 0.001}},
            "loss": "categorical_crossentropy", "metrics": ["accuracy"],
            "sample_weight_mode": None, "loss_weights": None}).encode("utf8")
        save_weights_to_group(f.create_group("model_weights"), m, order, version=version)
        og = f.create_group("optimizer_weights")
        opt = [("Adam/iterations:0", np.array(40, dtype="<i8")),
               ("training/Adam/Variable:0", np.zeros((7, 7, 1, 64), dtype="<f4"))]
        og.attrs["weight_names"] = attr_list([n for n, _ in opt])
        for n, a in opt:
            og.create_dataset(n, data=a)


def write_save_weights(path, m, order, split=False, informational=True):
    with h5py.File(path, "w") as f:
        save_weights_to_group(f, m, order, split)
        if not informational:
            del f.attrs["keras_version"], f.attrs["backend"]


def one_dense():
    """input_1 (2 features) → dense_1 (3 units), as a Sequential would be."""
    m = Model()
    x = m.input((2,))
    x = m.dense(x, "dense_1", 2, 3)
    return m, x


def mobile():
    m, output = tiny_mobile()
    order = m.keras_order(output)
    batch = rng_mobile.uniform(0, 1, (2,) + MOBILE_INPUT).astype("<f4")
    logits, probs = forward(m, output, batch)
    write_model_save(os.path.join(HERE, "keras_mobile.h5"), m, order, output, version=b"2.4.0",
                     class_name="Functional", name="TinyMobile")
    with open(os.path.join(HERE, "keras_mobile_expected.json"), "w") as fh:
        json.dump({"input_shape": list(batch.shape), "input": [float(v) for v in batch.reshape(-1)],
                   "logits": [float(v) for v in logits.reshape(-1)],
                   "probabilities": [float(v) for v in probs.reshape(-1)]}, fh, indent=1)
        fh.write("\n")


def main():
    small, small_out = one_dense()
    small_order = small.keras_order(small_out)
    write_save_weights(os.path.join(HERE, "keras_split.h5"), small, small_order, split=True, informational=False)

    m, output = tiny_resnet()
    order = m.keras_order(output)
    batch = rng.uniform(0, 1, (2,) + INPUT_SHAPE).astype("<f4")
    logits, probs = forward(m, output, batch)

    write_model_save(os.path.join(HERE, "keras_model.h5"), m, order, output)
    write_save_weights(os.path.join(HERE, "keras_weights.h5"), m, order)
    tf2, names = m.renamed_tf2()
    write_model_save(os.path.join(HERE, "keras_tf2.h5"), tf2, tf2.keras_order(names[output]), names[output],
                     version=b"2.4.0", class_name="Functional")
    expected = {
        "input_shape": list(batch.shape),
        "input": [float(v) for v in batch.reshape(-1)],
        "logits": [float(v) for v in logits.reshape(-1)],
        "probabilities": [float(v) for v in probs.reshape(-1)],
        "layer_names": order,
        "weights": {"%s/%s" % (l["name"], w): list(a.shape) for l in m.layers for w, a in l["weights"]},
        "split": {"%s/%s" % (l["name"], w): [float(v) for v in a.reshape(-1)]
                  for l in small.layers for w, a in l["weights"]},
    }
    with open(os.path.join(HERE, "keras_expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["mobile"]:
        mobile()
    else:
        main()
        mobile()
