package data

import (
	"math"
	"math/rand/v2"
)

// Augmentation describes light random changes to a training image, each
// drawn afresh per image and epoch. The zero value changes nothing.
type Augmentation struct {
	// MaxShift is the largest shift in pixels along each axis; shifts are
	// whole pixels and uncovered pixels repeat the nearest edge pixel.
	MaxShift int
	// MaxRotation is the largest rotation about the image centre, in
	// degrees either way; it is sampled bilinearly, edges repeated.
	MaxRotation float64
	// Brightness is the largest relative change of brightness: values are
	// multiplied by a factor in [1-Brightness, 1+Brightness].
	Brightness float64
}

// DefaultAugmentation is the light augmentation Fit's Augment flag turns
// on: shifts of up to 3 pixels, rotations up to ±10°, brightness ±10%. The
// hand stays recognisable in a 64×64 SIGNS image.
var DefaultAugmentation = Augmentation{MaxShift: 3, MaxRotation: 10, Brightness: 0.1}

// transform is one draw of an Augmentation.
type transform struct {
	dx, dy     float64 // shift in pixels
	cos, sin   float64 // of the rotation angle
	brightness float32 // multiplier
}

// draw samples a transform. The order of draws is fixed (shift x, shift y,
// angle, brightness) so one generator state always gives one transform.
func (a Augmentation) draw(rng *rand.Rand) transform {
	t := transform{cos: 1, brightness: 1}
	if a.MaxShift > 0 {
		t.dx = float64(rng.IntN(2*a.MaxShift+1) - a.MaxShift)
		t.dy = float64(rng.IntN(2*a.MaxShift+1) - a.MaxShift)
	}
	if a.MaxRotation > 0 {
		angle := (2*rng.Float64() - 1) * a.MaxRotation * math.Pi / 180
		t.sin, t.cos = math.Sincos(angle)
	}
	if a.Brightness > 0 {
		t.brightness = float32(1 + (2*rng.Float64()-1)*a.Brightness)
	}
	return t
}

// AugmentRNG is the generator that augments image index in epoch: it
// depends on nothing else, so augmented batches are reproducible and a
// resumed run repeats them.
func AugmentRNG(seed uint64, epoch, index int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^augmentStream, uint64(epoch)<<32|uint64(uint32(index))))
}

// Apply writes into dst a randomly changed copy of the h×w×c image src,
// drawing from rng. Results are clamped to [0, maxValue] unless maxValue
// is 0. dst and src must not overlap.
func (a Augmentation) Apply(dst, src []float32, h, w, c int, maxValue float32, rng *rand.Rand) {
	t := a.draw(rng)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	for y := range h {
		for x := range w {
			// The inverse map: undo the shift, then rotate back about the
			// centre, to find where output pixel (x, y) comes from.
			px, py := float64(x)-t.dx-cx, float64(y)-t.dy-cy
			sx := t.cos*px + t.sin*py + cx
			sy := -t.sin*px + t.cos*py + cy
			sampleBilinear(dst[(y*w+x)*c:(y*w+x+1)*c], src, h, w, c, sx, sy)
		}
	}
	if t.brightness == 1 {
		return
	}
	for i, v := range dst[:h*w*c] {
		v *= t.brightness
		if maxValue > 0 {
			v = min(max(v, 0), maxValue)
		}
		dst[i] = v
	}
}

// sampleBilinear writes the c channels of src at (sx, sy), clamping the
// coordinates into the image so outside points take the edge's value.
func sampleBilinear(dst, src []float32, h, w, c int, sx, sy float64) {
	sx = min(max(sx, 0), float64(w-1))
	sy = min(max(sy, 0), float64(h-1))
	x0, y0 := int(sx), int(sy)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	fx, fy := float32(sx-float64(x0)), float32(sy-float64(y0))
	p00, p01 := src[(y0*w+x0)*c:], src[(y0*w+x1)*c:]
	p10, p11 := src[(y1*w+x0)*c:], src[(y1*w+x1)*c:]
	for ch := range c {
		dst[ch] = lerp(lerp(p00[ch], p01[ch], fx), lerp(p10[ch], p11[ch], fx), fy)
	}
}

// lerp interpolates from a to b; written as a+(b-a)·f so that equal
// neighbours give exactly their value.
func lerp(a, b, f float32) float32 { return a + (b-a)*f }
