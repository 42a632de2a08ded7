package gemm

import "math"

// qFinishTileGo is qFinishTile row by row in Go.
func qFinishTileGo(p *QParams, tile []int32, ldt, i, rows, j, cols int) {
	for r := 0; r < rows; r++ {
		qFinishRow(p, tile[r*ldt:r*ldt+cols], i+r, j)
	}
}

// qFinishRow applies the epilogue of QParams (the file comment of qgemm.go)
// to acc, the raw sums Σ A·B of row i, columns j..j+len(acc)-1, and stores
// the result in the output p names. The assembly builds have a vector
// version of the u8 and float32 cases (qepilogue_amd64.go), tested against
// this one.
func qFinishRow(p *QParams, acc []int32, i, j int) {
	n := len(acc)
	colSum := p.B.colSum[j : j+n]
	var bias []int32
	if p.Bias != nil {
		bias = p.Bias[j : j+n]
	}
	if p.C32 != nil {
		out := p.C32[i*p.LDC+j : i*p.LDC+j+n]
		for c, s := range acc {
			s -= p.AZero * colSum[c]
			if bias != nil {
				s += bias[c]
			}
			out[c] = s
		}
		return
	}
	e := qRowEpilogue{
		colSum: colSum, bias: bias, scale: p.Scale[j : j+n],
		aZero: p.AZero, rZero: p.RZero, rScale: p.RScale,
		outZero: p.OutZero, lo: p.Lo, hi: p.Hi,
	}
	if p.Residual != nil {
		e.res = p.Residual[i*p.LDR+j : i*p.LDR+j+n]
	}
	if p.CF != nil {
		qDequantRow(&e, acc, p.CF[i*p.LDC+j:i*p.LDC+j+n])
		return
	}
	qRequantRow(&e, acc, p.C[i*p.LDC+j:i*p.LDC+j+n])
}

// qRowEpilogue holds one row's epilogue operands, each sliced to the row's
// columns (bias and res may be nil).
type qRowEpilogue struct {
	colSum []int32
	bias   []int32
	scale  []float32
	res    []uint8

	aZero, rZero int32
	rScale       float32
	outZero      int32
	lo, hi       uint8
}

// qDequantRowGo is the float32 epilogue, in the operations of qgemm.go's
// formula: correct the zero point, add the bias, scale (one rounding), add
// the scaled residual (rounded before the add).
func qDequantRowGo(e *qRowEpilogue, acc []int32, out []float32) {
	out = out[:len(acc)]
	for c, s := range acc {
		s -= e.aZero * e.colSum[c]
		if e.bias != nil {
			s += e.bias[c]
		}
		v := float32(s) * e.scale[c]
		if e.res != nil {
			v += float32(float32(int32(e.res[c])-e.rZero) * e.rScale)
		}
		out[c] = v
	}
}

// qRequantRowGo is the u8 epilogue: qDequantRowGo's value rounded to the
// nearest integer (ties to even), offset by the output's zero point and
// clamped to [lo, hi].
func qRequantRowGo(e *qRowEpilogue, acc []int32, out []uint8) {
	out = out[:len(acc)]
	for c, s := range acc {
		s -= e.aZero * e.colSum[c]
		if e.bias != nil {
			s += e.bias[c]
		}
		v := float32(s) * e.scale[c]
		if e.res != nil {
			v += float32(float32(int32(e.res[c])-e.rZero) * e.rScale)
		}
		out[c] = requantize(v, e.outZero, e.lo, e.hi)
	}
}

// requantize rounds v to the nearest integer (ties to even, as the vector
// conversion instructions do), adds the zero point and clamps to [lo, hi].
func requantize(v float32, zero int32, lo, hi uint8) uint8 {
	r := math.RoundToEven(float64(v)) + float64(zero)
	return uint8(min(max(r, float64(lo)), float64(hi)))
}
