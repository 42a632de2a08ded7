package isa

import "testing"

type kernel struct{ name, isa string }

func isaOf(k *kernel) string { return k.isa }

func TestPick(t *testing.T) {
	ks := []kernel{{"generic 4x4", "generic"}, {"avx2 6x16", "avx2"}, {"avx512 12x32", "avx512"}}
	cases := []struct{ want, got string }{
		{"", "avx512"}, {"generic", "generic"}, {" AVX2 ", "avx2"}, {"avx512", "avx512"}, {"neon", "avx512"},
	}
	for _, c := range cases {
		if k := Pick(ks, isaOf, c.want, "SIMDNET_TEST"); k.isa != c.got {
			t.Errorf("Pick(%q) = %s, want %s", c.want, k.isa, c.got)
		}
	}
	if k := Find(ks, isaOf, "neon"); k != nil {
		t.Errorf("Find(neon) = %v, want nil", k)
	}
	if k := Find(ks, isaOf, "avx2"); k != &ks[1] {
		t.Errorf("Find(avx2) = %v, want the slice's own element", k)
	}
}
