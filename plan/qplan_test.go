package plan_test

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet/mobilenet"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
	"github.com/simdnet/simdnet/quant"
	"github.com/simdnet/simdnet/resnet"
)

// quantCompare calibrates g on x, compiles the int8 plan and returns the
// float and int8 logits and the int8 plan.
func quantCompare(t *testing.T, g *ops.Graph, x *ops.Tensor, m quant.Method, qo plan.QuantOptions) (want, got *ops.Tensor, qp *plan.Plan) {
	t.Helper()
	prm, err := plan.Calibrate(context.Background(), g, x, m, 99.99, plan.Options{})
	require.NoError(t, err)
	fp, err := plan.Compile(g, plan.Options{Logits: true})
	require.NoError(t, err)
	want, err = fp.Forward(x)
	require.NoError(t, err)
	qo.Params = prm
	qp, err = plan.Compile(g, plan.Options{Logits: true, Quant: &qo})
	require.NoError(t, err)
	got, err = qp.Forward(x)
	require.NoError(t, err)
	return want, got, qp
}

// quantBound is the relative error of logits an int8 plan may show, from
// the scales: each product rounds its input to half a step of a 255-step
// range (1/510 of the range) and its weights to half a step of 127 per
// channel (1/254 of the largest); to first order the relative errors of
// the layers add up.
func quantBound(products int) float64 { return float64(products) * (0.5/255 + 0.5/127) }

// top1Agree is the share of rows whose largest value is in the same column.
func top1Agree(a, b *ops.Tensor) float64 {
	n, c := a.Shape[0], a.Shape[1]
	same := 0
	for i := range n {
		ra, rb := a.Data[i*c:(i+1)*c], b.Data[i*c:(i+1)*c]
		ia, ib := 0, 0
		for j := range c {
			if ra[j] > ra[ia] {
				ia = j
			}
			if rb[j] > rb[ib] {
				ib = j
			}
		}
		if ia == ib {
			same++
		}
	}
	return float64(same) / float64(n)
}

// TestQuantResNets: the int8 plans of small random ResNets against their
// float plans, every calibration method, with and without the first and
// last products kept in float32: logits within quantBound.
func TestQuantResNets(t *testing.T) {
	archs := []string{"resnet8", "resnet50-seed"}
	if testing.Short() {
		archs = archs[:1]
	}
	for _, arch := range archs {
		size := 32
		if arch != "resnet8" {
			size = 64
		}
		g, err := resnet.Config{Arch: arch, InputShape: [3]int{size, size, 3}, Classes: 6, Seed: 1}.Build()
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(1, 2))
		randomizeBN(g, rng)
		x := randomBatch(rng, 16, size, size, 3)
		for _, m := range []quant.Method{quant.MinMax, quant.Percentile, quant.Entropy} {
			for _, keep := range []bool{false, true} {
				want, got, qp := quantCompare(t, g, x, m, plan.QuantOptions{KeepFirst: keep, KeepLast: keep})
				var sb strings.Builder
				qp.Describe(&sb)
				products := strings.Count(sb.String(), "int8 conv2d") + strings.Count(sb.String(), "int8 dense")
				d := maxRelDiff(got.Data, want.Data)
				bound := quantBound(products)
				if m != quant.MinMax {
					bound *= 2 // clipping the tails adds its own error
				}
				require.Greater(t, products, 5, sb.String())
				require.LessOrEqual(t, d, bound, "%s %v keep=%v: logits differ by %.3g relative (bound %.3g)\n%s", arch, m, keep, d, bound, sb.String())
				t.Logf("%s %v keep first/last %v: %d int8 products, logits %.3g relative (bound %.3g), top-1 agreement %.2f", arch, m, keep, products, d, bound, top1Agree(got, want))
			}
		}
	}
}

// TestQuantMobileNetV2: depthwise convolutions stay float32 (noted), the
// 1×1 and full convolutions run int8 with ReLU6 as a clamp.
func TestQuantMobileNetV2(t *testing.T) {
	g, err := mobilenet.V2(mobilenet.V2Config{Alpha: 0.35}, [3]int{32, 32, 3}, 5, 3)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(11, 12))
	randomizeBN(g, rng)
	x := randomBatch(rng, 12, 32, 32, 3)
	want, got, qp := quantCompare(t, g, x, quant.MinMax, plan.QuantOptions{})
	var sb strings.Builder
	qp.Describe(&sb)
	require.Equal(t, 17, strings.Count(sb.String(), "stays float32: depthwise"), sb.String())
	require.Contains(t, sb.String(), "+relu6")
	products := strings.Count(sb.String(), "int8 conv2d") + strings.Count(sb.String(), "int8 dense")
	d := maxRelDiff(got.Data, want.Data)
	require.LessOrEqual(t, d, quantBound(products), "logits differ by %.3g relative\n%s", d, sb.String())
	t.Logf("mobilenetv2-0.35: %d int8 products, logits %.3g relative (bound %.3g)", products, d, quantBound(products))
}

// TestQuantErrors: bad calibration data and tables give errors naming what
// is wrong.
func TestQuantErrors(t *testing.T) {
	g, err := resnet.Config{Arch: "resnet8", InputShape: [3]int{32, 32, 3}, Classes: 6, Seed: 1}.Build()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 4))
	_, err = plan.Calibrate(context.Background(), g, randomBatch(rng, 4, 32, 32, 3), quant.MinMax, 0, plan.Options{})
	require.ErrorContains(t, err, "4 images, want at least 8")
	_, err = plan.Calibrate(context.Background(), g, randomBatch(rng, 10, 16, 32, 3), quant.MinMax, 0, plan.Options{})
	require.ErrorContains(t, err, "want a batch of at least one (32, 32, 3) image")
	_, err = plan.Calibrate(context.Background(), g, nil, quant.MinMax, 0, plan.Options{})
	require.Error(t, err)
	x := randomBatch(rng, 8, 32, 32, 3)
	x.Data[5] = float32(math.NaN())
	_, err = plan.Calibrate(context.Background(), g, x, quant.MinMax, 0, plan.Options{})
	require.ErrorContains(t, err, "is NaN")
	x.Data[5] = 0
	prm, err := plan.Calibrate(context.Background(), g, x, quant.Entropy, 0, plan.Options{})
	require.NoError(t, err)
	delete(prm, "activation_2")
	_, err = plan.Compile(g, plan.Options{Quant: &plan.QuantOptions{Params: prm}})
	require.ErrorContains(t, err, `no calibrated parameters for tensor "activation_2"`)
	prm["activation_2"] = quant.Params{Scale: -1}
	_, err = plan.Compile(g, plan.Options{Quant: &plan.QuantOptions{Params: prm}})
	require.ErrorContains(t, err, `tensor "activation_2": quant: scale -1`)
	// A graph with no product to quantize.
	h := ops.NewGraph(1)
	h.SetOutput(h.Activation(h.Input("in", 4, 4, 2), ops.ReLU))
	require.NoError(t, h.Build())
	prm, err = plan.Calibrate(context.Background(), h, randomBatch(rng, 8, 4, 4, 2), quant.MinMax, 0, plan.Options{})
	require.NoError(t, err)
	_, err = plan.Compile(h, plan.Options{Quant: &plan.QuantOptions{Params: prm}})
	require.ErrorContains(t, err, "no product can run in int8")
}

// TestQuantConvExact: a convolution whose input, weights and bias are
// exactly representable (input codes of scale 2⁻⁶ with zero point 64,
// weights of scale 2⁻⁷ per channel, all sums exact in float32) gives the
// float plan's output bit for bit. Its padding must be the zero point 64:
// padding with code 0 would add -1 × the weights at the borders.
func TestQuantConvExact(t *testing.T) {
	g := ops.NewGraph(1)
	in := g.Input("in", 5, 6, 3)
	y := g.Conv2D(in, ops.Conv2DConfig{Name: "c", Filters: 5, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	g.SetOutput(y)
	require.NoError(t, g.Build())
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range g.Nodes() {
		c, ok := n.Layer.(*ops.Conv2D)
		if !ok {
			continue
		}
		w := c.Kernel.Value
		for i := range w {
			w[i] = float32(rng.IntN(255)-127) / 128
		}
		for j := 0; j < 5; j++ {
			w[j] = 127.0 / 128 // each filter's largest magnitude: scale exactly 2⁻⁷
		}
		for j := range c.Bias.Value {
			c.Bias.Value[j] = float32(rng.IntN(2001)-1000) / 8192
		}
	}
	x := ops.NewTensor(12, 5, 6, 3)
	for i := range x.Data {
		x.Data[i] = float32(rng.IntN(256)-64) / 64
	}
	x.Data[0], x.Data[1] = -1, 191.0/64 // the range's ends: scale 255/64/255 = 2⁻⁶
	prm, err := plan.Calibrate(context.Background(), g, x, quant.MinMax, 0, plan.Options{})
	require.NoError(t, err)
	require.Equal(t, quant.Params{Scale: 1.0 / 64, Zero: 64}, prm["in"])
	fp, err := plan.Compile(g, plan.Options{})
	require.NoError(t, err)
	want, err := fp.Forward(x)
	require.NoError(t, err)
	qp, err := plan.Compile(g, plan.Options{Quant: &plan.QuantOptions{Params: prm}})
	require.NoError(t, err)
	got, err := qp.Forward(x)
	require.NoError(t, err)
	require.Equal(t, want.Data, got.Data)
}
