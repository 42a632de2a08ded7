package gemm

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, as
// BLAS's SGEMM does: op(A) is m×k, op(B) is k×n, C is m×n, and transA/transB
// select op = transpose. It uses the selected kernel and GOMAXPROCS
// goroutines.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	p := Params{
		M: m, N: n, K: k, Alpha: alpha, Beta: beta,
		A: a, LDA: lda, TransA: transA,
		B: b, LDB: ldb, TransB: transB,
		C: c, LDC: ldc,
	}
	Run(&p)
}

// Run performs the multiplication p describes. It panics with a message that
// names the argument when p cannot describe a product.
func Run(p *Params) {
	p.check()
	jb := job{
		m: p.M, n: p.N, k: p.K, alpha: p.Alpha, beta: p.Beta,
		a:     matrixA{data: p.A, ld: p.LDA, trans: p.TransA, alpha: p.Alpha},
		aPack: p.APack,
		b:     p.B, ldb: p.LDB, transB: p.TransB, bp: p.BPacked,
		c: p.C, ldc: p.LDC,
		bias: p.Bias, res: p.Residual, ldr: p.LDR, relu: p.ReLU,
		kern: p.Kernel,
	}
	if jb.m == 0 || jb.n == 0 {
		return
	}
	if jb.k == 0 || jb.alpha == 0 {
		jb.setAct(p.Act, applyClip|applyLeaky)
		jb.noProduct()
		return
	}
	switch {
	case jb.bp != nil:
		// Packed panels only fit the kernel they were packed for.
		jb.kern = &jb.bp.kern
		jb.bSrc = bPrepacked
	case jb.kern == nil:
		jb.kern = selected
	}
	jb.kern.validate()
	jb.setAct(p.Act, jb.kern.acts)
	if jb.bp == nil {
		jb.bSrc = chooseBSource(&jb)
	}
	jb.aSrc = chooseASource(&jb)
	if p.SplitK {
		if g := splitKGroups(&jb); g > 1 {
			// Each group brings its own tiles: count them all.
			runSplitK(&jb, g, threadsFor(p.Threads, g*jb.m, jb.n, jb.k/g, jb.kern))
			return
		}
	}
	if t := threadsFor(p.Threads, jb.m, jb.n, jb.k, jb.kern); t > 1 {
		runParallel(&jb, t)
	} else {
		jb.runSerial()
	}
}

// testBSource lets tests force B in place (bInPlace) or packed
// (bPackPerCall); bAuto leaves the choice to chooseBSource.
var testBSource = bAuto

// chooseBSource reads B in place, not transposed, when A has so few MR-row
// strips that packing B would cost about as much memory traffic as the
// product itself. Each KC-deep panel of B read in place is then streamed
// from L2 by every strip, which is as fast as a packed panel as long as the
// panel's rows, ldb floats apart, spread over enough L2 sets: the wider B's
// rows, the fewer strips may share it. Measured one thread, AVX-512,
// in place vs packed (GFLOPS): 64×128×1152 122 vs 79, 225×64×576 128 vs
// 108, 200×256×1000 118 vs 105, 64×512×1152 103 vs 74; but 128×512×4608
// 62 vs 71 and 128×2048×512 58 vs 61.
func chooseBSource(jb *job) bSource {
	if testBSource != bAuto {
		if jb.transB {
			return bPackPerCall
		}
		return testBSource
	}
	strips := (jb.m + jb.kern.MR - 1) / jb.kern.MR
	inPlace := strips <= 2 ||
		jb.ldb <= 256 && strips <= 24 ||
		jb.ldb <= 512 && strips <= 8
	if !jb.transB && inPlace {
		return bInPlace
	}
	return bPackPerCall
}

// chooseASource picks how the micro-kernel reads A. Row-major layouts (A in
// place, or a row-major block copied with memmove) are as fast for the
// kernels as packed strips and much cheaper to produce than the strided
// scatter of strip packing. A is read in place unless its rows alias in L1
// (a row stride that is a multiple of 512 floats puts the MR rows the kernel
// reads at once in a handful of cache sets) or alpha must be applied.
func chooseASource(jb *job) aSource {
	if testASource == aPackStrips {
		return aPackStrips
	}
	if jb.aPack != nil {
		if rp, ok := jb.aPack.(RowPacker); ok {
			jb.aRows = rp
			return aRowBlock
		}
		return aPackStrips
	}
	if jb.a.trans {
		return aPackStrips // each k step's MR values are already contiguous
	}
	if jb.alpha == 1 && jb.a.ld%512 != 0 && testASource != aRowBlock {
		return aInPlace
	}
	return aRowBlock
}

// testASource lets tests force strips (aPackStrips) or row blocks
// (aRowBlock, where A would be read in place); aAuto leaves the choice to
// chooseASource.
var testASource = aAuto

// setAct routes the activation: a ReLU to the kernels' ReLU flag, one the
// kernel applies in registers (inKernel) to its flag, any other to
// applyAct, which runs on each stored tile.
func (jb *job) setAct(act Activation, inKernel uint) {
	switch f := actFlag(act.Kind); {
	case act.Kind == ActReLU:
		jb.relu = true
	case f&inKernel != 0:
		jb.kact, jb.kactFlag = act, f
	case f != 0:
		jb.act = act
	}
}
