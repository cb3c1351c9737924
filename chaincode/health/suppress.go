package health

import "fmt"

// DefaultMinCellSize is k: the smallest count shown to readers outside the
// health organisations. Five follows common public-health release practice.
const DefaultMinCellSize = 5

// Suppressed renders count for a reader outside the collection's
// organisations: "<k" when below k (zero included, so that the absence of
// cases is not distinguishable from a handful), the count otherwise.
func Suppressed(count int64, k int) string {
	if count < int64(k) {
		return fmt.Sprintf("<%d", k)
	}
	return fmt.Sprint(count)
}

// Band renders count as a coarse band for broadcast, where even counts above
// k are more than an alert needs: "<k" below k, then bands bounded by the
// 1-2-5 series above k, e.g. with k = 5: "5-9", "10-19", "20-49", "50-99",
// "100-199".
func Band(count int64, k int) string {
	if count < int64(k) {
		return fmt.Sprintf("<%d", k)
	}
	lo := int64(k)
	hi := next125(lo)
	for count >= hi {
		lo, hi = hi, next125(hi)
	}
	return fmt.Sprintf("%d-%d", lo, hi-1)
}

// next125 is the smallest number of the form 1, 2 or 5 times a power of ten
// that is greater than x (x >= 0).
func next125(x int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p > x {
				return m * p
			}
		}
	}
}
