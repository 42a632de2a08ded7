package hdf5

import (
	"path/filepath"
	"testing"
)

// These tests pin down which on-disk features each fixture exercises, so a
// regenerated fixture that silently stops covering one (say, because h5py
// changed its defaults) fails loudly instead of shrinking coverage.

func openFixture(t *testing.T, name string) *File {
	t.Helper()
	f, err := Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustDataset(t *testing.T, f *File, path string) *Dataset {
	t.Helper()
	d, err := f.Dataset(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFixtureSuperblocks(t *testing.T) {
	for name, want := range map[string]struct{ version, offSize, hdr int }{
		"basic.h5":         {0, 8, 1},
		"superblock_v1.h5": {1, 8, 1},
		"v108.h5":          {2, 8, 2},
		"latest.h5":        {3, 8, 2},
		"many_members.h5":  {0, 4, 1},
		"userblock.h5":     {0, 8, 1},
	} {
		f := openFixture(t, name)
		if f.sb.version != want.version || f.sb.offSize != want.offSize || f.root.oh.version != want.hdr {
			t.Errorf("%s: superblock v%d, offsets %d, root header v%d; want %+v",
				name, f.sb.version, f.sb.offSize, f.root.oh.version, want)
		}
	}
	if f := openFixture(t, "userblock.h5"); f.sb.base != 512 {
		t.Errorf("userblock.h5: base address %d, want 512", f.sb.base)
	}
	if f := openFixture(t, "superblock_v1.h5"); f.sb.base != 512 {
		t.Errorf("superblock_v1.h5: base address %d, want 512", f.sb.base)
	}
}

func TestFixtureLayouts(t *testing.T) {
	cases := []struct {
		file, path   string
		class, index int
		filters      int
	}{
		{"basic.h5", "/f32", layoutContiguous, 0, 0},
		{"basic.h5", "/compact_f32", layoutCompact, 0, 0},
		{"chunked.h5", "/deflate", layoutChunked, indexBTree1, 1},
		{"chunked.h5", "/shuffle_deflate", layoutChunked, indexBTree1, 2},
		{"chunked.h5", "/fletcher", layoutChunked, indexBTree1, 2},
		{"chunked.h5", "/optional_skipped", layoutChunked, indexBTree1, 2},
		{"latest.h5", "/compact", layoutCompact, 0, 0},
		{"latest.h5", "/chunks/fa_filtered", layoutChunked, indexFixedArray, 2},
		{"latest.h5", "/chunks/fa_plain", layoutChunked, indexFixedArray, 0},
		{"latest.h5", "/chunks/fa_maxshape", layoutChunked, indexFixedArray, 0},
		{"latest.h5", "/chunks/single", layoutChunked, indexSingle, 1},
		{"latest.h5", "/chunks/single_plain", layoutChunked, indexSingle, 0},
		{"latest.h5", "/chunks/implicit", layoutChunked, indexImplicit, 0},
		{"latest.h5", "/unlimited/extensible", layoutChunked, indexExtArray, 0},
		{"latest.h5", "/unlimited/btree2", layoutChunked, indexBTree2, 0},
	}
	for _, c := range cases {
		d := mustDataset(t, openFixture(t, c.file), c.path)
		if d.readErr != nil {
			t.Errorf("%s %s: %v", c.file, c.path, d.readErr)
			continue
		}
		if d.lay.class != c.class || d.lay.index != c.index || len(d.filters) != c.filters {
			t.Errorf("%s %s: layout class %d index %d filters %d; want %+v",
				c.file, c.path, d.lay.class, d.lay.index, len(d.filters), c)
		}
	}
	d := mustDataset(t, openFixture(t, "chunked.h5"), "/optional_skipped")
	if d.filters[0].id != 32004 || !d.filters[0].optional {
		t.Errorf("optional_skipped: first filter %+v, want optional lz4", d.filters[0])
	}
}

// btreeLevel returns the level of the root node of a version 1 B-tree.
func btreeLevel(t *testing.T, f *File, addr uint64) int {
	t.Helper()
	b, err := f.readAt(addr, 6)
	if err != nil || string(b[:4]) != "TREE" {
		t.Fatalf("no B-tree at %d: %v", addr, err)
	}
	return int(b[5])
}

func TestFixtureMultiLevelBTrees(t *testing.T) {
	f := openFixture(t, "many_members.h5")
	m, ok := f.root.oh.find(msgSymbolTable)
	if !ok {
		t.Fatal("root of many_members.h5 is not a symbol table group")
	}
	if lvl := btreeLevel(t, f, newDecoder(m.data, f, "").addr()); lvl < 1 {
		t.Errorf("group B-tree level %d, want >= 1", lvl)
	}
	for _, c := range []struct{ file, path string }{{"chunked.h5", "/many_chunks"}, {"many_members.h5", "/chunky"}} {
		f := openFixture(t, c.file)
		d := mustDataset(t, f, c.path)
		if lvl := btreeLevel(t, f, d.lay.addr); lvl < 1 {
			t.Errorf("%s %s: chunk B-tree level %d, want >= 1", c.file, c.path, lvl)
		}
	}
}

func TestFixtureHeaderFeatures(t *testing.T) {
	d := mustDataset(t, openFixture(t, "basic.h5"), "/with_many_attrs")
	if d.oh.blocks < 2 {
		t.Errorf("with_many_attrs: %d header blocks, want continuation blocks", d.oh.blocks)
	}
	d = mustDataset(t, openFixture(t, "committed.h5"), "/x")
	if m, _ := d.oh.find(msgDatatype); m.flags&msgFlagShared == 0 {
		t.Error("committed.h5 /x: datatype message is not shared")
	}
	g, err := openFixture(t, "latest.h5").Group("/small_group")
	if err != nil {
		t.Fatal(err)
	}
	if !g.oh.has(msgLink) || g.oh.has(msgSymbolTable) {
		t.Error("latest.h5 /small_group is not a compact (link message) group")
	}
}
