package data

import (
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeImage writes a w×h image of one colour as PNG or JPEG (by the
// extension of path), creating its folder.
func writeImage(t *testing.T, path string, w, h int, c color.RGBA) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, c)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".png") {
		err = png.Encode(f, img)
	} else {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 100})
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadFolderFlat(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "2_IMG_1.png"), 8, 8, color.RGBA{200, 0, 0, 255})
	writeImage(t, filepath.Join(dir, "0_IMG_5975 (1).jpg"), 8, 8, color.RGBA{0, 200, 0, 255})
	writeImage(t, filepath.Join(dir, "10_IMG_3.png"), 13, 5, color.RGBA{0, 0, 200, 255}) // odd size
	writeImage(t, filepath.Join(dir, "0_IMG_2.png"), 8, 8, color.RGBA{10, 20, 30, 255})
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadFolder(dir, FolderOptions{Height: 4, Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Numeric class order puts "10" after "2"; within a class, path order.
	if want := []string{"0", "2", "10"}; !slices.Equal(d.Classes, want) {
		t.Errorf("classes %v, want %v", d.Classes, want)
	}
	if want := []int{0, 0, 1, 2}; !slices.Equal(d.Labels, want) {
		t.Errorf("labels %v, want %v", d.Labels, want)
	}
	if d.Shape() != [3]int{4, 4, 3} || len(d.Pixels) != 4*4*4*3 {
		t.Fatalf("shape %v with %d pixels", d.Shape(), len(d.Pixels))
	}
	// A resized one-colour image keeps its colour; "0_IMG_2.png" sorts
	// before "0_IMG_5975 (1).jpg".
	first := d.Pixels[:3]
	if !slices.Equal(first, []uint8{10, 20, 30}) {
		t.Errorf("first pixel %v, want [10 20 30]", first)
	}
	last := d.Pixels[len(d.Pixels)-3:]
	if !slices.Equal(last, []uint8{0, 0, 200}) {
		t.Errorf("last pixel (resized 13×5 PNG) %v, want [0 0 200]", last)
	}
}

func TestLoadFolderSubfolders(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "palm", "a.jpg"), 6, 6, color.RGBA{255, 255, 255, 255})
	writeImage(t, filepath.Join(dir, "fist", "b.png"), 9, 7, color.RGBA{1, 2, 3, 255})
	writeImage(t, filepath.Join(dir, "fist", "nested", "c.PNG"), 6, 6, color.RGBA{4, 5, 6, 255})
	// Without a size, the first image read (fist/b.png, 9×7) sets it.
	d, err := LoadFolder(dir, FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"fist", "palm"}; !slices.Equal(d.Classes, want) {
		t.Errorf("classes %v, want %v", d.Classes, want)
	}
	if want := []int{0, 0, 1}; !slices.Equal(d.Labels, want) {
		t.Errorf("labels %v, want %v", d.Labels, want)
	}
	if d.Shape() != [3]int{7, 9, 3} {
		t.Errorf("shape %v, want the first image's 7×9×3", d.Shape())
	}
	// A fixed class list maps names to labels and rejects strangers.
	d, err = LoadFolder(dir, FolderOptions{Height: 2, Width: 2, Classes: []string{"palm", "fist", "ok"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 1, 1}; !slices.Equal(d.Labels, want) || len(d.ClassCounts()) != 3 {
		t.Errorf("labels %v with classes %v, want %v", d.Labels, d.Classes, want)
	}
	if _, err := LoadFolder(dir, FolderOptions{Classes: []string{"palm"}}); err == nil || !strings.Contains(err.Error(), "fist") {
		t.Errorf("unknown class: err = %v, want one naming the file of class fist", err)
	}
}

func TestLoadFolderErrors(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "1_ok.png"), 4, 4, color.RGBA{})
	bad := filepath.Join(dir, "1_broken.jpg")
	if err := os.WriteFile(bad, []byte("\xff\xd8\xff garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFolder(dir, FolderOptions{}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt image: err = %v, want one naming %s", err, bad)
	}

	noLabel := t.TempDir()
	writeImage(t, filepath.Join(noLabel, "nolabel.png"), 4, 4, color.RGBA{})
	if _, err := LoadFolder(noLabel, FolderOptions{}); err == nil || !strings.Contains(err.Error(), "nolabel.png") {
		t.Errorf("file without label: err = %v", err)
	}

	mixed := t.TempDir()
	writeImage(t, filepath.Join(mixed, "1_a.png"), 4, 4, color.RGBA{})
	writeImage(t, filepath.Join(mixed, "2", "b.png"), 4, 4, color.RGBA{})
	if _, err := LoadFolder(mixed, FolderOptions{}); err == nil || !strings.Contains(err.Error(), "layout") {
		t.Errorf("mixed layouts: err = %v", err)
	}

	if _, err := LoadFolder(t.TempDir(), FolderOptions{}); err == nil || !strings.Contains(err.Error(), "no .jpg") {
		t.Errorf("empty folder: err = %v", err)
	}
}
