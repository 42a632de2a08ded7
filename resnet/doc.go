// Package resnet builds the residual networks of the Keras tutorial
// ("Residual Networks", deep learning specialisation) on package ops:
// ResNet50 for the SIGNS hand-sign images (64×64×3, 6 classes) and, from the
// same table-driven code, its relatives ResNet18/34/101/152.
//
// The models read like the tutorial: identityBlock and convolutionalBlock
// give their layers the tutorial's names (res2a_branch2a, bn2a_branch2a,
// ...), the stem is ZeroPadding2D(3) → conv1 7×7/2 → bn_conv1 → ReLU →
// MaxPooling2D(3, 2), and the head is AveragePooling2D(2) "avg_pool" →
// Flatten → Dense(classes, softmax) "fc{classes}". An Arch lists the stages;
// a Config (architecture name, input shape, classes, seed) is what weight
// files store to rebuild a model.
package resnet
