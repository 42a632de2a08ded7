package main

import (
	"strings"
	"testing"
)

// TestSummaryMobileNetV2 is the command: Keras's totals for
// MobileNetV2 at 224×224×3 with 1000 classes.
func TestSummaryMobileNetV2(t *testing.T) {
	code, out, errOut := run(t, "summary", "--arch", "mobilenetv2", "--input", "224x224x3", "--classes", "1000")
	if code != 0 {
		t.Fatalf("summary --arch mobilenetv2: status %d, stderr %s", code, errOut)
	}
	for _, want := range []string{"Total params: 3,538,984", "Trainable params: 3,504,872", "Non-trainable params: 34,112"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q; it ends\n%s", want, out[max(0, len(out)-300):])
		}
	}
	code, out, _ = run(t, "summary", "-h")
	if !strings.Contains(out, "mobilenetv2") {
		t.Errorf("summary -h (status %d) does not offer mobilenetv2:\n%s", code, out)
	}
}
