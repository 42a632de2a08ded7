package hdf5

// Version 1 B-tree node types.
const (
	btreeGroup = 0 // children are symbol table nodes (SNOD)
	btreeChunk = 1 // children are raw data chunks
)

// maxBTreeLevel bounds the tree height; real trees are a few levels deep.
const maxBTreeLevel = 64

// btreeV1Walker traverses a version 1 B-tree. Hostile files could make the
// tree cyclic or make nodes overlap; every node is visited at most once,
// levels must strictly decrease towards the leaves, and the bytes read are
// capped at the file size (real nodes never overlap).
type btreeV1Walker struct {
	f        *File
	nodeType uint8
	keySize  int
	visited  map[uint64]bool
	budget   uint64
	// visit is called for every child of a leaf (level 0) node with the key
	// that precedes it.
	visit func(key []byte, child uint64) error
}

func (f *File) walkBTreeV1(root uint64, nodeType uint8, keySize int, visit func(key []byte, child uint64) error) error {
	w := &btreeV1Walker{f: f, nodeType: nodeType, keySize: keySize,
		visited: map[uint64]bool{}, budget: f.size, visit: visit}
	return w.node(root, -1)
}

func (w *btreeV1Walker) node(addr uint64, wantLevel int) error {
	if w.visited[addr] {
		return corruptf("B-tree node %d visited twice (cycle)", addr)
	}
	w.visited[addr] = true
	f := w.f
	hdrLen := uint64(8 + 2*f.sb.offSize)
	raw, err := f.readAt(addr, hdrLen)
	if err != nil {
		return corruptf("B-tree node: %v", err)
	}
	d := newDecoder(raw, f, "B-tree node")
	if !d.signature("TREE") {
		return d.err
	}
	typ := d.u8()
	level := int(d.u8())
	entries := uint64(d.u16())
	if typ != w.nodeType {
		return corruptf("B-tree node %d has type %d, want %d", addr, typ, w.nodeType)
	}
	if level > maxBTreeLevel || (wantLevel >= 0 && level != wantLevel) {
		return corruptf("B-tree node %d has level %d, want %d", addr, level, wantLevel)
	}
	// Keys and children alternate: key0 child0 key1 ... child(n-1) key(n).
	entSize := uint64(w.keySize + f.sb.offSize)
	bodyLen := entries*entSize + uint64(w.keySize)
	if bodyLen+hdrLen > w.budget {
		return corruptf("B-tree nodes larger than the file")
	}
	w.budget -= bodyLen + hdrLen
	body, err := f.readAt(addr+hdrLen, bodyLen)
	if err != nil {
		return corruptf("B-tree node: %v", err)
	}
	bd := newDecoder(body, f, "B-tree node")
	for i := uint64(0); i < entries; i++ {
		key := bd.bytes(w.keySize)
		child := bd.addr()
		if bd.err != nil {
			return bd.err
		}
		if level == 0 {
			err = w.visit(key, child)
		} else {
			err = w.node(child, level-1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
