package safetensors

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/internal/allocs"
)

// TestReadFileFromPipe reads a valid file from a pipe that goes on with
// 64 MiB of garbage: ReadFile must stop after the declared data, report the
// extra bytes, and allocate in proportion to the file, not the stream.
func TestReadFileFromPipe(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc/self/fd")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	valid := file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 8)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer w.Close()
		if _, err := w.Write(valid); err != nil {
			return
		}
		junk := make([]byte, 1<<20)
		for range 64 {
			if _, err := w.Write(junk); err != nil {
				return // the reader hung up, as it should
			}
		}
	}()
	n := allocs.Bytes(func() { _, err = ReadFile(fmt.Sprintf("/proc/self/fd/%d", r.Fd())) })
	r.Close()
	<-done
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "belong to no tensor") {
		t.Fatalf("got %v, want a FormatError about trailing bytes", err)
	}
	if n > 4<<20 {
		t.Fatalf("allocated %d MiB reading a 80-byte file from a stream", n>>20)
	}
}

// TestReadFileFromEndlessDevice reads /dev/zero, which never ends: an
// error, at once, not a hang until memory runs out.
func TestReadFileFromEndlessDevice(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := ReadFile("/dev/zero")
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a FormatError", err)
	}
}
