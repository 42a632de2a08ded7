package hdf5

import (
	"bytes"
	"errors"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openBytes opens an in-memory file. With checkEOF false a truncated file
// gets past Open, so the deeper parsers meet the missing bytes.
func openBytes(data []byte, checkEOF bool) (*File, error) {
	return newFile(bytes.NewReader(data), int64(len(data)), "mem.h5", checkEOF)
}

// cutPoints returns truncation offsets: every byte of the superblock area,
// then evenly spread offsets through the rest of the file.
func cutPoints(n int) []int {
	var cuts []int
	for i := 0; i < n && i < 200; i++ {
		cuts = append(cuts, i)
	}
	for i := 200; i < n; i += max(1, n/150) {
		cuts = append(cuts, i)
	}
	return append(cuts, n-1)
}

// TestTruncated: every truncated fixture must fail to open with ErrCorrupt
// (the superblock records the file length), and when that check is bypassed
// the walker must still get errors, not panics.
func TestTruncated(t *testing.T) {
	for _, name := range fixtureNames(t) {
		data := readFixture(t, name)
		var walkErrs int
		for _, n := range cutPoints(len(data)) {
			cut := data[:n]
			if _, err := openBytes(cut, true); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s cut at %d: Open error %v, want ErrCorrupt", name, n, err)
			}
			f, err := openBytes(cut, false)
			if err != nil {
				walkErrs++
				continue
			}
			walkErrs += walkFile(f)
		}
		if walkErrs == 0 {
			t.Errorf("%s: no truncation produced an error", name)
		}
	}
}

// TestCorrupted overwrites bytes all over each fixture. Any outcome but a
// panic, hang or huge allocation is acceptable; the test also checks that
// corruption is actually noticed most of the time in metadata.
func TestCorrupted(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	positions := 120
	if testing.Short() {
		positions = 30
	}
	for _, name := range fixtureNames(t) {
		orig := readFixture(t, name)
		var opened, failed int
		for i := 0; i < positions; i++ {
			data := bytes.Clone(orig)
			pos := rng.Intn(len(data))
			if i < positions/3 {
				pos = rng.Intn(min(len(data), 2048)) // metadata is dense at the start
			}
			switch i % 4 {
			case 0:
				data[pos] ^= 0xff
			case 1:
				data[pos] = byte(rng.Intn(256))
			case 2:
				// A run of 0xff bytes turns addresses into "undefined" and
				// lengths into huge values.
				for j := pos; j < len(data) && j < pos+8; j++ {
					data[j] = 0xff
				}
			case 3:
				for j := pos; j < len(data) && j < pos+8; j++ {
					data[j] = 0
				}
			}
			f, err := openBytes(data, true)
			if err != nil {
				failed++
				continue
			}
			opened++
			if walkFile(f) > 0 {
				failed++
			}
		}
		if failed == 0 {
			t.Errorf("%s: %d corruptions and not a single error", name, positions)
		}
	}
}

// TestHostileSizes hand-crafts the classic attacks on length fields.
func TestHostileSizes(t *testing.T) {
	f := openFixture(t, "basic.h5")
	// A dataspace claiming 1e12 elements of 8 bytes: reading must fail with
	// ErrTooLarge before allocating anything.
	space := []byte{1, 1, 0, 0, 0, 0, 0, 0}
	space = append(space, le64(1e12)...)
	ds, err := f.parseDataspace(space)
	if err != nil {
		t.Fatal(err)
	}
	d := mustDataset(t, f, "/f64")
	d.space = ds
	if _, err := d.ReadFloat64(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1e12-element contiguous read: %v", err)
	}
	// Same for a chunked dataset (the bound is the file size times the
	// maximum deflate ratio).
	c := mustDataset(t, openFixture(t, "chunked.h5"), "/deflate")
	c.space = &dataspace{dims: []uint64{1 << 24, 1 << 20}}
	if _, err := c.ReadFloat32(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge chunked read: %v", err)
	}
	// A dataspace whose dimensions overflow 64 bits.
	space = []byte{1, 3, 0, 0, 0, 0, 0, 0}
	for i := 0; i < 3; i++ {
		space = append(space, le64(1<<40)...)
	}
	if _, err := f.parseDataspace(space); !errors.Is(err, ErrTooLarge) {
		t.Errorf("overflowing dataspace: %v", err)
	}
	// Reads beyond the end of the file.
	if _, err := f.readAt(f.size-4, 8); !errors.Is(err, ErrCorrupt) {
		t.Errorf("read past EOF: %v", err)
	}
	if _, err := f.readAt(undefAddr-2, 4); !errors.Is(err, ErrCorrupt) {
		t.Errorf("read at wrapping address: %v", err)
	}
}

// TestCycles builds a B-tree node and an object header continuation that
// point at themselves.
func TestCycles(t *testing.T) {
	// Superblock v0 whose root object header has a continuation message
	// pointing back at its own block.
	var b bytes.Buffer
	b.WriteString(signature)
	b.Write([]byte{0, 0, 0, 0, 0, 8, 8, 0, 4, 0, 16, 0, 0, 0, 0, 0})
	b.Write(le64(0))          // base
	b.Write(le64(^uint64(0))) // free space
	b.Write(le64(4096))       // EOF
	b.Write(le64(^uint64(0))) // driver info
	b.Write(le64(0))          // root entry: name offset
	b.Write(le64(200))        // root object header
	b.Write(make([]byte, 24))
	data := make([]byte, 4096)
	copy(data, b.Bytes())
	hdr := []byte{1, 0, 1, 0, 1, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0}
	msg := []byte{0x10, 0, 16, 0, 0, 0, 0, 0}
	msg = append(msg, le64(216)...) // continuation to the header's own block
	msg = append(msg, le64(24)...)
	copy(data[200:], hdr)
	copy(data[216:], msg)
	if _, err := openBytes(data, true); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "continuation cycle") {
		t.Errorf("continuation cycle: %v", err)
	}
	// B-tree node whose child is itself.
	f := openFixture(t, "basic.h5")
	node := []byte("TREE")
	node = append(node, 0, 1, 1, 0)
	node = append(node, le64(^uint64(0))...)
	node = append(node, le64(^uint64(0))...)
	node = append(node, le64(0)...)
	node = append(node, le64(300)...) // child: the node itself
	node = append(node, le64(0)...)
	data = make([]byte, 1024)
	copy(data, readFixture(t, filepath.Join("testdata", "basic.h5"))[:300])
	copy(data[300:], node)
	f.r, f.size = bytes.NewReader(data), uint64(len(data))
	err := f.walkBTreeV1(300, btreeGroup, 8, func([]byte, uint64) error { return nil })
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("B-tree cycle: %v", err)
	}
}

func le64(v uint64) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24), byte(v >> 32), byte(v >> 40), byte(v >> 48), byte(v >> 56)}
}

// FuzzOpen opens arbitrary bytes, walks every group and reads every dataset
// and attribute in every way. Seeds are the committed fixtures.
func FuzzOpen(f *testing.F) {
	for _, name := range fixtureNames(f) {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Go's fuzzer has no per-input timeout; a hang (say, a cycle the
		// reader fails to detect) would just stall it. Crash instead so the
		// input is saved. The limit is generous: every input takes far
		// less than 1s, even on a loaded machine.
		timer := time.AfterFunc(10*time.Second, func() { panic("FuzzOpen: input took more than 10s") })
		defer timer.Stop()
		if file, err := NewReader(bytes.NewReader(data), int64(len(data)), "fuzz.h5"); err == nil {
			walkFile(file)
		}
		// Also past the end-of-file check, so truncation reaches deeper.
		if file, err := openBytes(data, false); err == nil {
			walkFile(file)
		} else if !strings.HasPrefix(err.Error(), "hdf5: mem.h5: ") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// TestSharedChunkBomb points every record of a chunk B-tree at the same
// stored chunk and claims each is half the file long. Reading must stop once
// the records claim more stored bytes than the file holds.
func TestSharedChunkBomb(t *testing.T) {
	data := readFixture(t, filepath.Join("testdata", "chunked.h5"))
	f, err := openBytes(data, true)
	if err != nil {
		t.Fatal(err)
	}
	d := mustDataset(t, f, "/deflate") // 10x7, chunks 4x3: 9 chunks in one leaf
	node := int(d.lay.addr)
	if string(data[node:node+4]) != "TREE" || data[node+5] != 0 {
		t.Fatal("expected a single-level chunk B-tree")
	}
	entries := int(data[node+6]) | int(data[node+7])<<8
	const keySize, hdr = 8 + 8*3, 24
	first := data[node+hdr+keySize : node+hdr+keySize+8]
	for i := 0; i < entries; i++ {
		key := node + hdr + i*(keySize+8)
		copy(data[key:], []byte{byte(len(data) / 2), byte(len(data) / 2 >> 8), byte(len(data) / 2 >> 16), 0})
		copy(data[key+keySize:], first)
	}
	if f, err = openBytes(data, true); err != nil {
		t.Fatal(err)
	}
	_, err = mustDataset(t, f, "/deflate").ReadFloat32()
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("got %v, want overlap error", err)
	}
}

// TestNameBudget checks that symbol table entries cannot name more bytes
// than the local heap holds (many entries sharing one long name).
func TestNameBudget(t *testing.T) {
	f := openFixture(t, "many_members.h5")
	m, _ := f.root.oh.find(msgSymbolTable)
	d := newDecoder(m.data, f, "")
	btree, heapAddr := d.addr(), d.addr()
	heap, err := f.readLocalHeap(heapAddr)
	if err != nil {
		t.Fatal(err)
	}
	b := &snodBudget{nodes: f.size, names: 20}
	err = f.walkBTreeV1(btree, btreeGroup, f.sb.lenSize, func(_ []byte, snod uint64) error {
		_, err := f.readSymbolNode(snod, heap, nil, b)
		return err
	})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "names overlap") {
		t.Errorf("got %v, want names overlap error", err)
	}
}
