//go:build amd64 && gc && !purego

package vec

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestActivateAgainstTwin runs the assembly against activateGo on the same
// inputs, bit for bit, for every kind, every row length 1..70 and long
// ones (every tail), several rows with a stride wider than the row, both
// out of place and in place, inside guard bands.
func TestActivateAgainstTwin(t *testing.T) {
	skipNoAsm(t)
	r := rand.New(rand.NewPCG(35, 36))
	pool := activationInputs(r, 1<<16)
	gen := func() float32 { return pool[r.IntN(len(pool))] }
	var cols []int
	for c := 1; c <= 70; c++ {
		cols = append(cols, c)
	}
	cols = append(cols, 1000, 4099)
	for _, a := range testActivations()[1:] {
		for _, c := range cols {
			for _, rows := range []int{1, 3} {
				ld := c + rows%3*5
				n := (rows-1)*ld + c
				tw := newTwins(r, []int{n, n}, []func() float32{gen, gen})
				x, y := tw.args(true), tw.args(false)
				activateAVX2(ptr0(x[0]), ptr0(x[1]), ld, rows, c, &a)
				activateGo(y[0], y[1], ld, rows, c, &a)
				tw.check(t, a.Kind.String())
				tw = newTwins(r, []int{n}, []func() float32{gen})
				x, y = tw.args(true), tw.args(false)
				activateAVX2(ptr0(x[0]), ptr0(x[0]), ld, rows, c, &a)
				activateGo(y[0], y[0], ld, rows, c, &a)
				tw.check(t, a.Kind.String()+" in place")
			}
		}
	}
}

// TestActivationLayout pins the field offsets the assembly reads (and the
// gemm kernels, which take the same struct).
func TestActivationLayout(t *testing.T) {
	var a Activation
	if o := [4]uintptr{unsafe.Offsetof(a.Kind), unsafe.Offsetof(a.Lo), unsafe.Offsetof(a.Hi), unsafe.Offsetof(a.Alpha)}; o != [4]uintptr{0, 4, 8, 12} {
		t.Fatalf("Activation field offsets %v, the assembly reads 0, 4, 8, 12", o)
	}
}
