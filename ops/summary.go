package ops

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Summary writes the table Keras 2's model.summary() prints for a
// functional model: one row per layer in Layers order with its name and
// class, output shape, parameter count and inbound layers, then the total,
// trainable and non-trainable parameter counts with thousands separators.
// Column widths and truncation follow Keras's print_summary (98 columns),
// trailing spaces included, so the text can be diffed against Keras's. A
// non-empty Graph.Name is printed first, as later Keras versions do.
func (g *Graph) Summary(w io.Writer) error {
	if err := g.Build(); err != nil {
		return err
	}
	const lineLength = 98
	positions := []int{32, 53, 65, 98} // int(98 * [.33, .55, .67, 1])
	bw := bufio.NewWriter(w)
	row := func(fields ...string) {
		var line string
		for i, f := range fields {
			if i > 0 {
				line = line[:len(line)-1] + " " // columns never touch
			}
			line += f
			if len(line) > positions[i] {
				line = line[:positions[i]]
			}
			line += strings.Repeat(" ", positions[i]-len(line))
		}
		bw.WriteString(line + "\n")
	}
	if g.Name != "" {
		bw.WriteString(`Model: "` + g.Name + `"` + "\n")
	}
	bw.WriteString(strings.Repeat("_", lineLength) + "\n")
	row("Layer (type)", "Output Shape", "Param #", "Connected to")
	bw.WriteString(strings.Repeat("=", lineLength) + "\n")
	order := g.kerasOrder()
	for i, n := range order {
		count := 0
		for _, p := range n.Layer.Params() {
			count += p.Len()
		}
		var links []string
		for _, in := range n.Inputs {
			links = append(links, in.Name()+"[0][0]")
		}
		first := ""
		if len(links) > 0 {
			first = links[0]
		}
		row(n.Name()+" ("+n.Layer.Class()+")", n.Shape.Keras(), strconv.Itoa(count), first)
		for _, l := range links[min(1, len(links)):] {
			row("", "", "", l)
		}
		if i == len(order)-1 {
			bw.WriteString(strings.Repeat("=", lineLength) + "\n")
		} else {
			bw.WriteString(strings.Repeat("_", lineLength) + "\n")
		}
	}
	total, trainable, fixed := g.CountParams()
	bw.WriteString("Total params: " + thousands(total) + "\n")
	bw.WriteString("Trainable params: " + thousands(trainable) + "\n")
	bw.WriteString("Non-trainable params: " + thousands(fixed) + "\n")
	bw.WriteString(strings.Repeat("_", lineLength) + "\n")
	return bw.Flush()
}

// thousands formats n with comma separators, as Python's "{:,}".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
