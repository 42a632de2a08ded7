package dwconv

import "unsafe"

// genericKernel is the portable kernel: plain Go, any CPU, any build, and
// the twin the assembly kernels are tested against.
func genericKernel() Kernel {
	return Kernel{Name: "dwconvGo", ISA: "generic"}
}

// rowGo is rowKernel's loop for any tap count, a tile of 16 channels at a
// time in a local accumulator array the compiler keeps on the stack.
func rowGo(out []float32, outStride int, in []*float32, step, width, channels int, w []float32, lo, hi float32) {
	taps := len(in)
	if width < 1 || channels < 1 {
		return
	}
	// Each tap is read from its pointer over width pixels step apart.
	span := (width-1)*step + channels
	src := make([][]float32, 0, 49)
	for _, p := range in {
		src = append(src, unsafe.Slice(p, span))
	}
	tileLen := (taps + 1) * TileChannels
	for x := 0; x < width; x++ {
		o := out[x*outStride : x*outStride+channels]
		for c0 := 0; c0 < channels; c0 += TileChannels {
			n := min(TileChannels, channels-c0)
			tw := w[(c0/TileChannels)*tileLen:][:tileLen]
			var acc [TileChannels]float32
			copy(acc[:n], tw[:n])
			for k, s := range src {
				v := s[x*step+c0:][:n]
				wk := tw[(k+1)*TileChannels:][:n]
				for l := range v {
					acc[l] += v[l] * wk[l]
				}
			}
			for l := 0; l < n; l++ {
				o[c0+l] = min(max(acc[l], lo), hi)
			}
		}
	}
}
