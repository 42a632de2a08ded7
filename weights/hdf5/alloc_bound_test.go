package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"

	"github.com/simdnet/simdnet/internal/allocs"
)

// paddedFixture opens a fixture with pad zero bytes appended, which raises
// the file-size-relative allocation bound without adding any data.
func paddedFixture(t *testing.T, name string, pad int) *File {
	t.Helper()
	data := append(readFixture(t, filepath.Join("testdata", name)), make([]byte, pad)...)
	f, err := NewReader(bytes.NewReader(data), int64(len(data)), name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDeflateChunkAllocatesWhatItDecodes declares a 48 MiB chunk whose
// stored deflate stream holds 48 bytes. The reader must not allocate the
// declared size before the stream has shown it can fill it: a stream of n
// bytes decodes to at most about 1032·n.
func TestDeflateChunkAllocatesWhatItDecodes(t *testing.T) {
	f := paddedFixture(t, "chunked.h5", 1<<20) // bound: about 1 GiB
	d := mustDataset(t, f, "/deflate")
	d.lay.chunk = []uint64{4, 3 << 20} // 48 MiB of float32 per chunk
	var err error
	n := allocs.Bytes(func() { _, err = d.ReadFloat32() })
	if err == nil {
		t.Fatal("a 48-byte chunk read as a 48 MiB one")
	}
	if n > 8<<20 {
		t.Fatalf("allocated %d MiB for a chunk whose stream is a few bytes long (%v)", n>>20, err)
	}
}

// TestFillBomb declares a 128 MiB chunked dataset with only a few small
// chunks stored: everything else would be fill value, bytes no part of the
// file accounts for. Reading must fail before allocating them.
func TestFillBomb(t *testing.T) {
	f := paddedFixture(t, "chunked.h5", 256<<10) // bound: about 264 MiB
	d := mustDataset(t, f, "/missing")           // f8, chunks 4×4, some never written
	d.space = &dataspace{dims: []uint64{4096, 4096}}
	var err error
	n := allocs.Bytes(func() { _, err = d.ReadFloat64() })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if n > 8<<20 {
		t.Fatalf("allocated %d MiB before refusing", n>>20)
	}
}

// TestVarLenStringBudget repeats one reference to a heap string many times:
// the strings would add up to far more bytes than the file holds, and
// h5py never shares a heap object between elements, so that is refused.
func TestVarLenStringBudget(t *testing.T) {
	f := paddedFixture(t, "basic.h5", 0)
	d := mustDataset(t, f, "/vlen_strings")
	raw, err := d.readRaw()
	if err != nil {
		t.Fatal(err)
	}
	es := f.elemSize(d.dt)
	const n = 1 << 20
	ref := raw[:es]
	many := bytes.Repeat(ref, n)
	_, err = f.decodeStrings(many, d.dt, n)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("%d copies of one string reference: %v, want ErrTooLarge", n, err)
	}
}

// TestMaxReadLimit checks the documented per-read limit and that it can be
// raised.
func TestMaxReadLimit(t *testing.T) {
	data := readFixture(t, filepath.Join("testdata", "chunked.h5"))
	f, err := NewReader(bytes.NewReader(data), int64(len(data)), "chunked.h5", WithMaxRead(100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustDataset(t, f, "/deflate").ReadFloat32(); !errors.Is(err, ErrTooLarge) { // 280 bytes
		t.Fatalf("280 bytes under a 100-byte limit: %v", err)
	}
	f, err = NewReader(bytes.NewReader(data), int64(len(data)), "chunked.h5", WithMaxRead(280))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustDataset(t, f, "/deflate").ReadFloat32(); err != nil {
		t.Fatalf("280 bytes under a 280-byte limit: %v", err)
	}
}

// TestFillBombFile is TestFillBomb as a file: chunked.h5 with the
// dataspace of /missing (10×10 float64, chunks 4×4) rewritten to declare
// 1024×1024. The 52 KB file would read as 8 MiB of fill value.
func TestFillBombFile(t *testing.T) {
	data := readFixture(t, filepath.Join("testdata", "chunked.h5"))
	space := append([]byte{1, 2, 1, 0, 0, 0, 0, 0}, le64(10)...)
	space = append(space, le64(10)...)
	at := bytes.Index(data, space)
	if at < 0 || bytes.Index(data[at+1:], space) >= 0 {
		t.Fatal("cannot find the one 10×10 dataspace of /missing")
	}
	for i := range 4 { // dims and max dims
		copy(data[at+8+8*i:], le64(1024))
	}
	f, err := NewReader(bytes.NewReader(data), int64(len(data)), "fillbomb.h5")
	if err != nil {
		t.Fatal(err)
	}
	d := mustDataset(t, f, "/missing")
	if got := d.Shape(); len(got) != 2 || got[0] != 1024 {
		t.Fatalf("patched the wrong dataspace: /missing has shape %v", got)
	}
	n := allocs.Bytes(func() { _, err = d.ReadFloat64() })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if n > 4<<20 {
		t.Fatalf("allocated %d MiB before refusing", n>>20)
	}
	if _, err := mustDataset(t, f, "/deflate").ReadFloat32(); err != nil {
		t.Fatalf("the rest of the file must stay readable: %v", err)
	}
}

// TestDeflateChunkBombFile is TestDeflateChunkAllocatesWhatItDecodes as a
// file: chunked.h5 with the layout of /deflate (chunks 4×3 float32)
// rewritten to declare 4×3145728 chunks, 48 MiB each, which the 52 KB
// file's bound (about 53 MiB) allowed to be allocated for each tiny stream.
func TestDeflateChunkBombFile(t *testing.T) {
	data := readFixture(t, filepath.Join("testdata", "chunked.h5"))
	dims := binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 4), 3), 4)
	at := -1
	for i := bytes.Index(data, dims); i >= 0; {
		// A version 3 chunked layout of rank 2 (+1 for the element size)
		// holds version, class, dimensionality and an 8-byte address first.
		if i >= 11 && bytes.Equal(data[i-11:i-8], []byte{3, 2, 3}) {
			at = i
			break
		}
		j := bytes.Index(data[i+1:], dims)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if at < 0 {
		t.Fatal("cannot find the chunked layout of /deflate")
	}
	binary.LittleEndian.PutUint32(data[at+4:], 3<<20)
	f, err := NewReader(bytes.NewReader(data), int64(len(data)), "deflatebomb.h5")
	if err != nil {
		t.Fatal(err)
	}
	d := mustDataset(t, f, "/deflate")
	n := allocs.Bytes(func() { _, err = d.ReadFloat32() })
	if err == nil {
		t.Fatal("read a dataset whose chunks cannot be what they claim")
	}
	if n > 4<<20 {
		t.Fatalf("allocated %d MiB for chunks whose streams hold a few bytes (%v)", n>>20, err)
	}
}
