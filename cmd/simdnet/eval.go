package main

import (
	"encoding/json"
	"fmt"
	"io"
)

func init() {
	register("eval", "loss, accuracy and confusion matrix of a model on a data set", runEval)
}

func runEval(args []string, stdout io.Writer) error {
	fs := newFlags("eval", "eval --model M --data D [flags]", stdout)
	mf := addModelFlags(fs)
	model := mf.path
	dataPath := fs.String("data", "../shared/data/signs", "data: an .h5 file, a folder with test_signs.h5, or an image folder")
	batch := fs.Int("batch", 32, "batch size")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := firstError(noArgs(fs), intBetween("batch", *batch, 1, maxBatch)); err != nil {
		return err
	}
	if _, err := mf.check(); err != nil {
		return err
	}
	if err := existingPath("data", *dataPath); err != nil {
		return err
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	in := m.Config.InputShape
	d, err := loadData(*dataPath, "test", in[0], in[1], m.Classes)
	if err != nil {
		return err
	}
	if m.Classes != nil {
		if err := sameClasses("the model", m.Classes, d.Classes); err != nil {
			return err
		}
	}
	ev, err := evaluateModel(m, d, *batch) // an int8 model runs its int8 plan (quantize.go)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s on %s: loss %.4f, accuracy %.4f (%d/%d)\n", *model, *dataPath, ev.Loss, ev.Accuracy(), ev.Correct, ev.Count)
	printConfusion(stdout, d.Classes, ev.Confusion)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"model": *model, "loss": ev.Loss, "accuracy": ev.Accuracy(), "correct": ev.Correct,
			"count": ev.Count, "confusion": ev.Confusion, "classes": d.Classes,
		})
	}
	return nil
}

// printConfusion prints rows of true classes against predicted columns.
func printConfusion(w io.Writer, classes []string, m [][]int) {
	fmt.Fprintln(w, "confusion matrix (rows: true class, columns: predicted):")
	width := 5
	for _, c := range classes {
		width = max(width, len(c)+1)
	}
	fmt.Fprintf(w, "%*s", width, "")
	for _, c := range classes {
		fmt.Fprintf(w, "%*s", width, c)
	}
	fmt.Fprintln(w)
	for i, row := range m {
		name := fmt.Sprint(i)
		if i < len(classes) {
			name = classes[i]
		}
		fmt.Fprintf(w, "%*s", width, name)
		for _, v := range row {
			fmt.Fprintf(w, "%*d", width, v)
		}
		fmt.Fprintln(w)
	}
}
