//go:build unix

package train

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/simdnet/simdnet/ops"
)

// The kill test's child: it writes checkpoints to this file in a loop.
const killChildEnv = "SIMDNET_TEST_CHECKPOINT_WRITER"

// bigModel is a trainer with about 4M parameters (a 48 MB checkpoint with
// Adam's moments), so that a write takes long enough to be killed in.
func bigModel(t testing.TB) *Trainer {
	g := ops.NewGraph(1)
	x := g.Input("", 32, 32, 4)
	x = g.Flatten(x)
	x = g.Dense(x, ops.DenseConfig{Name: "fc", Units: 1000, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// fillWeights sets every parameter of tr to the value of checkpoint k.
func fillWeights(tr *Trainer, k int) {
	for _, p := range Params(tr.Graph()) {
		for i := range p.Param.Value {
			p.Param.Value[i] = float32(k)
		}
	}
}

// TestMain turns the test binary into the kill test's child when asked.
func TestMain(m *testing.M) {
	if path := os.Getenv(killChildEnv); path != "" {
		writeCheckpointsForever(path)
		return
	}
	os.Exit(m.Run())
}

// writeCheckpointsForever writes checkpoint 0, 1, 2, ... to path, each
// with weights and epoch equal to its number, saying on stdout when each
// write starts and ends, until it is killed.
func writeCheckpointsForever(path string) {
	tr := bigModel(&testing.B{})
	for k := 0; ; k++ {
		fillWeights(tr, k)
		fmt.Printf("writing %d\n", k)
		if err := saveCheckpoint(path, tr, runState{Epoch: k}, &History{}, nil, nil); err != nil {
			fmt.Printf("error %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %d\n", k)
	}
}

// TestCheckpointSurvivesKill kills a process in the middle of writing a
// checkpoint, at several points, and loads what is left: always a whole
// checkpoint, the one before the write or the one it was writing, never a
// torn one.
func TestCheckpointSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a few hundred MB of checkpoints")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ckpt")
	reader := bigModel(t)
	midWrite := 0
	temps := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, ".run.ckpt.tmp-*"))
		return m
	}
	// A negative delay kills before the temporary file appears; the others
	// that long after it does: as it is created, written, synced, renamed.
	for _, delay := range []time.Duration{-1, 0, 500 * time.Microsecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond} {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let one checkpoint of this child complete, then kill it delay
		// after it starts the next.
		lines := bufio.NewScanner(out)
		last := -1
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			if len(f) == 2 && f[0] == "wrote" {
				last, _ = strconv.Atoi(f[1])
			}
			if len(f) == 2 && f[0] == "writing" && last >= 0 {
				break
			}
			if f[0] == "error" {
				t.Fatal(lines.Text())
			}
		}
		if delay >= 0 {
			for deadline := time.Now().Add(10 * time.Second); len(temps()) == 0 && time.Now().Before(deadline); {
				time.Sleep(100 * time.Microsecond)
			}
			time.Sleep(delay)
		}
		cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
		cmd.Wait()

		left := temps()
		if len(left) > 0 {
			midWrite++
			for _, tmp := range left {
				os.Remove(tmp)
			}
		}
		st, _, err := loadCheckpoint(path, reader, nil)
		if err != nil {
			t.Fatalf("killed %v into writing checkpoint %d: the file left does not load: %v", delay, last+1, err)
		}
		if st.Epoch != last && st.Epoch != last+1 {
			t.Fatalf("killed %v into writing checkpoint %d: loaded checkpoint %d", delay, last+1, st.Epoch)
		}
		for _, p := range Params(reader.Graph()) {
			for i, v := range p.Param.Value {
				if v != float32(st.Epoch) {
					t.Fatalf("killed %v into writing: checkpoint %d holds %s[%d] = %g, a torn file", delay, st.Epoch, p.Key(), i, v)
				}
			}
		}
		when := fmt.Sprintf("%v after the temporary file of checkpoint %d appeared", delay, last+1)
		if delay < 0 {
			when = fmt.Sprintf("as checkpoint %d began", last+1)
		}
		t.Logf("killed %s: loaded checkpoint %d, %d temporary files left", when, st.Epoch, len(left))
	}
	if midWrite < 3 {
		t.Errorf("only %d kills landed in the middle of a write (a temporary file left): the test proved little", midWrite)
	}
}
