package gemm

import (
	"sync/atomic"

	"github.com/simdnet/simdnet/internal/freelist"
	"github.com/simdnet/simdnet/internal/parallel"
	"github.com/simdnet/simdnet/internal/vec"
)

// Split-K. A product with a huge depth and a small C, such as a
// convolution's weight gradient [Xᵀ; 1]·dY (k = batch × output pixels,
// m×n = patch length × filters), has few tiles to share and makes every
// goroutine of a row or column split go through the whole of the operand
// it does not divide. Params.SplitK cuts the depth into groups instead,
// oneDNN's backward-weights approach: each group is a whole product over
// its slice of the depth, the first written into C (with beta), the others
// into partial sums of their own, which are added onto C at the end, group
// by group in order. The groups depend on the shape alone, never on the
// number of goroutines, and every group computes the same values whoever
// runs it, so the result is the same on any number of cores (though not,
// in its rounding, the same as the unsplit product's).

const (
	// splitKDepth is the least depth of a group: several KC slices, so
	// that each kernel call still amortises its C tile over a deep loop
	// and the partial sums are a small part of a group's work (one value
	// of m×n read and added per splitKDepth multiply-adds).
	splitKDepth = 1024
	// maxSplitK bounds the groups of one product: enough for a few
	// goroutines to share with dynamic balance.
	maxSplitK = 8
	// maxSplitKValues bounds the partial sums of one call (16 MiB).
	maxSplitKValues = 4 << 20
)

// splitKGroups is how many depth groups jb is cut into under
// Params.SplitK, 1 for none: products with an epilogue (bias, residual,
// activation: applied once, after the whole depth) and pre-packed B
// (whose panels are packed by KC slices of the whole depth) are not split,
// and neither are products whose depth is not at least twice the size of
// C's larger side, where a row or column split already has tiles to
// share.
func splitKGroups(jb *job) int {
	if jb.bSrc == bPrepacked || jb.bias != nil || jb.res != nil || jb.relu || jb.kactFlag != 0 || jb.act.Kind != ActNone {
		return 1
	}
	if jb.k < 2*max(jb.m, jb.n) {
		return 1
	}
	g := min(maxSplitK, jb.k/splitKDepth, 1+maxSplitKValues/(jb.m*jb.n))
	return max(1, g)
}

// splitKJob is a split-K product in progress: groups × bands units of
// work, taken as they come, then the reduction, by rows.
type splitKJob struct {
	job
	groups int
	bands  int  // per group, of rows or of columns
	byRows bool // how the groups are cut into bands
	parts  []float32
	next   atomic.Int64
	reduce bool // the Work of the second phase
}

var splitKJobs = freelist.List[*splitKJob]{New: func() *splitKJob { return new(splitKJob) }}

// group returns the job of group g: its slice of the depth, written into
// C for the first group and into its partial sums for the others.
func (sk *splitKJob) group(g int) job {
	sub := sk.job
	k0, k1 := split(sk.k, 16, sk.groups, g)
	sub.kOff, sub.k = sk.kOff+k0, k1-k0
	if g > 0 {
		sub.c, sub.ldc = sk.parts[(g-1)*sk.m*sk.n:g*sk.m*sk.n], sk.n
		sub.beta = 0
	}
	return sub
}

// Work computes units until none is left, or, in the reduction, adds the
// partial sums onto bands of C's rows.
func (sk *splitKJob) Work() {
	if sk.reduce {
		for {
			b := int(sk.next.Add(1) - 1)
			if b >= sk.bands {
				return
			}
			sk.addParts(split(sk.m, 1, sk.bands, b))
		}
	}
	ws := workspaces.Get()
	kern := sk.kern
	for {
		u := int(sk.next.Add(1) - 1)
		if u >= sk.groups*sk.bands {
			break
		}
		sub := sk.group(u / sk.bands)
		b := u % sk.bands
		if sk.byRows {
			if lo, hi := split(sub.m, kern.MR, sk.bands, b); lo < hi {
				sub.run(ws, lo, hi, 0, sub.n)
			}
		} else if lo, hi := split(sub.n, kern.NR, sk.bands, b); lo < hi {
			sub.run(ws, 0, sub.m, lo, hi)
		}
	}
	workspaces.Put(ws)
}

// addParts adds the partial sums of groups 1, 2, … in that order onto
// rows [lo, hi) of C.
func (sk *splitKJob) addParts(lo, hi int) {
	mn := sk.m * sk.n
	for g := 1; g < sk.groups; g++ {
		part := sk.parts[(g-1)*mn:]
		for i := lo; i < hi; i++ {
			vec.Masked(sk.c[i*sk.ldc:i*sk.ldc+sk.n], part[i*sk.n:(i+1)*sk.n], nil, true)
		}
	}
}

// runSplitK runs jb as groups depth groups on t goroutines, the caller's
// among them.
func runSplitK(jb *job, groups, t int) {
	sk := splitKJobs.Get()
	sk.job, sk.groups = *jb, groups
	// Too few groups for the goroutines: cut each into bands of C as well
	// (bands never change a value, so any number of them gives the same
	// result).
	sk.bands = max(1, (2*t+groups-1)/groups)
	if t == 1 {
		sk.bands = 1
	}
	first := sk.group(0)
	sk.byRows = splitByRows(&first, sk.bands)
	if need := (groups - 1) * jb.m * jb.n; cap(sk.parts) < need {
		sk.parts = make([]float32, need)
	} else {
		sk.parts = sk.parts[:need]
	}
	sk.reduce = false
	sk.next.Store(0)
	parallel.Do(sk, min(t, groups*sk.bands)-1)
	// The reduction moves m×n×groups values: a second goroutine pays only
	// when that is large.
	sk.reduce = true
	sk.bands = max(1, min(t, jb.m, groups*jb.m*jb.n/(1<<16)))
	sk.next.Store(0)
	parallel.Do(sk, sk.bands-1)
	sk.job = job{} // drop references to the caller's matrices
	splitKJobs.Put(sk)
}
