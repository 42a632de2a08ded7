// Package onnxpb holds the Go types of ONNX's protobuf schema, generated
// from onnx.proto (ONNX 1.12, Apache-2.0, as Debian's python3-onnx ships
// it at /usr/lib/python3/dist-packages/onnx/onnx.proto) with protoc 3.21
// (Debian's protobuf-compiler) and protoc-gen-go v1.36.12
// (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12).
// Run go generate in this directory to remake onnx.pb.go.
package onnxpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go_opt=Monnx.proto=github.com/simdnet/simdnet/onnx/internal/onnxpb onnx.proto
