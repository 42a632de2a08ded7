package vec

import (
	"fmt"
	"math"
	"math/bits"
)

// ActKind names an element-wise activation.
type ActKind uint8

// The activations Activate applies, each to one value x:
const (
	ActNone      ActKind = iota // x
	ActReLU                     // max(x, 0)
	ActClip                     // min(max(x, Lo), Hi): ReLU6 is Clip with Lo 0, Hi 6
	ActLeakyReLU                // x, or Alpha·x where x is negative
	ActHardSwish                // x·min(max(x+3, 0), 6)/6
	ActSigmoid                  // 1/(1+exp(-x))
	ActSiLU                     // x·sigmoid(x), also called swish
	actKinds
)

var actNames = [actKinds]string{"none", "relu", "clip", "leaky_relu", "hard_swish", "sigmoid", "silu"}

func (k ActKind) String() string {
	if k < actKinds {
		return actNames[k]
	}
	return fmt.Sprintf("ActKind(%d)", uint8(k))
}

// Activation is an activation kind and its parameters, BLAS-style: Lo and
// Hi bound ActClip, Alpha is ActLeakyReLU's slope below zero; the other
// kinds ignore them. The layout (a byte, then three float32 at offsets 4,
// 8 and 12) is read by the assembly.
type Activation struct {
	Kind   ActKind
	Lo, Hi float32
	Alpha  float32
}

// Check reports an activation that cannot be applied: an unknown kind, or
// clip bounds that are NaN or in the wrong order.
func (a Activation) Check() error {
	switch {
	case a.Kind >= actKinds:
		return fmt.Errorf("unknown activation kind %d", a.Kind)
	case a.Kind == ActClip && !(a.Lo <= a.Hi):
		return fmt.Errorf("clip bounds [%v, %v] are not an interval", a.Lo, a.Hi)
	case a.Kind == ActLeakyReLU && a.Alpha != a.Alpha:
		return fmt.Errorf("leaky_relu alpha is NaN")
	}
	return nil
}

// Activate writes a applied to x[i] into dst[i] for every i < len(x); dst
// may be x itself. It panics when dst is shorter than x or a fails Check.
//
// Sigmoid and SiLU compute exp with a range reduction to |t| ≤ ln2/2 and a
// degree-6 polynomial, a few float32 ulp from the exact value; below
// -87.3, where exp(x) leaves the normal floats, sigmoid is 0. NaN stays
// NaN in every kind. The assembly and the Go twin give the same bits.
func Activate(dst, x []float32, a Activation) {
	if err := a.Check(); err != nil {
		panic("vec: Activate: " + err.Error())
	}
	if len(dst) < len(x) {
		panic(fmt.Sprintf("vec: Activate: len(dst) = %d < len(x) = %d", len(dst), len(x)))
	}
	if len(x) == 0 {
		return
	}
	if a.Kind == ActNone {
		copy(dst, x)
		return
	}
	activate(dst, x, len(x), 1, len(x), &a)
}

// ActivateRows applies a in place to a rows×cols block of m with row stride
// ld: m[r*ld+j] for r < rows, j < cols. It is Activate for rows that gemm
// or a convolution left in a larger matrix (a channel slice, a tile of C).
func ActivateRows(m []float32, ld, rows, cols int, a Activation) {
	if err := a.Check(); err != nil {
		panic("vec: ActivateRows: " + err.Error())
	}
	if rows < 0 || cols < 0 || ld < cols {
		panic(fmt.Sprintf("vec: ActivateRows: %d×%d with ld %d", rows, cols, ld))
	}
	if rows == 0 || cols == 0 || a.Kind == ActNone {
		return
	}
	// (rows-1)·ld + cols without overflow and without a division: this
	// runs once per tile of a matrix product.
	hi, lo := bits.Mul64(uint64(rows-1), uint64(ld))
	if hi != 0 || lo > uint64(math.MaxInt-cols) || len(m) < int(lo)+cols {
		panic(fmt.Sprintf("vec: ActivateRows: len = %d too short for %d×%d with ld %d", len(m), rows, cols, ld))
	}
	activate(m, m, ld, rows, cols, &a)
}

// Apply is a applied to one value: the Go twin of the assembly, element by
// element.
func (a *Activation) Apply(x float32) float32 {
	switch a.Kind {
	case ActReLU:
		return maxps(0, x)
	case ActClip:
		return minps(a.Hi, maxps(a.Lo, x))
	case ActLeakyReLU:
		if math.Signbit(float64(x)) {
			return a.Alpha * x
		}
		return x
	case ActHardSwish:
		t := minps(6, maxps(0, x+3))
		return float32(x*t) * sixth
	case ActSigmoid:
		return sigmoid(x)
	case ActSiLU:
		return x * sigmoid(x)
	}
	return x
}

// maxps and minps are MAXPS and MINPS with the constant first: c unless
// c > v (c < v), so v when either is NaN or both are zeros.
func maxps(c, v float32) float32 {
	if c > v {
		return c
	}
	return v
}

func minps(c, v float32) float32 {
	if c < v {
		return c
	}
	return v
}

// Constants of sigmoid, shared with the assembly (activate_amd64.s).
const (
	sixth   = float32(1.0 / 6)
	log2e   = float32(1.4426950408889634)
	ln2Hi   = float32(0.693145751953125) // 15 significant bits: n·ln2Hi is exact for |n| ≤ 2^9
	ln2Lo   = float32(1.428606765330187e-06)
	expCut  = float32(-87.33654) // ln of the smallest normal float32
	expC2   = float32(1.0 / 2)
	expC3   = float32(1.0 / 6)
	expC4   = float32(1.0 / 24)
	expC5   = float32(1.0 / 120)
	expC6   = float32(1.0 / 720)
	expBias = 127
)

// sigmoid computes 1/(1+e^-|x|) from e = exp(-|x|), which never overflows:
// f = e/(1+e) is sigmoid(-|x|), and sigmoid(x) is f for negative x and
// 1-f otherwise. exp(z), z ≤ 0, is 2^n·e^t with n = round(z·log2e) and
// t = z - n·ln2 in two steps (Cody and Waite), |t| ≤ ln2/2, and e^t the
// Taylor polynomial of degree 6 (its remainder is about 1.2e-7 of e^t).
// Every product is rounded to float32 by itself (no fused multiply-add),
// as the assembly computes it.
func sigmoid(x float32) float32 {
	z := math.Float32frombits(math.Float32bits(x) | 1<<31) // -|x|
	var f float32
	if !(z < expCut) {
		n := float32(math.RoundToEven(float64(float32(z * log2e))))
		t := z - float32(n*ln2Hi)
		t -= float32(n * ln2Lo)
		p := float32(expC6*t) + expC5
		p = float32(p*t) + expC4
		p = float32(p*t) + expC3
		p = float32(p*t) + expC2
		p = float32(p*t) + 1
		p = float32(p*t) + 1
		s := math.Float32frombits(uint32(int32(n)+expBias) << 23)
		e := p * s
		f = e / (e + 1)
	}
	if math.Signbit(float64(x)) {
		return f
	}
	return 1 - f
}

// activateGo is the twin of activateAVX2: a applied to rows×cols values of
// src with row stride ld, written to dst with the same stride. The kind is
// switched on once per row, the loops calling the same element functions
// as Apply.
func activateGo(dst, src []float32, ld, rows, cols int, a *Activation) {
	for r := 0; r < rows; r++ {
		s, d := src[r*ld:r*ld+cols], dst[r*ld:r*ld+cols]
		switch a.Kind {
		case ActReLU:
			for j, v := range s {
				d[j] = maxps(0, v)
			}
		case ActClip:
			lo, hi := a.Lo, a.Hi
			for j, v := range s {
				d[j] = minps(hi, maxps(lo, v))
			}
		case ActSigmoid:
			for j, v := range s {
				d[j] = sigmoid(v)
			}
		default:
			for j, v := range s {
				d[j] = a.Apply(v)
			}
		}
	}
}
