//go:build amd64 && gc && !purego

package vec

// activateAVX2 is activateGo; rows, cols ≥ 1, a.Kind is not ActNone.
//
//go:noescape
func activateAVX2(dst, src *float32, ld, rows, cols int, a *Activation)

// activate applies a to rows×cols values, ld apart, of src into dst, after
// asserting both hold them (the callers have checked rows, cols ≥ 1 and that
// the extent fits in an int).
func activate(dst, src []float32, ld, rows, cols int, a *Activation) {
	if !HasAsm {
		activateGo(dst, src, ld, rows, cols, a)
		return
	}
	need((rows-1)*ld+cols, dst, src)
	activateAVX2(&dst[0], &src[0], ld, rows, cols, a)
}
