//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights"
)

// signalAt is a stdout that sends the process sig when the output first
// contains mark: a user pressing Ctrl-C as "Epoch 2/" appears.
type signalAt struct {
	bytes.Buffer
	mark string
	sig  syscall.Signal
	sent bool
}

func (w *signalAt) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if !w.sent && strings.Contains(w.String(), w.mark) {
		w.sent = true
		syscall.Kill(os.Getpid(), w.sig)
	}
	return n, err
}

// precious writes a file standing for a good model a run must not lose.
func precious(t *testing.T, path string) []byte {
	t.Helper()
	b := []byte("a good model from yesterday")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

func sameContent(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s was replaced (%d bytes, %v)", path, len(got), err)
	}
}

// resumeArgs takes the command line the error says to resume with.
func resumeArgs(t *testing.T, errOut string) []string {
	t.Helper()
	_, cmd, ok := strings.Cut(strings.TrimSpace(errOut), " with simdnet ")
	if !ok {
		t.Fatalf("no resume command in %q", errOut)
	}
	return strings.Fields(cmd) // the test's paths need no quoting
}

// TestTrainInterrupted: Ctrl-C (or SIGTERM) during training leaves the
// existing --out alone, leaves a checkpoint that eval/predict/weights read
// as a model, exits 130 (143), with --json says so, and prints the command
// that resumes — which then writes --out and removes the checkpoint.
func TestTrainInterrupted(t *testing.T) {
	signs := writeSigns(t)
	for _, c := range []struct {
		sig  syscall.Signal
		code int
		json bool
	}{{syscall.SIGINT, 130, true}, {syscall.SIGTERM, 143, false}} {
		dir := t.TempDir()
		out := filepath.Join(dir, "m.safetensors")
		old := precious(t, out)
		args := []string{"train", "--data", signs, "--test", signs, "--arch", "resnet8", "--epochs", "6", "--batch", "4", "--out", out}
		if c.json {
			args = append(args, "--json")
		}
		stdout := &signalAt{mark: "Epoch 2/", sig: c.sig}
		var stderr bytes.Buffer
		code := runMain(args, stdout, &stderr)
		errOut := stderr.String()
		if code != c.code || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "interrupted") || !strings.Contains(errOut, out+" was not written") {
			t.Fatalf("%v: status %d (want %d), stderr %q\n%s", c.sig, code, c.code, errOut, stdout.String())
		}
		sameContent(t, out, old)
		t.Logf("%v: %s", c.sig, errOut)
		if c.json {
			var sum trainSummary
			lastJSON(t, stdout.String(), &sum)
			if !sum.Interrupted || sum.Model != "" || sum.Checkpoint != out+".ckpt" || sum.Epochs < 1 {
				t.Errorf("JSON of an interrupted run: %+v", sum)
			}
		}
		ckpt := out + ".ckpt"
		if m, err := weights.Load(ckpt); err != nil || m.Config.Arch != "resnet8" {
			t.Fatalf("the checkpoint is not a model file: %v", err)
		}
		if code, _, e := run(t, "predict", "--model", ckpt, filepath.Join(signs, "0_IMG_a.png")); code != 0 {
			t.Fatalf("predict --model CHECKPOINT: status %d, %s", code, e)
		}
		if code, _, e := run(t, "eval", "--model", ckpt, "--data", signs); code != 0 {
			t.Fatalf("eval --model CHECKPOINT: status %d, %s", code, e)
		}

		resume := resumeArgs(t, errOut)
		if resume[0] != "train" || resume[len(resume)-1] != "--resume" {
			t.Fatalf("resume command %q", resume)
		}
		// Other settings are refused, naming them, unless --resume-anyway.
		other := append(append([]string(nil), resume...), "--lr", "0.01")
		code, _, e := run(t, other...)
		if code != 2 || !strings.Contains(e, "--lr 0.001 (this run: 0.01)") || !strings.Contains(e, "--resume-anyway") {
			t.Fatalf("resume with another --lr: status %d, stderr %q", code, e)
		}
		code, o, e := run(t, resume...)
		if code != 0 {
			t.Fatalf("resume: status %d, stderr %q\n%s", code, e, o)
		}
		if m, err := weights.Load(out); err != nil || m.Config.Arch != "resnet8" {
			t.Fatalf("after the resumed run, %s: %v", out, err)
		}
		if fileExists(ckpt) {
			t.Error("the checkpoint of a finished run was left behind")
		}
	}
}

// TestTrainSaveFailureKeepsOut: when writing the final model fails (a full
// disk), the old --out stays, the error names the file and says how to
// finish from the checkpoint, and that works once the disk has room.
func TestTrainSaveFailureKeepsOut(t *testing.T) {
	signs := writeSigns(t)
	out := filepath.Join(t.TempDir(), "m.safetensors")
	old := precious(t, out)
	saveModel = func(path string, g *ops.Graph, opts ...weights.SaveOption) error {
		return fmt.Errorf("safetensors: writing %s: %w", path, &os.PathError{Op: "write", Path: path + ".tmp-1", Err: syscall.ENOSPC})
	}
	defer func() { saveModel = weights.Save }()
	args := []string{"train", "--data", signs, "--arch", "resnet8", "--epochs", "1", "--batch", "4", "--out", out}
	code, _, errOut := run(t, args...)
	if code != 1 || !strings.Contains(errOut, "no space left on device") || !strings.Contains(errOut, out+" is as it was") {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	sameContent(t, out, old)
	t.Log(errOut)
	saveModel = weights.Save
	if code, _, e := run(t, resumeArgs(t, errOut)...); code != 0 {
		t.Fatalf("finishing from the checkpoint: status %d, %s", code, e)
	}
	if _, err := weights.Load(out); err != nil {
		t.Fatal(err)
	}
}

// The full-disk test's child runs the command line in this variable
// (fields separated by newlines) with its file size limited.
const fullDiskEnv = "SIMDNET_TEST_FULL_DISK_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(fullDiskEnv); args != "" {
		// Writes past 64 KiB fail with EFBIG, as on a disk that is full;
		// Go ignores the SIGXFSZ that comes with them.
		lim := syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			os.Exit(99)
		}
		os.Exit(runMain(strings.Split(args, "\n"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestTrainFullDisk: a real file-system error — every write past 64 KiB
// fails — stops the run at its first checkpoint with an error naming the
// file, and the existing --out is untouched.
func TestTrainFullDisk(t *testing.T) {
	signs := writeSigns(t)
	out := filepath.Join(t.TempDir(), "m.safetensors")
	old := precious(t, out)
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe)
	args := []string{"train", "--data", signs, "--arch", "resnet8", "--epochs", "2", "--batch", "4", "--out", out}
	cmd.Env = append(os.Environ(), fullDiskEnv+"="+strings.Join(args, "\n"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("child: %v, stderr %q", err, stderr.String())
	}
	e := stderr.String()
	if !strings.Contains(e, "writing "+out+".ckpt") || !strings.Contains(e, "file too large") || strings.Count(e, "\n") != 1 {
		t.Fatalf("stderr %q, want one line naming %s.ckpt and the error", e, out)
	}
	sameContent(t, out, old)
	t.Log(e)
	if temps, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*tmp-*")); len(temps) > 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

// TestTrainResumeOfABadCheckpoint: a checkpoint that does not load is an
// error that names it, with no advice to resume it.
func TestTrainResumeOfABadCheckpoint(t *testing.T) {
	signs := writeSigns(t)
	out := filepath.Join(t.TempDir(), "m.safetensors")
	precious(t, out+".ckpt")
	code, _, e := run(t, "train", "--data", signs, "--arch", "resnet8", "--epochs", "1", "--out", out, "--resume")
	if code != 1 || !strings.Contains(e, out+".ckpt") || strings.Contains(e, "continue") {
		t.Fatalf("status %d, stderr %q", code, e)
	}
}
