// Command simdnet runs the Keras ResNet50 tutorial's workflow on a CPU:
// inspect the network, train it on SIGNS, evaluate, predict your own photos,
// convert Keras weights, and measure speed.
//
// Usage:
//
//	simdnet <command> [flags]
//
// Run "simdnet help" for the list of commands and "simdnet <command> -h" for
// each command's flags.
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
	if err := cmd.run(args[1:], stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "simdnet %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "simdnet: ResNet inference and training on the CPU, in Go.")
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
}

// newFlags makes a flag set that reports errors instead of exiting, so that
// every command ends through runMain with one error line.
func newFlags(name, usageLine string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: simdnet %s\n\nFlags:\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}
