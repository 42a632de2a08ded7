// Package data loads image-classification data sets and serves them to a
// training loop as shuffled, optionally augmented mini-batches.
//
// Two sources are supported:
//
//   - HDF5 files in the layout of the Keras tutorial's SIGNS files
//     (train_signs.h5: train_set_x uint8 N×64×64×3, train_set_y, list_classes),
//     read with LoadH5 or, for the pair of files, LoadSIGNS;
//   - image folders (JPEG or PNG) read with LoadFolder, either flat with the
//     label before the first underscore of each file name
//     ("3_IMG_5975 (1).jpg") or with one subfolder per class.
//
// What a file declares is checked against Limits (DefaultLimits unless an
// option says otherwise) before memory is committed to it, and every image
// file's header is read with image.DecodeConfig before it is decoded, so a
// hostile or corrupt file gets an error naming it, never an unbounded
// allocation.
//
// A Dataset keeps its images as uint8 pixels or float32 values in NHWC
// order. Scaled turns pixels into floats in [0, 1], as the tutorial's
// X/255. A Loader cuts a dataset into mini-batches: the order of an epoch
// is a permutation drawn from (seed, epoch) alone and each augmented image
// from (seed, epoch, index) alone, so a resumed run sees exactly the batches
// an unbroken run would have seen.
package data
