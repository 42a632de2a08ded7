package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Limits on flag values. They keep a typo from asking for an allocation no
// machine has (--batch 1e9, --classes 1e9) or a goroutine per element
// (--threads 1e6); each is far above any sensible use.
const (
	maxThreads = 1024
	maxBatch   = 4096
	maxClasses = 100_000
	maxSide    = 2048 // height or width of an input, pixels: nine times ResNet's 224
	maxChans   = 1024
	maxTop     = 1_000_000
)

// usageError is a command line that cannot be run as given: a flag value
// out of range, a file that does not exist, flags that conflict. Nothing
// has been done when it is returned; runMain prints it on one line and
// exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitError ends the program with a status of its own (130 after Ctrl-C),
// after runMain has printed err.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// firstError returns the first non-nil error: commands check their flags
// in the order the usage line lists them.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parseFlags parses args with fs. The flag package's own messages are
// silenced (they print the whole usage after the error); its error comes
// back as a usageError instead, and -h prints the usage to stdout and
// returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	}
	return usagef("%v (run 'simdnet %s -h' for the flags)", err, fs.Name())
}

// noArgs rejects arguments left after the flags of a command that takes
// none, such as a flag value typed without its flag.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (flags go before it; run 'simdnet %s -h')", fs.Arg(0), fs.Name())
	}
	return nil
}

func intAtLeast(flag string, v, lo int) error {
	if v < lo {
		return usagef("--%s must be at least %d, got %d", flag, lo, v)
	}
	return nil
}

func intBetween(flag string, v, lo, hi int) error {
	if v < lo || v > hi {
		return usagef("--%s must be between %d and %d, got %d", flag, lo, hi, v)
	}
	return nil
}

func positiveFinite(flag string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return usagef("--%s must be a positive finite number, got %g", flag, v)
	}
	return nil
}

func positiveDuration(flag string, d time.Duration) error {
	if d <= 0 {
		return usagef("--%s must be positive, got %v", flag, d)
	}
	return nil
}

func oneOf(flag, v string, choices ...string) error {
	for _, c := range choices {
		if v == c {
			return nil
		}
	}
	return usagef("--%s must be %s, got %q", flag, orList(choices), v)
}

// orList writes choices as "a, b or c".
func orList(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// existingFile checks that a flag names a regular file there is.
func existingFile(flag, path string) error {
	if p := fileProblem(path); p != "" {
		return usagef("--%s %s: %s", flag, path, p)
	}
	return nil
}

// existingPath checks that a flag names a file or folder there is.
func existingPath(flag, path string) error {
	if _, err := os.Stat(path); err != nil {
		return usagef("--%s %s: %s", flag, path, statProblem(err))
	}
	return nil
}

// outputFile checks that a flag names a file that can be created or
// replaced: its folder exists and it is not itself a folder.
func outputFile(flag, path string) error {
	if p := outputProblem(path); p != "" {
		return usagef("--%s %s: %s", flag, path, p)
	}
	return nil
}

// existingArg and outputArg are existingFile and outputFile for a
// positional argument, named by its place in the usage line.
func existingArg(what, path string) error {
	if p := fileProblem(path); p != "" {
		return usagef("%s %s: %s", what, path, p)
	}
	return nil
}

func outputArg(what, path string) error {
	if p := outputProblem(path); p != "" {
		return usagef("%s %s: %s", what, path, p)
	}
	return nil
}

// fileProblem says why path is not a readable regular file; "" if it is.
func fileProblem(path string) string {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return statProblem(err)
	case st.IsDir():
		return "is a folder, want a file"
	}
	return ""
}

// outputProblem says why path cannot be written as a file; "" if it can.
func outputProblem(path string) string {
	if path == "" {
		return "empty file name"
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return "is a folder, want a file name"
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return "folder " + dir + ": " + statProblem(err)
	case !st.IsDir():
		return dir + " is not a folder"
	}
	return ""
}

// statProblem is the reason of a failed os.Stat without the path, which
// the caller names already.
func statProblem(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parseShape reads an input shape HxWxC.
func parseShape(flag, s string) ([3]int, error) {
	f := strings.Split(strings.ToLower(s), "x")
	bad := usagef("--%s must be HxWxC with sides 1 to %d and 1 to %d channels, e.g. 64x64x3; got %q", flag, maxSide, maxChans, s)
	if len(f) != 3 {
		return [3]int{}, bad
	}
	var out [3]int
	for i, v := range f {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		limit := maxSide
		if i == 2 {
			limit = maxChans
		}
		if err != nil || n < 1 || n > limit {
			return [3]int{}, bad
		}
		out[i] = n
	}
	return out, nil
}

// parseBatchList reads a comma-separated list of batch sizes.
func parseBatchList(flag, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 || v > maxBatch {
			return nil, usagef("--%s must be a comma-separated list of batch sizes 1 to %d, got %q", flag, maxBatch, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parseClassNames reads comma-separated class names: none empty, no two
// alike.
func parseClassNames(flag, s string) ([]string, error) {
	names := strings.Split(s, ",")
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			return nil, usagef("--%s: class name %d of %q is empty", flag, i+1, s)
		case seen[n]:
			return nil, usagef("--%s: class name %q appears twice", flag, n)
		}
		seen[n] = true
		names[i] = n
	}
	if len(names) > maxClasses {
		return nil, usagef("--%s names %d classes, at most %d", flag, len(names), maxClasses)
	}
	return names, nil
}

// sameFile reports whether two paths name one existing file.
func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
