package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// mustPanic runs call and fails unless it panics with a message holding want.
func mustPanic(t *testing.T, what, want string, call func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), want) {
			t.Errorf("%s: recovered %v, want a panic naming %q", what, r, want)
		}
	}()
	call()
}

// TestAbsurdLeadingDimensions: a leading dimension so large that
// (rows-1)·ld + cols overflows must panic naming it, not wrap to a small
// extent that the slices pass and the kernels then overrun.
func TestAbsurdLeadingDimensions(t *testing.T) {
	huge := math.MaxInt/2 + 1 // 2·huge wraps to math.MinInt
	a, b, c := make([]float32, 64), make([]float32, 64), make([]float32, 64)
	mustPanic(t, "lda", "lda", func() { Sgemm(false, false, 3, 3, 4, 1, a, huge, b, 3, 0, c, 3) })
	mustPanic(t, "ldb", "ldb", func() { Sgemm(false, false, 3, 3, 3, 1, a, 3, b, huge, 0, c, 3) })
	mustPanic(t, "ldc", "ldc", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c, huge) })
	mustPanic(t, "transposed lda", "lda", func() { Sgemm(true, false, 3, 3, 3, 1, a, huge, b, 3, 0, c, 3) })
	mustPanic(t, "ldr", "ldr", func() {
		Run(&Params{M: 3, N: 3, K: 4, Alpha: 1, A: a, LDA: 4, B: b, LDB: 3, C: c, LDC: 3, Residual: c, LDR: huge})
	})
	mustPanic(t, "PackB ldb", "ldb", func() { PackB(nil, false, 3, 3, b, huge) })
	mustPanic(t, "MaxInt ld", "ldc", func() { Sgemm(false, false, 2, 3, 4, 1, a, 4, b, 3, 0, c, math.MaxInt) })
}

// TestPackBRowsChecksBounds: the B packer's wrapper panics on slices shorter
// than the assembly would use, and on extents that overflow.
func TestPackBRowsChecksBounds(t *testing.T) {
	const rows, panels, nr = 5, 3, 16
	ldb := panels*nr + 3
	src := make([]float32, (rows-1)*ldb+panels*nr)
	dst := make([]float32, panels*rows*nr)
	packBRows(dst, src, rows, ldb, panels, nr, rows*nr) // exactly long enough
	mustPanic(t, "short dst", "packBRows", func() { packBRows(dst[:len(dst)-1], src, rows, ldb, panels, nr, rows*nr) })
	mustPanic(t, "short src", "packBRows", func() { packBRows(dst, src[:len(src)-1], rows, ldb, panels, nr, rows*nr) })
	mustPanic(t, "huge ldb", "packBRows", func() { packBRows(dst, src, rows, math.MaxInt/2, panels, nr, rows*nr) })
	mustPanic(t, "huge stride", "packBRows", func() { packBRows(dst, src, rows, ldb, panels, nr, math.MaxInt/2) })
}

// TestMicroKernelsCheckBounds: every kernel, called directly with one slice
// a value too short, panics in its wrapper instead of overrunning.
func TestMicroKernelsCheckBounds(t *testing.T) {
	for _, kern := range Kernels() {
		fns := map[string]microKernel{kern.Name: kern.fn}
		if kern.edge4 != nil {
			fns[kern.Name+"/edge4"] = kern.edge4
		}
		for name, fn := range fns {
			mr, nr, k := kern.MR, kern.NR, 9
			if strings.HasSuffix(name, "edge4") {
				mr = 4
			}
			a := make([]float32, mr*k)
			b := make([]float32, k*nr)
			c := make([]float32, mr*nr)
			res := make([]float32, mr*nr)
			bias := make([]float32, nr)
			all := uint(accumulate | addBias | applyReLU | addResidual)
			fn(k, a, 1, mr, b, nr, c, nr, res, nr, bias, all, b, nil) // exactly long enough
			if kern.ISA == "generic" {
				continue // plain Go: bounds-checked by the language
			}
			mustPanic(t, name+" a", "too short", func() { fn(k, a[:len(a)-1], 1, mr, b, nr, c, nr, res, nr, bias, all, b, nil) })
			mustPanic(t, name+" b", "too short", func() { fn(k, a, 1, mr, b[:len(b)-1], nr, c, nr, res, nr, bias, all, b, nil) })
			mustPanic(t, name+" c", "too short", func() { fn(k, a, 1, mr, b, nr, c[:len(c)-1], nr, res, nr, bias, all, b, nil) })
			mustPanic(t, name+" res", "too short", func() { fn(k, a, 1, mr, b, nr, c, nr, res[:len(res)-1], nr, bias, all, b, nil) })
			mustPanic(t, name+" bias", "too short", func() { fn(k, a, 1, mr, b, nr, c, nr, res, nr, bias[:nr-1], all, b, nil) })
		}
	}
}

// TestNoBWorkspaceWithoutPacking: a product with pre-packed B, or with B
// read in place, leaves the worker's B packing buffer empty (or one panel),
// where it used to take the whole KC×NC block.
func TestNoBWorkspaceWithoutPacking(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, kern := range Kernels() {
		for _, mode := range []string{"prepacked", "in place"} {
			for workspaces.Len() > 0 {
				workspaces.Get() // start from fresh workspaces
			}
			m, n, k := 40, 100, 300
			if mode == "in place" {
				m = kern.MR // few strips: chooseBSource reads B in place
			}
			p := newCase(rng, m, n, k, false, false, 0, 1, 0)
			p.Kernel, p.Threads = &kern, 1
			if mode == "prepacked" {
				p.BPacked = PackB(&kern, false, k, n, p.B, p.LDB)
			}
			want := refGemm(p, matrixElem(p.A, p.LDA, false))
			fill(p.C, 7)
			Run(p)
			checkC(t, kern.Name+"/"+mode, p, want, 7)
			ws := workspaces.Get()
			limit := 0
			if mode == "in place" {
				limit = kern.KC * kern.NR
			}
			if cap(ws.b) > limit {
				t.Errorf("%s, B %s: the workspace holds %d values of B packing space, want at most %d (a KC×NC block is %d)",
					kern.Name, mode, cap(ws.b), limit, kern.KC*kern.NC)
			}
			workspaces.Put(ws)
		}
	}
}
