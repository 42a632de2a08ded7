package data

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FolderOptions configures LoadFolder.
type FolderOptions struct {
	// Height and Width are the size every image is resized to (as
	// ops.ImagePixels resizes: area averaging to shrink, bilinear to grow);
	// zero takes the size of the first image read.
	Height, Width int
	// Classes fixes the class names in label order, so that the train,
	// validation and test folders of one data set share labels even when a
	// class is missing from one of them. Nil derives them from the data.
	Classes []string
	// Limits bound the pixels of each image file and the bytes of the
	// whole data set; zero fields take DefaultLimits' values.
	Limits Limits
}

// LoadFolder reads a folder of JPEG and PNG images in one of two layouts:
//
//   - flat: every image directly in dir, its class the text before the
//     first underscore of its name ("0_IMG_5975 (1).jpg" is class "0");
//   - one subfolder per class ("0/", "1/", or named classes "fist/",
//     "palm/"), images anywhere below it.
//
// Classes derived from the data are sorted, numerically when every name is
// an integer (so "10" follows "9"), else as strings. Images are read in
// class, then path order, as three RGB channels of uint8 pixels, resized
// as ops.ImagePixels resizes a photo for prediction.
//
// Every file is checked before it is decoded: its header must declare at
// most Limits.MaxImagePixels pixels, its format must match its extension,
// and the whole data set must fit Limits.MaxBytes. A file that is not an
// image, is empty or truncated gets an error naming it.
func LoadFolder(dir string, opt FolderOptions) (*Dataset, error) {
	lim := opt.Limits.orDefault()
	files, names, err := listFolder(dir)
	if err != nil {
		return nil, err
	}
	classes := opt.Classes
	if classes == nil {
		classes = sortClasses(names)
	}
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	labels := make([]int, len(files))
	for i, path := range files {
		l, ok := index[names[i]]
		if !ok {
			return nil, fmt.Errorf("data: %s: class %q is not among %v", path, names[i], classes)
		}
		labels[i] = l
	}
	order := identity(len(files))
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(labels[a], labels[b]), strings.Compare(files[a], files[b]))
	})
	if len(files) == 0 {
		return nil, fmt.Errorf("data: %s: no .jpg, .jpeg or .png images", dir)
	}
	if opt.Height < 0 || opt.Width < 0 {
		return nil, fmt.Errorf("data: %s: image size %d×%d must not be negative", dir, opt.Height, opt.Width)
	}
	r := &imageReader{maxPixels: lim.MaxImagePixels}
	d := &Dataset{Height: opt.Height, Width: opt.Width, Channels: 3, MaxValue: 255, Classes: slices.Clone(classes)}
	if d.Height == 0 || d.Width == 0 {
		if d.Height, d.Width, err = r.size(files[order[0]]); err != nil {
			return nil, err
		}
	}
	size, ok := imagesBytes(len(files), d.Height, d.Width, 3, 1, lim.MaxBytes)
	if !ok {
		return nil, fmt.Errorf("data: %s: %d images of %d×%d×3 take %s, above the limit of %s (Limits.MaxBytes)",
			dir, len(files), d.Height, d.Width, byteSize(size), byteSize(uint64(lim.MaxBytes)))
	}
	d.Pixels = make([]uint8, size)
	d.Labels = make([]int, len(files))
	n := d.ImageLen()
	for k, i := range order {
		if err := r.read(d.Pixels[k*n:(k+1)*n], files[i], d.Height, d.Width); err != nil {
			return nil, err
		}
		d.Labels[k] = labels[i]
	}
	return d, d.Validate()
}

// listFolder returns the image paths under dir with the class name of
// each, after deciding the layout.
func listFolder(dir string) (files, classes []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	var subdirs, images []string
	for _, e := range entries {
		switch {
		case e.IsDir():
			subdirs = append(subdirs, e.Name())
		case isImageFile(e.Name()):
			images = append(images, e.Name())
		}
	}
	switch {
	case len(images) > 0 && len(subdirs) > 0:
		return nil, nil, fmt.Errorf("data: %s: has both images (%s, ...) and subfolders (%s, ...); use one layout", dir, images[0], subdirs[0])
	case len(images) > 0:
		for _, name := range images {
			class, _, ok := strings.Cut(name, "_")
			if !ok || class == "" {
				return nil, nil, fmt.Errorf("data: %s: no class before an underscore in the file name (want e.g. 3_IMG_0001.jpg)", filepath.Join(dir, name))
			}
			files = append(files, filepath.Join(dir, name))
			classes = append(classes, class)
		}
	default:
		for _, class := range subdirs {
			found, err := imagesBelow(filepath.Join(dir, class))
			if err != nil {
				return nil, nil, err
			}
			for _, f := range found {
				files = append(files, f)
				classes = append(classes, class)
			}
		}
	}
	return files, classes, nil
}

// imagesBelow lists the image files anywhere below dir, sorted.
func imagesBelow(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && isImageFile(path) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	slices.Sort(found)
	return found, nil
}

// sortClasses returns the distinct names, numerically sorted when all are
// integers and lexically otherwise.
func sortClasses(names []string) []string {
	distinct := slices.Clone(names)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	numbers := make(map[string]int, len(distinct))
	for _, n := range distinct {
		v, err := strconv.Atoi(n)
		if err != nil {
			return distinct
		}
		numbers[n] = v
	}
	slices.SortFunc(distinct, func(a, b string) int { return numbers[a] - numbers[b] })
	return distinct
}
