package simdnet

// A model file names its architecture; every built-in one must be in the
// registry (package models) for Load to rebuild it: the ResNets through
// resnet, MobileNetV2 through this import.
import _ "github.com/simdnet/simdnet/mobilenet"
