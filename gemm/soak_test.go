package gemm

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/simdnet/simdnet/internal/hugemem"
)

var soakFull = flag.Bool("gemm.soak", false, "run TestSoakRSS at full length: 10,000 products and 100 re-packs, with huge pages on and off")

// TestSoakRSS is a long-running server in miniature: products with
// pre-packed weights, and every so often the weights packed again (a model
// reload) while the old ones become garbage. The process's resident memory
// must stay steady: after the first quarter (the heap has found its size),
// the peak of the last half may not exceed the peak of the second quarter
// by more than 25% + 16 MiB. By default it runs 2,000 products and 20
// re-packs with huge pages on; -gemm.soak runs 10,000 and 100, with huge
// pages on and then off, and logs both.
func TestSoakRSS(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a soak test: not in -short mode nor under the race detector")
	}
	if Selected().ISA == "generic" && !*soakFull {
		t.Skip("the portable kernel would take half a minute; run with -gemm.soak")
	}
	products, repacks := 2000, 20
	modes := []bool{true}
	if *soakFull {
		products, repacks, modes = 10000, 100, []bool{true, false}
	}
	for _, huge := range modes {
		t.Run(fmt.Sprintf("hugepages=%v", huge), func(t *testing.T) {
			defer hugemem.SetEnabled(hugemem.SetEnabled(huge))
			rss, thp, addrs, packs := soak(t, products, repacks)
			slices.Sort(packs)
			t.Logf("re-pack of the 4 weights (14 MiB): median %v, slowest %v", packs[len(packs)/2], packs[len(packs)-1])
			q := len(rss) / 4
			second, last := peak(rss[q:2*q]), peak(rss[2*q:])
			t.Logf("%d products, %d re-packs: RSS %d MiB after the first, peak %d MiB in the second quarter, %d MiB in the last half, %d MiB at the end (%d MiB of it in huge pages)",
				products, repacks, rss[0]>>20, second>>20, last>>20, rss[len(rss)-1]>>20, thp>>20)
			// No range that held packed weights, live or freed long ago,
			// may keep huge-page advice: reused by the heap, it would let
			// khugepaged re-collapse memory that the scavenger returns
			// (golang/go#64332), long after this test.
			if advised := adviceAt(addrs); advised > 0 {
				t.Errorf("%d of the %d ranges that held packed weights carry huge-page advice (VmFlags hg or nh)", advised, len(addrs))
			}
			if limit := second + second/4 + 16<<20; last > limit {
				t.Errorf("RSS grew: peak %d MiB in the last half against %d MiB in the second quarter (limit %d MiB)", last>>20, second>>20, limit>>20)
			}
		})
	}
}

// soak runs the products and re-packs and returns the RSS measured after
// each re-pack, the AnonHugePages at the end, the address of every packed
// operand it made and how long each re-pack took (a collapse that stalls
// on compaction would show there).
func soak(t *testing.T, products, repacks int) (rss []int, thp int, addrs []uintptr, packs []time.Duration) {
	rng := rand.New(rand.NewPCG(61, 62))
	// Four layers of weights, 3-4.5 MiB each packed, as a network's 1×1
	// convolutions and dense layers.
	shapes := [][2]int{{1024, 1024}, {1152, 768}, {768, 1152}, {1024, 1024}}
	raw := make([][]float32, len(shapes))
	for i, s := range shapes {
		raw[i] = randSlice(rng, s[0]*s[1])
	}
	packed := make([]*PackedB, len(shapes))
	pack := func() {
		start := time.Now()
		defer func() { packs = append(packs, time.Since(start)) }()
		for i, s := range shapes {
			packed[i] = PackB(nil, false, s[0], s[1], raw[i], s[1])
			addrs = append(addrs, uintptr(unsafe.Pointer(unsafe.SliceData(packed[i].data))))
		}
	}
	const m = 16
	a := randSlice(rng, m*1152)
	c := make([]float32, m*1152)
	every := products / repacks
	for i := 0; i < products; i++ {
		if i%every == 0 {
			pack()
			if i > 0 {
				rss = append(rss, residentBytes(t))
			}
		}
		pb := packed[i%len(packed)]
		Run(&Params{M: m, N: pb.N(), K: pb.K(), Alpha: 1, A: a, LDA: pb.K(), BPacked: pb, C: c, LDC: pb.N(), Threads: 1})
	}
	rss = append(rss, residentBytes(t))
	runtime.KeepAlive(packed)
	return rss, anonHuge(), addrs, packs
}

func peak(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// residentBytes is the process's resident set size (/proc/self/statm).
func residentBytes(t *testing.T) int {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("cannot read the RSS: %v", err)
	}
	var size, resident int
	fmt.Sscan(string(data), &size, &resident)
	return resident * os.Getpagesize()
}

// adviceAt counts the addresses whose mapping's VmFlags carry
// MADV_HUGEPAGE (hg) or MADV_NOHUGEPAGE (nh), from /proc/self/smaps;
// addresses no longer mapped count as clean.
func adviceAt(addrs []uintptr) (advised int) {
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0
	}
	var lo, hi uintptr
	for _, line := range strings.Split(string(data), "\n") {
		var a, b uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &a, &b); n == 2 {
			lo, hi = a, b
			continue
		}
		f, ok := strings.CutPrefix(line, "VmFlags:")
		if !ok || !strings.Contains(f+" ", " hg ") && !strings.Contains(f+" ", " nh ") {
			continue
		}
		for _, p := range addrs {
			if lo <= p && p < hi {
				advised++
			}
		}
	}
	return advised
}

// anonHuge is the process's AnonHugePages in bytes, or 0 where unknown.
func anonHuge() int {
	data, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if kb, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			var n int
			fmt.Sscan(strings.TrimSpace(kb), &n)
			return n << 10
		}
	}
	return 0
}
