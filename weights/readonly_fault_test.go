package weights

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// readOnlyChildEnv names what TestReadOnlyChild does in a child process.
const readOnlyChildEnv = "SIMDNET_READONLY_CHILD"

// TestReadOnlyChild is the child side of TestReadOnlyWriteAndUseAfterClose:
// it does what used to kill the process with SIGSEGV and prints how it
// ended. Run alone, it does nothing.
func TestReadOnlyChild(t *testing.T) {
	what, path := os.Getenv(readOnlyChildEnv), os.Getenv(readOnlyChildEnv+"_PATH")
	if what == "" {
		t.Skip("runs as a child of TestReadOnlyWriteAndUseAfterClose")
	}
	m, err := Load(path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	x := testInput(tinyConfig, 2)
	switch what {
	case "write":
		for _, p := range m.Graph.Params() {
			p.Value[0] = 42
		}
		// Training mode writes the moving statistics in place.
		if _, err := m.Graph.Forward(x, ops.Training); err != nil {
			t.Fatal(err)
		}
		if got := m.Graph.Params()[0].Value[0]; got != 42 {
			t.Fatalf("the write did not stick: %v", got)
		}
		fmt.Println("CHILD: wrote")
	case "close":
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					fmt.Printf("CHILD: panicked: %v\n", r)
				}
			}()
			_, err := m.Graph.Forward(x, ops.Inference)
			fmt.Printf("CHILD: error: %v\n", err)
		}()
	}
	m.Close()
}

// TestReadOnlyWriteAndUseAfterClose proves in child processes (a SIGSEGV
// cannot be caught in this one) that writing through a ReadOnly model's
// parameters changes the process's copy and never the file, and that using
// the model after Close gives an error; both were faults.
func TestReadOnlyWriteAndUseAfterClose(t *testing.T) {
	if os.Getenv(readOnlyChildEnv) != "" {
		t.Skip("in the child")
	}
	_, path := saveTiny(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	run := func(what string) string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestReadOnlyChild$", "-test.v")
		cmd.Env = append(os.Environ(), readOnlyChildEnv+"="+what, readOnlyChildEnv+"_PATH="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child %q died: %v\n%s", what, err, out)
		}
		return string(out)
	}
	if out := run("write"); !strings.Contains(out, "CHILD: wrote") {
		t.Fatalf("child did not get through the writes:\n%s", out)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("writing through a ReadOnly model changed the file")
	}
	out := run("close")
	if !strings.Contains(out, "CHILD: error: ") || strings.Contains(out, "CHILD: error: <nil>") {
		t.Fatalf("use after Close did not give an error:\n%s", out)
	}
	if i := strings.Index(out, "CHILD:"); i >= 0 {
		t.Log(strings.SplitN(out[i:], "\n", 2)[0])
	}
	if !strings.Contains(out, "ops: layer") {
		t.Errorf("the error does not name a layer:\n%s", out)
	}
}

// TestCloseCutsParametersLoose checks in process that Close leaves no
// parameter pointing into the released mapping.
func TestCloseCutsParametersLoose(t *testing.T) {
	_, path := saveTiny(t)
	m, err := Load(path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Graph.Params() {
		if p.Value != nil {
			t.Fatalf("%s still refers to the mapping after Close", TensorName(p))
		}
	}
}
