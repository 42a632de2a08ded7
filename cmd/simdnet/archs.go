package main

// Every built-in architecture is in the registry that --arch reads
// (package models): the ResNets through resnet, MobileNetV2 through this
// import.
import _ "github.com/simdnet/simdnet/mobilenet"
