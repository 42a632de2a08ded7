package dwconv

import "fmt"

// Packed holds depthwise weights and biases in the kernels' layout, made
// once by Pack and read by every call.
//
// For each of the Multiplier weight sets j (output channels c·m+j) and each
// tile of TileChannels channels, the tile's bias vector comes first, then
// one vector per tap in row-major window order (ky·KW + kx); lanes past the
// last channel are zero.
type Packed struct {
	KH, KW     int // window
	Channels   int // input channels
	Multiplier int // depth multiplier: output channels = Channels·Multiplier

	data []float32
}

// Taps is the window's tap count, KH·KW.
func (p *Packed) Taps() int { return p.KH * p.KW }

// setLen is the packed length of one weight set.
func (p *Packed) setLen() int {
	tiles := (p.Channels + TileChannels - 1) / TileChannels
	return tiles * (p.Taps() + 1) * TileChannels
}

// set returns weight set j, the weights of output channels c·m+j.
func (p *Packed) set(j int) []float32 {
	n := p.setLen()
	return p.data[j*n : (j+1)*n]
}

// Pack lays out a depthwise kernel in Keras's DepthwiseConv2D layout,
// (kh, kw, channels, multiplier) row-major, and a bias of channels·
// multiplier values (nil for none), where output channel c·multiplier+j
// reads input channel c. A planner folds BatchNorm into both beforehand.
func Pack(kernel, bias []float32, kh, kw, channels, multiplier int) (*Packed, error) {
	switch {
	case kh < 1 || kw < 1:
		return nil, fmt.Errorf("dwconv: window %d×%d must be positive", kh, kw)
	case channels < 1 || multiplier < 1:
		return nil, fmt.Errorf("dwconv: %d channels and depth multiplier %d must be positive", channels, multiplier)
	case len(kernel) != kh*kw*channels*multiplier:
		return nil, fmt.Errorf("dwconv: kernel has %d values, want %d×%d×%d×%d = %d",
			len(kernel), kh, kw, channels, multiplier, kh*kw*channels*multiplier)
	case bias != nil && len(bias) != channels*multiplier:
		return nil, fmt.Errorf("dwconv: bias has %d values, want %d (channels × multiplier)", len(bias), channels*multiplier)
	}
	p := &Packed{KH: kh, KW: kw, Channels: channels, Multiplier: multiplier}
	taps, m := p.Taps(), multiplier
	p.data = make([]float32, m*p.setLen())
	for j := 0; j < m; j++ {
		set := p.set(j)
		for c := 0; c < channels; c++ {
			tile := set[(c/TileChannels)*(taps+1)*TileChannels:]
			l := c % TileChannels
			if bias != nil {
				tile[l] = bias[c*m+j]
			}
			for k := 0; k < taps; k++ {
				tile[(k+1)*TileChannels+l] = kernel[(k*channels+c)*m+j]
			}
		}
	}
	return p, nil
}
