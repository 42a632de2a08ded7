#!/usr/bin/python3
"""Exports the small ONNX models the onnx package's tests run, with seeded
random weights, an input batch and PyTorch's outputs.

Run with Debian's python3-torch 1.13 and python3-torchvision 0.14:

    /usr/bin/python3 onnx/testdata/make_fixtures.py            # the small fixtures, into onnx/testdata
    /usr/bin/python3 onnx/testdata/make_fixtures.py --full DIR  # torchvision's full-size models, into DIR

For each model NAME it writes NAME.onnx, NAME.json (shapes, opset, the
largest |output|), NAME.in.f32 and NAME.out.f32 (little-endian float32, in
the file's NCHW layout). Weights are random but matter: BatchNorm statistics
and affine parameters are drawn away from their defaults, and the classifier
is scaled so the logits are of order one.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck


def randomize(model, gen):
    """Draws every BatchNorm's statistics and affine parameters, so that a
    reader that ignored or misapplied them would be caught."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.2)
                m.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.2)
        if isinstance(m, nn.LayerNorm):
            shape = m.weight.shape
            with torch.no_grad():
                m.weight.copy_(torch.rand(shape, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(shape, generator=gen) * 0.2)


def scale_classifier(model, x):
    """Divides the last Linear layer (or, in SqueezeNet, the last
    convolution) by the largest |logit|."""
    last = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))][-1]
    with torch.no_grad():
        y = model(x)
        s = float(y.abs().max())
        last.weight.div_(s)
        if last.bias is not None:
            last.bias.div_(s)


def downsample(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))


class TinyResNet(nn.Module):
    """ResNet's structure at a fraction of its width: the 7×7 stem, max
    pooling with padding, a BasicBlock, a strided Bottleneck with a
    projection shortcut, global average pooling and the classifier."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = Bottleneck(8, 4, stride=2, downsample=downsample(8, 16, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class FlattenHead(nn.Module):
    """A VGG-like network whose classifier reads a flattened C×H×W map, so
    that the first Linear's rows must follow the layout. view() exports the
    Shape/Gather/Unsqueeze/Concat/Reshape chain; the pools have odd sizes,
    ceil_mode and padding."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            nn.Conv2d(6, 8, 3, stride=2, padding=(1, 0)), nn.ReLU(),
            nn.AvgPool2d(2, 1, padding=1, count_include_pad=True),
        )
        self.classifier = nn.Sequential(
            nn.Linear(8 * 6 * 5, 24), nn.ReLU(), nn.Dropout(),
            nn.Linear(24, classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


def tiny_mobilenet_v2():
    """torchvision's MobileNetV2 at width 0.25 with three stages: depthwise
    convolutions, ReLU6 (Clip), inverted residuals."""
    return torchvision.models.MobileNetV2(num_classes=10, width_mult=0.25,
                                          inverted_residual_setting=[[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 1, 2]])


def tiny_mobilenet_v3():
    """torchvision's MobileNetV3 with four small blocks: squeeze-and-
    excitation, Hardswish, Hardsigmoid, 5×5 depthwise convolutions."""
    from torchvision.models.mobilenetv3 import InvertedResidualConfig as C, MobileNetV3
    setting = [C(8, 3, 8, 8, True, "RE", 2, 1, 1.0), C(8, 3, 24, 16, False, "RE", 2, 1, 1.0),
               C(16, 5, 32, 16, True, "HS", 1, 1, 1.0), C(16, 5, 48, 24, True, "HS", 1, 1, 1.0)]
    return MobileNetV3(setting, last_channel=64, num_classes=10)


def tiny_efficientnet():
    """torchvision's EfficientNet with two MBConv stages: SiLU, squeeze-and-
    excitation with Sigmoid."""
    from torchvision.models.efficientnet import EfficientNet, MBConvConfig as C
    setting = [C(1, 3, 1, 16, 8, 1, 1.0, 1.0), C(6, 3, 2, 8, 16, 2, 1.0, 1.0), C(6, 5, 2, 16, 24, 1, 1.0, 1.0)]
    return EfficientNet(setting, dropout=0.2, num_classes=10, last_channel=64)


def tiny_convnext():
    """torchvision's ConvNeXt with two stages of one block: 7×7 depthwise
    convolutions, LayerNorm between NCHW↔NHWC permutes, GELU, layer scale
    (0.5 rather than 1e-6, so the blocks matter)."""
    from torchvision.models.convnext import CNBlockConfig as C, ConvNeXt
    return ConvNeXt([C(16, 32, 1), C(32, None, 1)], stochastic_depth_prob=0.0, layer_scale=0.5, num_classes=10)


def tiny_shufflenet():
    """torchvision's ShuffleNetV2 with narrow stages: channel Split (its
    chunk), Concat and the channel shuffle (Reshape, Transpose, Reshape)."""
    return torchvision.models.ShuffleNetV2([1, 2, 1], [8, 16, 32, 48, 64], num_classes=10)


def export(model, x, path, opset, dynamic=True, keep_bn=False):
    """keep_bn keeps BatchNormalization nodes (TrainingMode.PRESERVE on a
    model in eval mode) instead of letting the exporter fold them into the
    convolutions."""
    model.eval()
    with torch.no_grad():
        y = model(x)
    axes = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic else None
    torch.onnx.export(model, x, path + ".onnx", opset_version=opset, input_names=["input"],
                      output_names=["output"], dynamic_axes=axes, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL)
    x.numpy().astype("<f4").tofile(path + ".in.f32")
    y.numpy().astype("<f4").tofile(path + ".out.f32")
    with open(path + ".json", "w") as f:
        json.dump({"input_shape": list(x.shape), "output_shape": list(y.shape), "opset": opset,
                   "max_abs_output": float(y.abs().max()), "torch": torch.__version__,
                   "torchvision": torchvision.__version__}, f, indent=1)
        f.write("\n")


def small(outdir):
    specs = [
        ("tiny_resnet_op13", TinyResNet, (4, 3, 32, 32), 13),
        ("tiny_resnet_op17", TinyResNet, (2, 3, 29, 29), 17),
        ("flatten_head_op11", FlattenHead, (3, 3, 21, 19), 11),
        ("flatten_head_op17", FlattenHead, (3, 3, 21, 19), 17),
        ("tiny_mobilenet_v2_op13", tiny_mobilenet_v2, (2, 3, 32, 32), 13),
        ("tiny_mobilenet_v3_op13", tiny_mobilenet_v3, (2, 3, 33, 31), 13),
        ("tiny_mobilenet_v3_op17", tiny_mobilenet_v3, (2, 3, 32, 32), 17),
        ("tiny_efficientnet_op17", tiny_efficientnet, (2, 3, 32, 32), 17),
        ("tiny_convnext_op17", tiny_convnext, (2, 3, 32, 32), 17),
        ("tiny_shufflenet_op11", tiny_shufflenet, (2, 3, 32, 32), 11),
        ("tiny_shufflenet_op13", tiny_shufflenet, (2, 3, 33, 35), 13),
    ]
    only = os.environ.get("FIXTURES")
    for k, (name, cls, shape, opset) in enumerate(specs):
        if only and name not in only.split(","):
            continue
        gen = torch.Generator().manual_seed(1000 + k)
        torch.manual_seed(1000 + k)
        model = cls().eval()
        randomize(model, gen)
        x = torch.randn(*shape, generator=gen)
        scale_classifier(model, x)
        export(model, x, os.path.join(outdir, name), opset, keep_bn=opset == 17)
        print(name, os.path.getsize(os.path.join(outdir, name + ".onnx")), "bytes")


FULL = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0",
        "squeezenet1_1", "vgg11_bn", "densenet121", "shufflenet_v2_x1_0", "mnasnet1_0",
        "regnet_y_400mf", "resnext50_32x4d", "googlenet", "alexnet"]


def full(outdir, names, opsets):
    os.makedirs(outdir, exist_ok=True)
    for k, name in enumerate(names):
        gen = torch.Generator().manual_seed(2000 + k)
        torch.manual_seed(2000 + k)
        kwargs = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
        model = getattr(torchvision.models, name)(weights=None, **kwargs).eval()
        randomize(model, gen)
        x = torch.randn(4, 3, 224, 224, generator=gen)
        scale_classifier(model, x)
        for opset in opsets:
            export(model, x, os.path.join(outdir, "%s_op%d" % (name, opset)), opset)
            print(name, opset, flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", metavar="DIR", help="export torchvision's full-size models into DIR")
    ap.add_argument("--models", default=",".join(FULL))
    ap.add_argument("--opsets", default="13,17")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.full:
        full(args.full, args.models.split(","), [int(o) for o in args.opsets.split(",")])
    else:
        small(os.path.dirname(os.path.abspath(__file__)))
