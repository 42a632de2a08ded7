// Command simdnet runs the Keras ResNet50 tutorial's workflow on a CPU:
// inspect the network, train it on SIGNS, evaluate, predict your own photos,
// convert Keras weights, and measure speed; and run, summarise, time,
// convert and export ONNX files, on NumPy .npy tensors (simdnet run).
//
// Usage:
//
//	simdnet <command> [flags]
//
// Run "simdnet help" for the list of commands and "simdnet <command> -h" for
// each command's flags.
//
// Every command checks all its flags before doing anything and reports a
// problem on one line of stderr naming the flag. Exit status: 0 success; 1
// a failure while working (a corrupt file, a model that does not fit the
// data, a full disk); 2 a command line that cannot run (a bad flag value, a
// missing file, flags that conflict), nothing done; 128 + the signal's
// number when training is interrupted: 130 for Ctrl-C (SIGINT), 143 for
// SIGTERM, the checkpoint saved and the command to resume printed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand: its flags are parsed by run itself, so that
// each has its own -h.
type command struct {
	summary string
	run     func(args []string, stdout io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout io.Writer) error) {
	commands[name] = command{summary: summary, run: run}
}

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "simdnet: unknown command %q; run 'simdnet help'\n", args[0])
		return 2
	}
	err := cmd.run(args[1:], stdout)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "simdnet %s: %v\n", args[0], err)
	return exitStatus(err)
}

// exitStatus is the status a command's error ends the program with: 2 for
// a command line that cannot run (a usageError), the status an exitError
// carries (130 after Ctrl-C, 143 after SIGTERM), 1 for any other failure.
func exitStatus(err error) int {
	var ue *usageError
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "simdnet: CNN inference and training on the CPU, in Go; simdnet model files and ONNX files.")
	fmt.Fprintln(w, "\nUsage: simdnet <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'simdnet <command> -h' for a command's flags.")
	fmt.Fprintln(w, "Exit status: 0 done, 1 failed, 2 bad command line (nothing done), 130/143 training interrupted by SIGINT/SIGTERM (checkpoint saved).")
}

// newFlags makes a flag set that reports errors instead of exiting, so that
// every command ends through runMain with one error line; parse it with
// parseFlags.
func newFlags(name, usageLine string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: simdnet %s\n\nFlags:\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}
