package topology

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ErrByteSize is wrapped by every error ParseByteSize returns.
var ErrByteSize = errors.New("invalid byte size")

// byteSizePattern is the size syntax configtxgen accepts: a number and an
// optional K, M or G unit (binary multiples), optionally followed by B.
var byteSizePattern = regexp.MustCompile(`^([0-9]+)\s*(?i:([kmg])b?)?$`)

// ParseByteSize reads a size such as "10 MB", "512K" or "1048576" the way
// configtxgen does (K = 1024), bounded by the uint32 the channel config holds.
func ParseByteSize(s string) (uint32, error) {
	m := byteSizePattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("%w: %q is not a number with an optional K, M or G unit", ErrByteSize, s)
	}
	n, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %w", ErrByteSize, s, err)
	}
	shift := map[string]uint{"": 0, "k": 10, "m": 20, "g": 30}[strings.ToLower(m[2])]
	if n > math.MaxUint32>>shift {
		return 0, fmt.Errorf("%w: %q exceeds %d bytes", ErrByteSize, s, uint64(math.MaxUint32))
	}
	return uint32(n << shift), nil //nolint:gosec // G115: n <= MaxUint32>>shift is checked above
}
