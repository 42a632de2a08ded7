//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package safetensors

import "os"

// loadFile reads all of f into memory: this platform has no mmap support in
// the standard library. The nil release function tells ReadFile that there
// is no mapping to undo.
func loadFile(f *os.File) ([]byte, func() error, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data, err := readWhole(f, st.Size(), st.Mode().IsRegular())
	return data, nil, err
}

// syncDir is a no-op here: directories cannot be opened for fsync on
// Windows and similar platforms, where rename is already durable enough.
func syncDir(string) error { return nil }
