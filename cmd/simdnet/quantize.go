package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
	"github.com/simdnet/simdnet/quant"
	"github.com/simdnet/simdnet/train"
	"github.com/simdnet/simdnet/train/data"
	"github.com/simdnet/simdnet/weights"
)

func init() {
	register("quantize", "calibrate a model for int8 inference: quantize --model M --calib DATA --out M.int8.safetensors", runQuantize)
}

// Defaults of quantize, chosen by the SIGNS measurements in the README.
const (
	defaultCalibImages = 256
	defaultMethod      = "percentile"
	defaultPercentile  = 99.99
)

func runQuantize(args []string, stdout io.Writer) error {
	fs := newFlags("quantize", "quantize --model M --calib DATA [--images N] [--method minmax|percentile|entropy] --out M.int8.safetensors", stdout)
	mf := addModelFlags(fs)
	calib := fs.String("calib", "../shared/data/signs", "calibration images: an .h5 file, a folder with train_signs.h5, or an image folder")
	images := fs.Int("images", defaultCalibImages, fmt.Sprintf("calibration images, spread evenly over the set (at least %d)", plan.MinCalibImages))
	method := fs.String("method", defaultMethod, "activation range: minmax, percentile or entropy (KL divergence, TensorRT's)")
	pct := fs.Float64("percentile", defaultPercentile, "with --method percentile: the percentile kept at each end")
	keepFirst := fs.Bool("keep-first", false, "keep the first convolution (on the raw image) in float32")
	keepLast := fs.Bool("keep-last", false, "keep the last product (the classifier) in float32")
	out := fs.String("out", "", "the int8 model file to write (required)")
	compare := fs.String("compare", "", "data sets (comma-separated) to compare the float and int8 plans on after writing: accuracy, top-1 agreement, largest probability difference")
	threads := fs.Int("threads", 0, "threads; 0: all cores")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	m, err := quant.ParseMethod(*method)
	if err != nil {
		return usagef("--method %s: want minmax, percentile or entropy", *method)
	}
	if err := firstError(noArgs(fs), intBetween("images", *images, plan.MinCalibImages, 1_000_000),
		intBetween("threads", *threads, 0, maxThreads), existingPath("calib", *calib)); err != nil {
		return err
	}
	if !(*pct > 50 && *pct <= 100) {
		return usagef("--percentile %v: want a value in (50, 100]", *pct)
	}
	if *out == "" {
		return usagef("--out is required: the int8 model file to write")
	}
	if err := outputFile("out", *out); err != nil {
		return err
	}
	if _, err := mf.check(); err != nil {
		return err
	}
	var compareSets []string
	if *compare != "" {
		compareSets = strings.Split(*compare, ",")
		for _, c := range compareSets {
			if err := existingPath("compare", c); err != nil {
				return err
			}
		}
	}
	if *threads > 0 {
		runtime.GOMAXPROCS(*threads)
	}
	wm, err := mf.load()
	if err != nil {
		return err
	}
	defer wm.Close()
	in := wm.Config.InputShape
	if in == [3]int{} {
		in = shapeOf(wm.Graph)
	}
	d, err := loadData(*calib, "train", in[0], in[1], wm.Classes)
	if err != nil {
		return fmt.Errorf("--calib %s: %w", *calib, err)
	}
	if d.Len() < *images {
		return usagef("--calib %s has %d images, --images asks for %d", *calib, d.Len(), *images)
	}
	x := spreadImages(d, *images)
	params, err := plan.Calibrate(context.Background(), wm.Graph, x, m, *pct, plan.Options{})
	if err != nil {
		return fmt.Errorf("calibrating %s on %s: %w", *mf.path, *calib, err)
	}
	qo := &plan.QuantOptions{Params: params, KeepFirst: *keepFirst, KeepLast: *keepLast}
	qp, err := plan.Compile(wm.Graph, plan.Options{Quant: qo})
	if err != nil {
		return fmt.Errorf("compiling %s for int8: %w", *mf.path, err)
	}
	defer qp.Close()
	meta, err := plan.EncodeQuantMeta(qo, plan.QuantInfo{Method: m.String(), Images: *images})
	if err != nil {
		return err
	}
	if err := weights.Save(*out, wm.Graph, saveOptions(wm, meta)...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "calibrated %s on %d images of %s (%v), %d tensors; wrote %s\n", *mf.path, *images, *calib, m, len(params), *out)
	for _, n := range qp.QuantNotes() {
		fmt.Fprintf(stdout, "  %s\n", n)
	}
	summary := map[string]any{"model": *mf.path, "out": *out, "method": m.String(), "images": *images, "tensors": len(params), "float32_layers": qp.QuantNotes()}
	if len(compareSets) > 0 {
		fp, err := plan.Compile(wm.Graph, plan.Options{})
		if err != nil {
			return err
		}
		defer fp.Close()
		var cmps []comparison
		for _, c := range compareSets {
			cd, err := loadData(c, "test", in[0], in[1], wm.Classes)
			if err != nil {
				return fmt.Errorf("--compare %s: %w", c, err)
			}
			cmp, err := comparePlans(fp, qp, cd)
			if err != nil {
				return fmt.Errorf("--compare %s: %w", c, err)
			}
			cmp.Data = c
			fmt.Fprintf(stdout, "%s: %d images, accuracy float32 %.4f (%d), int8 %.4f (%d); top-1 agreement %.4f (%d/%d); largest probability difference %.4f\n",
				c, cmp.Count, float64(cmp.CorrectF32)/float64(cmp.Count), cmp.CorrectF32, float64(cmp.CorrectInt8)/float64(cmp.Count), cmp.CorrectInt8,
				float64(cmp.Agree)/float64(cmp.Count), cmp.Agree, cmp.Count, cmp.MaxProbDiff)
			cmps = append(cmps, cmp)
		}
		summary["compare"] = cmps
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(summary)
	}
	return nil
}

// saveOptions keep what the model file said of itself (architecture,
// classes, metadata) and add the int8 table.
func saveOptions(wm *weights.Model, meta map[string]string) []weights.SaveOption {
	var opts []weights.SaveOption
	if wm.Config.Arch != "" {
		opts = append(opts, weights.WithArch(wm.Config))
	}
	if len(wm.Classes) > 0 {
		opts = append(opts, weights.WithClasses(wm.Classes...))
	}
	kept := map[string]string{}
	for k, v := range wm.Meta {
		if !strings.HasPrefix(k, "simdnet.") {
			kept[k] = v
		}
	}
	for k, v := range meta {
		kept[k] = v
	}
	return append(opts, weights.WithMeta(kept))
}

func shapeOf(g *ops.Graph) [3]int {
	s := g.Nodes()[0].Shape
	if len(s) != 3 {
		return [3]int{}
	}
	return [3]int{s[0], s[1], s[2]}
}

// spreadImages is n images of d at evenly spaced indices (every class of a
// sorted set is seen), as one N×H×W×C batch.
func spreadImages(d *data.Dataset, n int) *ops.Tensor {
	x := ops.NewTensor(n, d.Height, d.Width, d.Channels)
	per := d.ImageLen()
	for i := range n {
		d.Image(i*d.Len()/n, x.Data[i*per:(i+1)*per])
	}
	return x
}

// comparison is the float and int8 plans on one data set.
type comparison struct {
	Data        string  `json:"data"`
	Count       int     `json:"count"`
	CorrectF32  int     `json:"correct_float32"`
	CorrectInt8 int     `json:"correct_int8"`
	Agree       int     `json:"top1_agreement"`
	MaxProbDiff float64 `json:"max_probability_difference"`
}

func comparePlans(fp, qp *plan.Plan, d *data.Dataset) (comparison, error) {
	c := comparison{Count: d.Len()}
	const batch = 32
	per := d.ImageLen()
	classes := fp.OutputShape().Len()
	for lo := 0; lo < d.Len(); lo += batch {
		n := min(batch, d.Len()-lo)
		x := ops.NewTensor(n, d.Height, d.Width, d.Channels)
		for i := range n {
			d.Image(lo+i, x.Data[i*per:(i+1)*per])
		}
		a, err := fp.Forward(x)
		if err != nil {
			return c, err
		}
		b, err := qp.Forward(x)
		if err != nil {
			return c, err
		}
		for i := range n {
			ra, rb := a.Data[i*classes:(i+1)*classes], b.Data[i*classes:(i+1)*classes]
			ia, ib := argmax(ra), argmax(rb)
			if ia == ib {
				c.Agree++
			}
			if ia == d.Labels[lo+i] {
				c.CorrectF32++
			}
			if ib == d.Labels[lo+i] {
				c.CorrectInt8++
			}
			for j := range ra {
				c.MaxProbDiff = math.Max(c.MaxProbDiff, math.Abs(float64(ra[j]-rb[j])))
			}
		}
	}
	return c, nil
}

func argmax(r []float32) int {
	best := 0
	for j, v := range r {
		if v > r[best] {
			best = j
		}
	}
	return best
}

// evaluateModel is eval's measurement: the training graph's forward pass
// for a float model, as train.Evaluate does, and the int8 plan for a model
// file quantize wrote (its metadata holds the table).
func evaluateModel(m *weights.Model, d *data.Dataset, batch int) (*train.Evaluation, error) {
	qo, _, err := plan.DecodeQuantMeta(m.Meta)
	if err != nil {
		return nil, err
	}
	if qo == nil {
		t, err := train.NewTrainer(m.Graph, nil)
		if err != nil {
			return nil, err
		}
		return train.Evaluate(t, d, batch)
	}
	p, err := plan.Compile(m.Graph, plan.Options{Quant: qo})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if d.Shape() != shapeOf(m.Graph) {
		return nil, fmt.Errorf("data images are %v, the model takes %v", d.Shape(), shapeOf(m.Graph))
	}
	classes := p.OutputShape().Len()
	ev := &train.Evaluation{Confusion: make([][]int, classes)}
	for i := range ev.Confusion {
		ev.Confusion[i] = make([]int, classes)
	}
	per := d.ImageLen()
	for lo := 0; lo < d.Len(); lo += batch {
		n := min(batch, d.Len()-lo)
		x := ops.NewTensor(n, d.Height, d.Width, d.Channels)
		for i := range n {
			d.Image(lo+i, x.Data[i*per:(i+1)*per])
		}
		y, err := p.Forward(x)
		if err != nil {
			return nil, err
		}
		for i := range n {
			row, label := y.Data[i*classes:(i+1)*classes], d.Labels[lo+i]
			if label < 0 || label >= classes {
				return nil, fmt.Errorf("image %d: label %d outside the model's %d classes", lo+i, label, classes)
			}
			pred := argmax(row)
			ev.Confusion[label][pred]++
			if pred == label {
				ev.Correct++
			}
			ev.Loss -= math.Log(math.Max(float64(row[label]), 1e-7))
			ev.Count++
		}
	}
	if ev.Count > 0 {
		ev.Loss /= float64(ev.Count)
	}
	return ev, nil
}
