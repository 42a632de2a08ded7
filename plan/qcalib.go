package plan

import (
	"context"
	"fmt"
	"strconv"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/quant"
)

// QuantOptions asks Compile for an int8 plan (Options.Quant).
//
// Products (convolutions and dense layers of one group, no dilation) run
// as u8 × s8 on gemm.RunQ: their input quantized to u8 with its tensor's
// calibrated parameters (convolution padding is the zero point), their
// BatchNorm folded into the weights before those are quantized per output
// channel, bias, residual sum and ReLU/ReLU6 applied as the accumulators
// are requantized to the output's u8. A global average pool reads u8.
// Every other layer runs in float32 on dequantized input, as in a float
// plan; Describe lists them.
type QuantOptions struct {
	// Params are the u8 parameters of the plan's tensors, by the names
	// Calibrate gives them (saved in int8 model files).
	Params map[string]quant.Params
	// KeepFirst and KeepLast keep the first product (the stem
	// convolution, on the raw image) and the last (the classifier) in
	// float32.
	KeepFirst, KeepLast bool

	calibrate bool // Calibrate's float plan: int8 lowering, no quantization
}

// MinCalibImages is the fewest calibration images Calibrate accepts.
const MinCalibImages = 8

// Calibrate runs the graph in float32 over the calibration images x
// (N×H×W×C, N ≥ MinCalibImages), twice (the ranges, then histograms), and
// returns the u8 parameters method m picks for every tensor an int8 plan
// may store (pct: Percentile's percentile), for QuantOptions.Params.
func Calibrate(ctx context.Context, g *ops.Graph, x *ops.Tensor, m quant.Method, pct float64, opts Options) (map[string]quant.Params, error) {
	opts.Quant = &QuantOptions{calibrate: true}
	opts.SubBatch = -1
	opts.Logits = false
	p, err := CompileContext(ctx, g, opts)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if x == nil || len(x.Shape) != len(p.in)+1 || !x.Shape[1:].Equal(p.in) || len(x.Data) != x.Shape.Len() {
		return nil, fmt.Errorf("calibration: %w", p.inputErr(x))
	}
	if n := x.Shape[0]; n < MinCalibImages {
		return nil, fmt.Errorf("plan %s: calibration: %d images, want at least %d", p.name, n, MinCalibImages)
	}
	obs := make([]quant.Observer, len(p.values))
	passes := 2
	if m == quant.MinMax {
		passes = 1
	}
	const batch = 32
	per := p.in.Len()
	var ferr error
	for pass := range passes {
		for lo := 0; lo < x.Shape[0]; lo += batch {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			n := min(batch, x.Shape[0]-lo)
			in := &ops.Tensor{Shape: append(ops.Shape{n}, p.in...), Data: x.Data[lo*per : (lo+n)*per]}
			out := ops.NewTensor(append([]int{n}, p.out...)...)
			p.observe(in, out, func(v int, data []float32) {
				if pass == 0 {
					if err := obs[v].ObserveRange(data); err != nil && ferr == nil {
						ferr = fmt.Errorf("plan %s: calibration: tensor %q: %w", p.name, p.values[v].name, err)
					}
				} else {
					obs[v].ObserveHist(data)
				}
			})
			if ferr != nil {
				return nil, ferr
			}
		}
	}
	keys := p.valueKeys()
	params := map[string]quant.Params{}
	for v := range p.values {
		if v == p.output {
			continue
		}
		prm, err := obs[v].Params(m, pct)
		if err == quant.ErrNoData {
			continue // a value no step writes (an alias)
		}
		if err != nil {
			return nil, fmt.Errorf("plan %s: calibration: tensor %q: %w", p.name, keys[v], err)
		}
		params[keys[v]] = prm
	}
	return params, nil
}

// observe runs the plan on x (no chunks: Calibrate compiles without them),
// calling see with the input and then with each step's output.
func (p *Plan) observe(x, out *ops.Tensor, see func(v int, data []float32)) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	batch := x.Shape[0]
	ar := p.arenas.get(p.arenaLen(batch))
	defer p.arenas.put(ar)
	ar.whole, ar.x, ar.y = batch, x.Data, out.Data
	ar.start, ar.batch = 0, batch
	see(p.input, p.slice(ar, p.input))
	for i := range p.steps {
		s := &p.steps[i]
		s.run(p, ar)
		see(s.out, p.slice(ar, s.out))
	}
}

// valueKeys names the plan's values for the parameter table: the node
// whose output each is, with "#k" for the k-th repeat of a name (the links
// of a chain share their layer's name).
func (p *Plan) valueKeys() []string {
	keys := make([]string, len(p.values))
	seen := map[string]int{}
	for v := range p.values {
		name := p.values[v].name
		if k := seen[name]; k > 0 {
			keys[v] = name + "#" + strconv.Itoa(k)
		} else {
			keys[v] = name
		}
		seen[name]++
	}
	return keys
}
