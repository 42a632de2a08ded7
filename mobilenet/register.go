package mobilenet

import (
	"strconv"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/ops"
)

// PublishedAlphas are the widths keras.applications publishes weights for.
var PublishedAlphas = []float64{0.35, 0.5, 0.75, 1, 1.3, 1.4}

// V2Name is the registered name of MobileNetV2 of width alpha:
// "mobilenetv2" for 1, else e.g. "mobilenetv2-0.35".
func V2Name(alpha float64) string {
	if alpha == 1 {
		return "mobilenetv2"
	}
	return "mobilenetv2-" + strconv.FormatFloat(alpha, 'f', -1, 64)
}

func init() {
	for _, a := range PublishedAlphas {
		cfg := V2Config{Alpha: a}
		models.MustRegister(V2Name(a), func(inputShape [3]int, classes int, seed uint64) (*ops.Graph, error) {
			return V2(cfg, inputShape, classes, seed)
		})
	}
}
