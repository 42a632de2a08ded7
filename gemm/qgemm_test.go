package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// qCase is one int8 product with its raw operands, for the plain reference.
type qCase struct {
	m, n, k int
	a       []uint8 // m×k, leading dimension lda
	lda     int
	b       []int8 // k×n, leading dimension n
	p       QParams
}

// qRef is the plain integer reference of qgemm.go's formula, on the raw
// (unpacked) operands: what every kernel, layout and split must match bit
// for bit. The outputs are written where p's would be, so that guard bands
// can be compared.
func qRef(c *qCase) (u8 []uint8, f32 []float32, s32 []int32) {
	p := &c.p
	if p.C != nil {
		u8 = append([]uint8(nil), p.C...)
	}
	if p.CF != nil {
		f32 = append([]float32(nil), p.CF...)
	}
	if p.C32 != nil {
		s32 = append([]int32(nil), p.C32...)
	}
	for i := 0; i < c.m; i++ {
		for j := 0; j < c.n; j++ {
			var acc int64
			for q := 0; q < c.k; q++ {
				acc += (int64(c.a[i*c.lda+q]) - int64(p.AZero)) * int64(c.b[q*c.n+j])
			}
			if p.Bias != nil {
				acc += int64(p.Bias[j])
			}
			if acc != int64(int32(acc)) {
				panic("qRef: a test case overflows int32")
			}
			if s32 != nil {
				s32[i*p.LDC+j] = int32(acc)
				continue
			}
			v := float32(acc) * p.Scale[j]
			if p.Residual != nil {
				r := float32(int32(p.Residual[i*p.LDR+j]) - p.RZero)
				v += float32(r * p.RScale)
			}
			if f32 != nil {
				f32[i*p.LDC+j] = v
				continue
			}
			r := math.RoundToEven(float64(v)) + float64(p.OutZero)
			u8[i*p.LDC+j] = uint8(math.Min(math.Max(r, float64(p.Lo)), float64(p.Hi)))
		}
	}
	return u8, f32, s32
}

// qGuard fills output padding, so that a write outside the m×n matrix shows.
const (
	qGuardU8  = 0xA5
	qGuardF32 = -7.25e30
	qGuardS32 = -0x5A5A5A5A
)

type qOut int

const (
	outU8 qOut = iota
	outF32
	outS32
)

func (o qOut) String() string { return [...]string{"u8", "f32", "s32"}[o] }

// newQCase makes a random case for kern: operands with padding beside each
// row (lda > k, ldc > n), outputs prefilled with guard values, and, for
// u8 and f32 outputs, bias, per-column scales and (sometimes) a residual.
func newQCase(rng *rand.Rand, kern QKernel, m, n, k int, out qOut) *qCase {
	c := &qCase{m: m, n: n, k: k, lda: k + 3}
	c.a = make([]uint8, max(0, (m-1)*c.lda+k))
	for i := range c.a {
		c.a[i] = uint8(rng.IntN(256))
	}
	c.b = make([]int8, k*n)
	for i := range c.b {
		c.b[i] = int8(rng.IntN(256) - 128)
	}
	p := &c.p
	p.M, p.N, p.K = m, n, k
	p.A, p.LDA = c.a, c.lda
	p.AZero = int32(rng.IntN(256))
	p.B = PackS8For(kern, k, n, c.b, n)
	p.LDC = n + 5
	size := m*p.LDC + 2 // trailing guard past the last row too
	if rng.IntN(2) == 0 {
		p.Bias = make([]int32, n)
		for j := range p.Bias {
			p.Bias[j] = int32(rng.IntN(1<<20) - 1<<19)
		}
	}
	switch out {
	case outS32:
		p.C32 = make([]int32, size)
		for i := range p.C32 {
			p.C32[i] = qGuardS32
		}
		return c
	case outF32:
		p.CF = make([]float32, size)
		for i := range p.CF {
			p.CF[i] = qGuardF32
		}
	case outU8:
		p.C = make([]uint8, size)
		for i := range p.C {
			p.C[i] = qGuardU8
		}
		p.OutZero = int32(rng.IntN(256))
		p.Lo, p.Hi = 0, 255
		if rng.IntN(2) == 0 {
			p.Lo = uint8(p.OutZero) // ReLU
			p.Hi = uint8(max(int(p.OutZero), rng.IntN(256)))
		}
	}
	// Scales that bring the sums (of order 128·128·√k) to a few hundred,
	// so that the u8 output spans its range and clamps at both ends.
	p.Scale = make([]float32, n)
	for j := range p.Scale {
		p.Scale[j] = float32((0.5 + rng.Float64()) * 300 / (16384 * math.Sqrt(float64(max(k, 1)))))
	}
	if rng.IntN(2) == 0 {
		p.LDR = n + 1
		p.Residual = make([]uint8, max(0, (m-1)*p.LDR+n))
		for i := range p.Residual {
			p.Residual[i] = uint8(rng.IntN(256))
		}
		p.RZero = int32(rng.IntN(256))
		p.RScale = float32(0.25 + rng.Float64())
	}
	return c
}

// checkQ runs the case and compares every byte of the output, guard bands
// included, with the reference.
func checkQ(t *testing.T, what string, c *qCase) {
	t.Helper()
	wantU8, wantF32, wantS32 := qRef(c)
	RunQ(&c.p)
	p := &c.p
	for idx := range max(len(p.C), len(p.CF), len(p.C32)) {
		i, j := idx/p.LDC, idx%p.LDC
		switch {
		case p.C != nil && p.C[idx] != wantU8[idx]:
			t.Fatalf("%s: c[%d][%d] = %d, want %d", what, i, j, p.C[idx], wantU8[idx])
		case p.CF != nil && math.Float32bits(p.CF[idx]) != math.Float32bits(wantF32[idx]):
			t.Fatalf("%s: cf[%d][%d] = %v, want %v", what, i, j, p.CF[idx], wantF32[idx])
		case p.C32 != nil && p.C32[idx] != wantS32[idx]:
			t.Fatalf("%s: c32[%d][%d] = %d, want %d", what, i, j, p.C32[idx], wantS32[idx])
		}
	}
}

// qShapes are sizes around every tile edge of kern, and k around its
// group size.
func qShapes(kern QKernel) (ms, ns, ks []int) {
	mr, nr := kern.MR, kern.NR
	ms = []int{1, mr - 1, mr, mr + 1, 2*mr + 3}
	ns = []int{1, nr - 1, nr, nr + 1, 2*nr + 5}
	ks = []int{0, 1, 2, 3, 4, 5, 7, 64, 67}
	return
}

// withEachQEpilogue runs f under every int8 epilogue this CPU has (Go,
// AVX2, AVX-512), restoring the selected one after.
func withEachQEpilogue(t *testing.T, f func(t *testing.T)) {
	saved := qEpilogue
	defer func() { qEpilogue = saved }()
	for _, e := range qEpilogues() {
		qEpilogue = e
		t.Run(fmt.Sprintf("epilogue%d", e), f)
	}
}

func TestRunQEveryKernelMatchesReference(t *testing.T) {
	withEachQEpilogue(t, testRunQEveryKernel)
}

func testRunQEveryKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kern := range QKernels() {
		ms, ns, ks := qShapes(kern)
		for _, out := range []qOut{outU8, outF32, outS32} {
			for _, m := range ms {
				for _, n := range ns {
					for _, k := range ks {
						if m < 1 || n < 1 {
							continue
						}
						what := fmt.Sprintf("%s %v %dx%dx%d", kern.Name, out, m, n, k)
						checkQ(t, what, newQCase(rng, kern, m, n, k, out))
					}
				}
			}
		}
	}
}

// Many blocks of rows and columns, split among different thread counts:
// every split gives the reference's bits.
func TestRunQThreadsAndBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kern := range QKernels() {
		kern.MC = 2 * kern.MR // many row blocks
		for _, threads := range []int{1, 2, 3, 8} {
			for _, shape := range [][3]int{{5*kern.MR + 1, 3*kern.NR + 2, 129}, {300, 70, 600}, {1, 1000, 300}} {
				c := newQCase(rng, kern, shape[0], shape[1], shape[2], qOut(rng.IntN(3)))
				c.p.Threads = threads
				checkQ(t, fmt.Sprintf("%s threads=%d %v", kern.Name, threads, shape), c)
			}
		}
	}
}

// The extremes of u8 × s8, summed over K up to 5000, stay exact: all-255
// activations against all-127 and all-−128 weights, with zero points at
// both ends. These are the sums where a 16-bit intermediate would saturate.
func TestRunQSaturationEdges(t *testing.T) {
	ks := []int{1, 2, 3, 4, 5, 31, 1000, 4999, 5000}
	if testing.Short() {
		ks = []int{1, 5, 1000, 5000}
	}
	for _, kern := range QKernels() {
		for _, w := range []int8{127, -128} {
			for _, aZero := range []int32{0, 255} {
				for _, k := range ks {
					m, n := kern.MR+1, kern.NR+1
					c := &qCase{m: m, n: n, k: k, lda: k}
					c.a = make([]uint8, m*k)
					for i := range c.a {
						c.a[i] = 255
					}
					c.b = make([]int8, k*n)
					for i := range c.b {
						c.b[i] = w
					}
					c.p = QParams{M: m, N: n, K: k, A: c.a, LDA: k, AZero: aZero,
						B: PackS8For(kern, k, n, c.b, n), C32: make([]int32, m*n), LDC: n}
					checkQ(t, fmt.Sprintf("%s w=%d zero=%d k=%d", kern.Name, w, aZero, k), c)
					if want := (255 - aZero) * int32(w) * int32(k); c.p.C32[0] != want {
						t.Fatalf("%s w=%d zero=%d k=%d: c32[0] = %d, want %d", kern.Name, w, aZero, k, c.p.C32[0], want)
					}
				}
			}
		}
	}
}

// Each kernel against its Go twin on the same packed strip and panel,
// random and extreme bytes, at depths around the group size and unrolling.
func TestQKernelsMatchGoTwin(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, kern := range QKernels() {
		for _, groups := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 100, 1250} {
			for _, fill := range []string{"random", "max", "min"} {
				a := make([]uint8, kern.stripBytes(groups)+64)
				b := make([]int8, kern.panelBytes(groups)+64)
				for i := range a {
					a[i] = uint8(rng.IntN(256))
					if fill != "random" {
						a[i] = 255
					}
				}
				if kern.AWidth == 2 { // the high byte of each 16-bit value is zero
					for i := 1; i < len(a); i += 2 {
						a[i] = 0
					}
				}
				for i := range b {
					switch fill {
					case "random":
						b[i] = int8(rng.IntN(256) - 128)
					case "max":
						b[i] = 127
					case "min":
						b[i] = -128
					}
				}
				got := make([]int32, kern.MR*kern.NR+16)
				want := make([]int32, kern.MR*kern.NR)
				for i := range got {
					got[i] = qGuardS32
				}
				rs, ks := kern.stripStrides()
				kern.fn(groups, a[:kern.stripBytes(groups)], rs, ks, b[:kern.panelBytes(groups)], got[:kern.MR*kern.NR])
				qkernelGo(&kern, groups, a, rs, ks, b, want)
				for i, w := range want {
					if got[i] != w {
						t.Fatalf("%s groups=%d %s: c[%d][%d] = %d, want %d", kern.Name, groups, fill, i/kern.NR, i%kern.NR, got[i], w)
					}
				}
				for i := len(want); i < len(got); i++ {
					if got[i] != qGuardS32 {
						t.Fatalf("%s groups=%d: wrote past the tile at %d", kern.Name, groups, i)
					}
				}
				if !kern.inPlace {
					continue
				}
				// MR rows of a row-major matrix, read in place.
				lda := groups*kern.KGroup + 5
				rows := make([]uint8, (kern.MR-1)*lda+groups*kern.KGroup)
				for i := range rows {
					rows[i] = uint8(rng.IntN(256))
				}
				kern.fn(groups, rows, lda, kern.KGroup, b[:kern.panelBytes(groups)], got[:kern.MR*kern.NR])
				qkernelGo(&kern, groups, rows, lda, kern.KGroup, b, want)
				for i, w := range want {
					if got[i] != w {
						t.Fatalf("%s in place groups=%d: c[%d][%d] = %d, want %d", kern.Name, groups, i/kern.NR, i%kern.NR, got[i], w)
					}
				}
			}
		}
	}
}

func TestPackS8Layout(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kern := range QKernels() {
		k, n, ldb := 13, kern.NR+3, kern.NR+7
		b := make([]int8, (k-1)*ldb+n)
		for i := range b {
			b[i] = int8(rng.IntN(256) - 128)
		}
		pb := PackS8For(kern, k, n, b, ldb)
		for j := 0; j < n; j++ {
			var sum int32
			for p := 0; p < k; p++ {
				if got := pb.At(p, j); got != b[p*ldb+j] {
					t.Fatalf("%s: At(%d, %d) = %d, want %d", kern.Name, p, j, got, b[p*ldb+j])
				}
				sum += int32(b[p*ldb+j])
			}
			if pb.ColSums()[j] != sum {
				t.Fatalf("%s: column sum %d = %d, want %d", kern.Name, j, pb.ColSums()[j], sum)
			}
		}
		// The padding is zero, so kernels may sum over whole groups and panels.
		var nonzero int
		for _, v := range pb.data {
			if v != 0 {
				nonzero++
			}
		}
		var want int
		for p := 0; p < k; p++ {
			for j := 0; j < n; j++ {
				if b[p*ldb+j] != 0 {
					want++
				}
			}
		}
		if nonzero != want {
			t.Fatalf("%s: %d nonzero packed bytes, want %d (padding must be zero)", kern.Name, nonzero, want)
		}
	}
}

// The vector epilogues against the Go ones, on rows of every length up to
// a few vectors, with and without bias and residual, at clamps and with
// values far past the u8 range.
func TestQEpilogueRows(t *testing.T) { withEachQEpilogue(t, testQEpilogueRows) }

func testQEpilogueRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for n := 1; n <= 70; n++ {
		for trial := 0; trial < 8; trial++ {
			e := qRowEpilogue{colSum: make([]int32, n), scale: make([]float32, n),
				aZero: int32(rng.IntN(256)), outZero: int32(rng.IntN(256)), lo: 0, hi: 255}
			if trial&1 != 0 {
				e.bias = make([]int32, n)
			}
			if trial&2 != 0 {
				e.res = make([]uint8, n)
				e.rZero, e.rScale = int32(rng.IntN(256)), float32(rng.Float64()*2)
			}
			if trial&4 != 0 {
				e.lo = uint8(e.outZero)
				e.hi = uint8(max(int(e.lo), rng.IntN(256)))
			}
			acc := make([]int32, n)
			for c := range acc {
				acc[c] = int32(rng.IntN(1<<24) - 1<<23)
				e.colSum[c] = int32(rng.IntN(1<<14) - 1<<13)
				e.scale[c] = float32(rng.Float64() * 1e-4)
				if c%7 == 3 {
					e.scale[c] = 1e30 // far past the range: the clamp must hold
				}
				if e.bias != nil {
					e.bias[c] = int32(rng.IntN(1<<20) - 1<<19)
				}
				if e.res != nil {
					e.res[c] = uint8(rng.IntN(256))
				}
			}
			gotU8 := append(make([]uint8, n), qGuardU8)
			wantU8 := make([]uint8, n)
			qRequantRow(&e, acc, gotU8[:n])
			qRequantRowGo(&e, acc, wantU8)
			for c := range wantU8 {
				if gotU8[c] != wantU8[c] {
					t.Fatalf("n=%d trial=%d: u8[%d] = %d, want %d", n, trial, c, gotU8[c], wantU8[c])
				}
			}
			if gotU8[n] != qGuardU8 {
				t.Fatalf("n=%d: the u8 epilogue wrote past the row", n)
			}
			gotF := append(make([]float32, n), qGuardF32)
			wantF := make([]float32, n)
			qDequantRow(&e, acc, gotF[:n])
			qDequantRowGo(&e, acc, wantF)
			for c := range wantF {
				if math.Float32bits(gotF[c]) != math.Float32bits(wantF[c]) {
					t.Fatalf("n=%d trial=%d: f32[%d] = %v, want %v", n, trial, c, gotF[c], wantF[c])
				}
			}
			if gotF[n] != qGuardF32 {
				t.Fatalf("n=%d: the float epilogue wrote past the row", n)
			}
		}
	}
}
