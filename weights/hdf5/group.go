package hdf5

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// ObjectType tells what a group member is.
type ObjectType int

// Object types returned by Group.MemberType.
const (
	ObjectUnknown  ObjectType = iota // not a group, dataset or named datatype
	ObjectGroup                      // a group
	ObjectDataset                    // a dataset
	ObjectDatatype                   // a committed (named) datatype
)

func (t ObjectType) String() string {
	switch t {
	case ObjectGroup:
		return "group"
	case ObjectDataset:
		return "dataset"
	case ObjectDatatype:
		return "datatype"
	}
	return "unknown object"
}

// maxLinkHops bounds the soft links followed while resolving one path, so
// link cycles (and exponential fan-out through nested links) terminate.
const maxLinkHops = 40

// Group is an HDF5 group: a named collection of links to other objects.
type Group struct {
	f    *File
	path string
	oh   *objectHeader

	once     sync.Once
	links    []link
	linksErr error
}

// classify tells which kind of object a header describes.
func classify(oh *objectHeader) ObjectType {
	switch {
	case oh.has(msgLayout):
		return ObjectDataset
	case oh.has(msgSymbolTable), oh.has(msgLinkInfo), oh.has(msgLink), oh.has(msgGroupInfo):
		return ObjectGroup
	case oh.has(msgDatatype):
		return ObjectDatatype
	}
	return ObjectUnknown
}

func (f *File) newGroup(path string, oh *objectHeader) (*Group, error) {
	if t := classify(oh); t != ObjectGroup {
		return nil, typeErrorf("object is a %s, not a group", t)
	}
	return &Group{f: f, path: path, oh: oh}, nil
}

// Name returns the group's absolute path, e.g. "/" or "/conv1/conv1".
func (g *Group) Name() string { return g.path }

func (g *Group) desc() string { return fmt.Sprintf("group %q", g.path) }

// loadLinks decodes the member list once; it is cached on the Group.
func (g *Group) loadLinks() ([]link, error) {
	g.once.Do(func() {
		g.links, g.linksErr = g.readLinks()
	})
	return g.links, g.linksErr
}

func (g *Group) readLinks() ([]link, error) {
	f := g.f
	if m, ok := g.oh.find(msgSymbolTable); ok {
		return f.symbolTableLinks(m)
	}
	var links []link
	for _, m := range g.oh.msgs {
		switch m.typ {
		case msgLink:
			l, err := f.parseLink(m.data)
			if err != nil {
				return nil, err
			}
			links = append(links, l)
		case msgLinkInfo:
			dense, err := f.linkInfoDense(m.data, "link info message")
			if err != nil {
				return nil, err
			}
			if dense {
				return nil, unsupportedf("dense link storage (fractal heap); the group has too many members for compact storage")
			}
		}
	}
	return links, nil
}

// Members returns the names of the group's members, sorted byte-wise.
func (g *Group) Members() ([]string, error) {
	links, err := g.loadLinks()
	if err != nil {
		return nil, g.f.wrap(g.desc(), err)
	}
	names := make([]string, len(links))
	for i, l := range links {
		names[i] = l.name
	}
	sort.Strings(names)
	return names, nil
}

// MemberType reports what the object at path (relative to g) is.
func (g *Group) MemberType(path string) (ObjectType, error) {
	oh, full, err := g.lookup(path, new(int))
	if err != nil {
		return ObjectUnknown, g.f.wrap(fmt.Sprintf("object %q", full), err)
	}
	return classify(oh), nil
}

// Group opens the group at path, which may be relative to g ("a/b") or
// absolute ("/a/b"). Soft links are followed.
func (g *Group) Group(path string) (*Group, error) {
	oh, full, err := g.lookup(path, new(int))
	if err == nil {
		var sub *Group
		if sub, err = g.f.newGroup(full, oh); err == nil {
			return sub, nil
		}
	}
	return nil, g.f.wrap(fmt.Sprintf("group %q", full), err)
}

// Dataset opens the dataset at path, relative to g or absolute.
func (g *Group) Dataset(path string) (*Dataset, error) {
	oh, full, err := g.lookup(path, new(int))
	if err == nil {
		var d *Dataset
		if d, err = g.f.newDataset(full, oh); err == nil {
			return d, nil
		}
	}
	return nil, g.f.wrap(fmt.Sprintf("dataset %q", full), err)
}

// Attrs lists the names of the group's attributes.
func (g *Group) Attrs() ([]string, error) { return attrNames(g.f, g.oh, g.desc()) }

// Attr returns the named attribute of the group.
func (g *Group) Attr(name string) (*Attribute, error) { return findAttr(g.f, g.oh, g.desc(), name) }

// joinPath appends a member name to a group path.
func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// lookup resolves path relative to g and returns the object header and the
// absolute path as spelled by the caller (soft links are not substituted).
func (g *Group) lookup(path string, hops *int) (*objectHeader, string, error) {
	cur := g
	full := g.path
	if strings.HasPrefix(path, "/") {
		cur = g.f.root
		full = "/"
	}
	parts := strings.Split(path, "/")
	var comps []string
	for _, p := range parts {
		if p != "" && p != "." {
			comps = append(comps, p)
		}
	}
	if len(comps) == 0 {
		return cur.oh, full, nil
	}
	for i, name := range comps {
		full = joinPath(full, name)
		if name == ".." {
			return nil, full, unsupportedf("\"..\" in paths")
		}
		links, err := cur.loadLinks()
		if err != nil {
			return nil, full, fmt.Errorf("listing %s: %w", cur.desc(), err)
		}
		var l *link
		for j := range links {
			if links[j].name == name {
				l = &links[j]
				break
			}
		}
		if l == nil {
			return nil, full, notFoundf("no member %q in %s", name, cur.desc())
		}
		var oh *objectHeader
		switch l.kind {
		case linkHard:
			if oh, err = g.f.readObjectHeader(l.addr); err != nil {
				return nil, full, err
			}
		case linkSoft:
			if *hops >= maxLinkHops {
				return nil, full, corruptf("too many soft links (cycle?)")
			}
			*hops++
			if oh, _, err = cur.lookup(l.target, hops); err != nil {
				return nil, full, fmt.Errorf("soft link %q -> %q: %w", full, l.target, err)
			}
		case linkExternal:
			return nil, full, unsupportedf("external link %q", full)
		default:
			return nil, full, unsupportedf("user-defined link type %d", l.kind)
		}
		if i == len(comps)-1 {
			return oh, full, nil
		}
		if cur, err = g.f.newGroup(full, oh); err != nil {
			return nil, full, err
		}
	}
	return cur.oh, full, nil // not reached: the loop returns on the last component
}
