#!/bin/sh
# Full-size correctness checks of the ONNX reader against PyTorch: exports
# torchvision's CNN classifiers (random seeded weights, BatchNorm statistics
# that matter, batch 4 at 224×224, opsets 13 and 17) into DIR and prints the
# table of max |simdnet − PyTorch| / max |PyTorch| over the logits.
# Needs Debian's python3-torchvision (torch 1.13, torchvision 0.14); about
# 3 GB of disk for all models (vgg11_bn alone is 1 GB).
#
#   onnx/testdata/check_full.sh [DIR] [MODELS]
set -e
dir=${1:-/tmp/onnxfull}
models=${2:-resnet18,resnet50,mobilenet_v2,mobilenet_v3_small,efficientnet_b0,squeezenet1_1,vgg11_bn,densenet121,shufflenet_v2_x1_0,mnasnet1_0,regnet_y_400mf,resnext50_32x4d,googlenet,alexnet}
cd "$(dirname "$0")/../.."
/usr/bin/python3 onnx/testdata/make_fixtures.py --full "$dir" --models "$models" --opsets 13,17
go run ./onnx/internal/cmd/onnxcheck "$dir"
