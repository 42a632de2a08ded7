package onnx

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
)

// externalData reads tensors that a model keeps in files beside it (ONNX's
// external data: location, offset, length). Locations must be local paths
// that stay inside the model's directory once symbolic links are resolved;
// offsets and lengths are checked against the data file's real size before
// anything is allocated.
type externalData struct {
	dir   string // the model's directory; "" when the model came from memory
	files map[string]*os.File
}

func (e *externalData) close() {
	for _, f := range e.files {
		f.Close()
	}
}

// read returns the want bytes of tp's data.
func (e *externalData) read(tp *onnxpb.TensorProto, want int) ([]byte, error) {
	var location string
	offset, length := int64(0), int64(-1)
	for _, kv := range tp.GetExternalData() {
		var err error
		switch kv.GetKey() {
		case "location":
			location = kv.GetValue()
		case "offset":
			offset, err = strconv.ParseInt(kv.GetValue(), 10, 64)
		case "length":
			length, err = strconv.ParseInt(kv.GetValue(), 10, 64)
		}
		if err != nil {
			return nil, fmt.Errorf("external data %s %q is not an integer", kv.GetKey(), kv.GetValue())
		}
	}
	switch {
	case location == "":
		return nil, fmt.Errorf("external data without a location")
	case !filepath.IsLocal(filepath.FromSlash(location)):
		return nil, fmt.Errorf("external data location %q is not a path inside the model's directory", location)
	case e.dir == "":
		return nil, fmt.Errorf("external data in %q, but the model was not loaded from a file", location)
	case offset < 0:
		return nil, fmt.Errorf("external data offset %d is negative", offset)
	case length >= 0 && length != int64(want):
		return nil, fmt.Errorf("external data length %d, want %d bytes for the tensor's shape", length, want)
	}
	f, err := e.open(location)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("external data %q: %v", location, err)
	}
	if offset > st.Size() || int64(want) > st.Size()-offset {
		return nil, fmt.Errorf("external data %q: %d bytes at offset %d run past its end (%d bytes)", location, want, offset, st.Size())
	}
	buf := make([]byte, want)
	if _, err := f.ReadAt(buf, offset); err != nil && err != io.EOF {
		return nil, fmt.Errorf("external data %q: %v", location, err)
	}
	return buf, nil
}

// open opens a data file once, after checking that it resolves to a
// regular file inside the model's directory.
func (e *externalData) open(location string) (*os.File, error) {
	if f := e.files[location]; f != nil {
		return f, nil
	}
	root, err := filepath.EvalSymlinks(e.dir)
	if err != nil {
		return nil, fmt.Errorf("external data %q: %v", location, err)
	}
	path, err := filepath.EvalSymlinks(filepath.Join(e.dir, filepath.FromSlash(location)))
	if err != nil {
		return nil, fmt.Errorf("external data %q: %v", location, err)
	}
	if rel, err := filepath.Rel(root, path); err != nil || !filepath.IsLocal(rel) || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("external data %q resolves outside the model's directory", location)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("external data %q: %v", location, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("external data %q is not a regular file", location)
	}
	if e.files == nil {
		e.files = map[string]*os.File{}
	}
	e.files[location] = f
	return f, nil
}
