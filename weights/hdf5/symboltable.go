package hdf5

import "bytes"

// Link kinds.
const (
	linkHard     = 0
	linkSoft     = 1
	linkExternal = 64
)

// link is one named member of a group.
type link struct {
	name   string
	kind   int
	addr   uint64 // hard links
	target string // soft links: the path they point to
}

// localHeap is the data segment of a local heap, which stores the member
// names of an old-style (symbol table) group.
type localHeap struct{ data []byte }

// readLocalHeap reads the "HEAP" structure and its data segment.
func (f *File) readLocalHeap(addr uint64) (*localHeap, error) {
	raw, err := f.readAt(addr, uint64(8+2*f.sb.lenSize+f.sb.offSize))
	if err != nil {
		return nil, corruptf("local heap: %v", err)
	}
	d := newDecoder(raw, f, "local heap")
	d.signature("HEAP")
	d.skip(4) // version 0 + reserved
	size := d.length()
	d.length() // free list head
	dataAddr := d.addr()
	if d.err != nil {
		return nil, d.err
	}
	data, err := f.readAt(dataAddr, size)
	if err != nil {
		return nil, corruptf("local heap data: %v", err)
	}
	return &localHeap{data: data}, nil
}

// str returns the NUL-terminated string at off.
func (h *localHeap) str(off uint64) (string, error) {
	if off >= uint64(len(h.data)) {
		return "", corruptf("local heap offset %d outside heap of %d bytes", off, len(h.data))
	}
	s := h.data[off:]
	i := bytes.IndexByte(s, 0)
	if i < 0 {
		return "", corruptf("unterminated name in local heap")
	}
	return string(s[:i]), nil
}

// symbolTableLinks lists an old-style group: a version 1 B-tree whose
// leaves point at symbol table nodes (SNOD), with names in a local heap.
func (f *File) symbolTableLinks(m message) ([]link, error) {
	d := newDecoder(m.data, f, "symbol table message")
	btree := d.addr()
	heapAddr := d.addr()
	if d.err != nil {
		return nil, d.err
	}
	heap, err := f.readLocalHeap(heapAddr)
	if err != nil {
		return nil, err
	}
	// Budgets against overlapping structures: in a valid file symbol
	// table nodes do not overlap and every name occupies its own bytes of
	// the heap. Without them, many entries naming one long heap string
	// would multiply memory use.
	b := &snodBudget{nodes: f.size, names: uint64(len(heap.data))}
	var links []link
	seen := map[uint64]bool{}
	err = f.walkBTreeV1(btree, btreeGroup, f.sb.lenSize, func(_ []byte, snod uint64) error {
		if seen[snod] {
			return corruptf("symbol table node %d listed twice", snod)
		}
		seen[snod] = true
		var err error
		links, err = f.readSymbolNode(snod, heap, links, b)
		return err
	})
	if err != nil {
		return nil, err
	}
	return links, nil
}

// snodBudget tracks bytes left for symbol table nodes and names.
type snodBudget struct{ nodes, names uint64 }

// take consumes n bytes of *left or reports corruption.
func take(left *uint64, n uint64, what string) error {
	if n > *left {
		return corruptf("%s overlap (more bytes than the file holds)", what)
	}
	*left -= n
	return nil
}

// readSymbolNode appends the entries of one "SNOD" node.
func (f *File) readSymbolNode(addr uint64, heap *localHeap, links []link, b *snodBudget) ([]link, error) {
	raw, err := f.readAt(addr, 8)
	if err != nil {
		return nil, corruptf("symbol table node: %v", err)
	}
	d := newDecoder(raw, f, "symbol table node")
	d.signature("SNOD")
	if v := d.u8(); v != 1 && d.err == nil {
		return nil, corruptf("symbol table node version %d", v)
	}
	d.skip(1)
	n := uint64(d.u16())
	if d.err != nil {
		return nil, d.err
	}
	entSize := uint64(2*f.sb.offSize + 24)
	if err := take(&b.nodes, 8+n*entSize, "symbol table nodes"); err != nil {
		return nil, err
	}
	body, err := f.readAt(addr+8, n*entSize)
	if err != nil {
		return nil, corruptf("symbol table node: %v", err)
	}
	bd := newDecoder(body, f, "symbol table entry")
	for i := uint64(0); i < n; i++ {
		nameOff := bd.addr()
		objAddr := bd.addr()
		cache := bd.u32()
		bd.skip(4)
		scratch := bd.bytes(16)
		if bd.err != nil {
			return nil, bd.err
		}
		name, err := heap.str(nameOff)
		if err != nil {
			return nil, err
		}
		if err := take(&b.names, uint64(len(name))+1, "group member names"); err != nil {
			return nil, err
		}
		l := link{name: name, kind: linkHard, addr: objAddr}
		if cache == 2 {
			// Soft link: the scratch pad holds the heap offset of the
			// target path.
			l.kind = linkSoft
			off := uint64(scratch[0]) | uint64(scratch[1])<<8 | uint64(scratch[2])<<16 | uint64(scratch[3])<<24
			if l.target, err = heap.str(off); err != nil {
				return nil, err
			}
			if err := take(&b.names, uint64(len(l.target))+1, "soft link targets"); err != nil {
				return nil, err
			}
		}
		links = append(links, l)
	}
	return links, nil
}
