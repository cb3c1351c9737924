package identity

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// MaxStringValueLen bounds a string claim value. Claims are codes and bands,
// not prose.
const MaxStringValueLen = 256

// ValueKind is the type of a claim value. There is no floating-point kind:
// bands, ages and amounts are integers, and integer comparison gives the same
// answer on every peer.
type ValueKind uint8

// Claim value kinds. The zero ValueKind marks an unset Value.
const (
	KindString ValueKind = iota + 1
	KindNumber
	KindBool
)

func (k ValueKind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindNumber:
		return "number"
	case KindBool:
		return "boolean"
	default:
		return "unset"
	}
}

// Value is a claim value: a string, a 64-bit integer or a boolean. The zero
// Value is unset and fails Validate.
type Value struct {
	kind ValueKind
	str  string
	num  int64
	flag bool
}

// StringValue returns a string claim value.
func StringValue(s string) Value { return Value{kind: KindString, str: s} }

// NumberValue returns an integer claim value.
func NumberValue(n int64) Value { return Value{kind: KindNumber, num: n} }

// BoolValue returns a boolean claim value.
func BoolValue(b bool) Value { return Value{kind: KindBool, flag: b} }

// Kind reports the value's kind.
func (v Value) Kind() ValueKind { return v.kind }

// Str returns the string and whether v is a string.
func (v Value) Str() (string, bool) { return v.str, v.kind == KindString }

// Num returns the integer and whether v is a number.
func (v Value) Num() (int64, bool) { return v.num, v.kind == KindNumber }

// Flag returns the boolean and whether v is a boolean.
func (v Value) Flag() (bool, bool) { return v.flag, v.kind == KindBool }

// Equal reports whether v and w have the same kind and contents.
func (v Value) Equal(w Value) bool { return v == w }

// String renders v as a rule literal: a quoted string, an integer, true or false.
func (v Value) String() string {
	switch v.kind {
	case KindString:
		return strconv.Quote(v.str)
	case KindNumber:
		return strconv.FormatInt(v.num, 10)
	case KindBool:
		return strconv.FormatBool(v.flag)
	default:
		return "<unset>"
	}
}

// Validate checks that v is set and, for strings, short UTF-8 text without
// control characters.
func (v Value) Validate(field string) error {
	switch v.kind {
	case KindString:
		return ValidateText(field, v.str, MaxStringValueLen)
	case KindNumber, KindBool:
		return nil
	default:
		return invalid(field, "must be a string, an integer or a boolean")
	}
}

// canonical is the value's encoding inside a commitment: a kind byte, then
// canonical text. See the package documentation.
func (v Value) canonical() []byte {
	switch v.kind {
	case KindString:
		return append([]byte{'s'}, v.str...)
	case KindNumber:
		return strconv.AppendInt([]byte{'n'}, v.num, 10)
	default:
		return strconv.AppendBool([]byte{'b'}, v.flag)
	}
}

// MarshalJSON encodes v as a JSON string, integer or boolean.
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case KindString:
		return json.Marshal(v.str)
	case KindNumber:
		return strconv.AppendInt(nil, v.num, 10), nil
	case KindBool:
		return strconv.AppendBool(nil, v.flag), nil
	default:
		return []byte("null"), nil
	}
}

// UnmarshalJSON accepts a JSON string, an integer that fits in 64 bits, or a
// boolean. Fractions, exponents, null, arrays and objects are refused so a
// value can only ever have one meaning.
func (v *Value) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return invalid("value", "is required")
	}
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return invalid("value", "must be a valid JSON string")
		}
		*v = StringValue(s)
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(data, &b); err != nil {
			return invalid("value", "must be true or false")
		}
		*v = BoolValue(b)
	default:
		n, err := strconv.ParseInt(string(data), 10, 64)
		if err != nil {
			return invalid("value", "must be a string, a 64-bit integer or a boolean")
		}
		*v = NumberValue(n)
	}
	return nil
}
