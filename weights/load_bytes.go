package weights

import "github.com/simdnet/simdnet/weights/safetensors"

// LoadBytes is Load for a model file held in memory, such as one embedded
// in a program with go:embed; name stands for the file in errors. The
// weights are copied, so data may be reused afterwards.
func LoadBytes(name string, data []byte) (*Model, error) {
	f, err := safetensors.Parse(name, data)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, _, err := decode(f, false, false)
	return m, err
}
