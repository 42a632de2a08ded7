// Macros shared by the AVX2 and AVX-512 depthwise kernels (both files
// include this one). Every kernel rewrites some of its argument slots in
// bytes to free registers; these do it the same way in each.

// Returns (to label done) when width or channels is not positive; R11 and

#define RETURN_IF_EMPTY(width, channels, done) \
	MOVQ  width, R11  \
	TESTQ R11, R11    \
	JLE   done        \
	MOVQ  channels, R13 \
	TESTQ R13, R13    \
	JLE   done

// Rewrites an element-count slot as bytes; R13 is scratch.
#define SLOT_TO_BYTES(slot) \
	MOVQ slot, R13 \
	SHLQ $2, R13   \
	MOVQ R13, slot

// Loads the nine tap pointers of the array at in+16(FP) into AX, BX, CX,
// DX, SI, DI, R8, R9 and R10; R15 is scratch.
#define LOAD_TAPS9 \
	MOVQ in+16(FP), R15 \
	MOVQ 0(R15), AX     \
	MOVQ 8(R15), BX     \
	MOVQ 16(R15), CX    \
	MOVQ 24(R15), DX    \
	MOVQ 32(R15), SI    \
	MOVQ 40(R15), DI    \
	MOVQ 48(R15), R8    \
	MOVQ 56(R15), R9    \
	MOVQ 64(R15), R10
