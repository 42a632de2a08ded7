package safetensors

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes tensors and metadata to path as a safetensors file (see
// Write for the layout and options).
//
// The write is atomic: the file is written to a temporary file in the same
// directory, flushed to disk, and renamed over path, and then the directory
// itself is flushed. Readers therefore see either the old file or the
// complete new one, never a torn checkpoint, even across a crash. On any
// error the temporary file is removed and an existing file at path is left
// untouched. A new file gets permissions 0644; a replaced file keeps its
// permissions.
func WriteFile(path string, tensors []Tensor, metadata map[string]string, opts ...Option) error {
	// Validate before touching the filesystem, so bad input creates nothing.
	p, err := newPlan(tensors, metadata, opts)
	if err != nil {
		return err
	}
	return writeAtomic(path, p)
}

// writeAtomic writes the planned file to a temporary file and renames it
// over path, removing the temporary file on any failure before the rename.
func writeAtomic(path string, p *plan) (err error) {
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("safetensors: %s: not a regular file", path)
		}
		perm = st.Mode().Perm()
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("safetensors: %w", err)
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	closed, renamed := false, false
	defer func() {
		if err != nil && !renamed {
			if !closed {
				tmp.Close()
			}
			os.Remove(tmp.Name())
		}
	}()

	var w io.Writer = tmp
	if p.cfg.wrap != nil {
		w = p.cfg.wrap(w)
	}
	if err := p.writeTo(w); err != nil {
		return fmt.Errorf("safetensors: writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	// Without the fsync a crash after the rename could leave the new name
	// pointing at a file whose data never reached the disk.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	renamed = true
	// The new file is in place; a failure here only means the rename might
	// not survive a crash, so report it but leave the file alone.
	if serr := syncDir(dir); serr != nil {
		return fmt.Errorf("safetensors: %s written but directory sync failed: %w", path, serr)
	}
	return nil
}
