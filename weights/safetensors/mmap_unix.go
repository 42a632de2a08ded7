//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package safetensors

import (
	"math"
	"os"
	"syscall"
)

// loadFile returns the contents of f, memory-mapped copy-on-write when possible,
// and the function that releases the mapping (nil when the contents were
// read into memory instead). Mapping means a multi-gigabyte model costs no
// up-front read and no heap, and pages are shared with the page cache.
func loadFile(f *os.File) ([]byte, func() error, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	// Tiny files cannot hold any tensor data worth mapping (and a zero-length
	// mapping is an error); non-regular files (pipes, devices) cannot be
	// mapped at all.
	if !st.Mode().IsRegular() || size < prefixLen || size > math.MaxInt {
		data, err := readWhole(f, size, st.Mode().IsRegular())
		return data, nil, err
	}
	// MAP_PRIVATE with write permission: pages are the page cache's, shared
	// with every process mapping the file, until someone writes to one;
	// that page is then copied for this process alone. A write through a
	// slice that aliases the file (a ReadOnly model's parameter, trained
	// by mistake) therefore changes this process's copy and never the
	// file, instead of a SIGSEGV no recover can catch, which PROT_READ gave.
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		// Some filesystems (e.g. certain FUSE or network mounts) refuse
		// mmap; reading is slower but always works.
		data, err := readWhole(f, size, true)
		return data, nil, err
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}

// syncDir flushes the directory entry changes in dir (such as a rename) to
// stable storage, so an atomic replace survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
