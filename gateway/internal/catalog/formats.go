package catalog

import (
	"math"
	"math/big"
	"sync"

	"github.com/xeipuuv/gojsonschema"
)

var formatsOnce sync.Once

// registerFormats teaches the schema validator contractapi's integer formats,
// so an int32 parameter given 2^40 is refused here with the field named
// instead of failing inside the chaincode's argument conversion.
func registerFormats() {
	formatsOnce.Do(func() {
		gojsonschema.FormatCheckers.
			Add("int8", intRange{math.MinInt8, math.MaxInt8}).
			Add("int16", intRange{math.MinInt16, math.MaxInt16}).
			Add("int32", intRange{math.MinInt32, math.MaxInt32}).
			Add("int64", intRange{math.MinInt64, math.MaxInt64})
	})
}

// intRange accepts numbers that are integers within [min, max]. Non-numeric
// input passes: the type keyword already judges it.
type intRange struct{ min, max int64 }

// IsFormat implements gojsonschema.FormatChecker.
func (r intRange) IsFormat(input any) bool {
	n, ok := input.(*big.Rat)
	if !ok {
		return true
	}
	if !n.IsInt() {
		return false
	}
	v := n.Num()
	return v.IsInt64() && v.Int64() >= r.min && v.Int64() <= r.max
}
