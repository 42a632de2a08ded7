package train

import (
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The size of PlotHistory's image in pixels, and the resolution that maps
// the plots' point sizes onto them.
const (
	plotWidthPx  = 1200
	plotHeightPx = 450
	plotDPI      = 96
)

// PlotHistory draws the loss (left) and accuracy (right) of every epoch,
// training and, when recorded, validation, as a PNG image at path.
func PlotHistory(h *History, path string) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if h.Len() == 0 {
		return fmt.Errorf("train: plot %s: the history has no epochs", path)
	}
	loss, err := metricPlot("Loss", h.Epoch, h.Loss, h.ValLoss)
	if err != nil {
		return fmt.Errorf("train: plot %s: %w", path, err)
	}
	acc, err := metricPlot("Accuracy", h.Epoch, h.Accuracy, h.ValAccuracy)
	if err != nil {
		return fmt.Errorf("train: plot %s: %w", path, err)
	}
	// Losses fall and accuracies rise towards the right: put each legend
	// in the corner its curves leave free.
	loss.Y.Min, loss.Legend.Top = 0, true
	acc.Y.Min, acc.Y.Max = 0, 1

	pt := func(px int) vg.Length { return vg.Length(px) * vg.Inch / plotDPI }
	img := vgimg.NewWith(vgimg.UseWH(pt(plotWidthPx), pt(plotHeightPx)), vgimg.UseDPI(plotDPI),
		vgimg.UseBackgroundColor(color.White))
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Centimeter, PadTop: vg.Millimeter * 3,
		PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 5}
	canvases := plot.Align([][]*plot.Plot{{loss, acc}}, tiles, draw.New(img))
	loss.Draw(canvases[0][0])
	acc.Draw(canvases[0][1])

	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("train: plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("train: plot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("train: plot: %w", err)
	}
	return nil
}

// metricPlot plots one metric per epoch: the training curve and, if val
// is not empty, the validation curve.
func metricPlot(title string, epochs []int, train, val []float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = title
	p.Add(plotter.NewGrid())
	p.Legend.Left = false
	curves := []struct {
		name   string
		values []float64
	}{{"train", train}, {"validation", val}}
	for i, c := range curves {
		if len(c.values) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(c.values))
		for k, v := range c.values {
			xys[k] = plotter.XY{X: float64(epochs[k]), Y: v}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.name, title, err)
		}
		line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
		line.Width = vg.Points(1.5)
		points.Shape = plotutil.Shape(i)
		p.Add(line, points)
		p.Legend.Add(c.name, line, points)
	}
	// Integer ticks: epochs are whole numbers.
	if p.X.Min == p.X.Max { // one epoch: give the axis a width
		p.X.Min, p.X.Max = p.X.Min-1, p.X.Max+1
	}
	p.X.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ticks []plot.Tick
		step := max(1, int((hi-lo)/10)+1)
		for e := int(lo); float64(e) <= hi; e += step {
			if e >= 1 {
				ticks = append(ticks, plot.Tick{Value: float64(e), Label: fmt.Sprint(e)})
			}
		}
		return ticks
	})
	return p, nil
}
