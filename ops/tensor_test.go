package ops

import "testing"

func TestTensor(t *testing.T) {
	x := NewTensor(2, 3, 4)
	if x.Len() != 24 || x.Rank() != 3 {
		t.Fatalf("Len %d Rank %d", x.Len(), x.Rank())
	}
	x.Set(5, 1, 2, 3)
	if x.Data[23] != 5 || x.At(1, 2, 3) != 5 {
		t.Fatal("Set/At do not address row-major order")
	}
	v, err := x.Reshape(2, -1)
	if err != nil || !v.Shape.Equal(Shape{2, 12}) {
		t.Fatalf("Reshape(2, -1) = %v, %v", v, err)
	}
	v.Data[0] = 7
	if x.Data[0] != 7 {
		t.Error("Reshape copied the data; it must be a view")
	}
	for _, bad := range [][]int{{5, 5}, {-1, -1}, {-2, 12}, {7, -1}} {
		if _, err := x.Reshape(bad...); err == nil {
			t.Errorf("Reshape%v accepted", bad)
		}
	}
	c := x.Clone()
	c.Data[1] = 9
	if x.Data[1] == 9 {
		t.Error("Clone shares data")
	}
	if _, err := FromSlice(make([]float32, 5), 2, 3); err == nil {
		t.Error("FromSlice accepted 5 values for (2, 3)")
	}
	if s := (Shape{32, 32, 64}).Keras(); s != "(None, 32, 32, 64)" {
		t.Errorf("Keras() = %s", s)
	}
	if s := (Shape{6}).String(); s != "(6,)" {
		t.Errorf("String() = %s", s)
	}
}
