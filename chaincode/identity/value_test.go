package identity

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValueJSON(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Value
	}{
		{"decodes a string", `"resident"`, StringValue("resident")},
		{"decodes a negative integer", `-12`, NumberValue(-12)},
		{"decodes true", `true`, BoolValue(true)},
		{"decodes false", ` false `, BoolValue(false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Value
			require.NoError(t, json.Unmarshal([]byte(tt.json), &v))
			require.True(t, tt.want.Equal(v))
			out, err := json.Marshal(v)
			require.NoError(t, err)
			require.JSONEq(t, tt.json, string(out))
		})
	}

	rejects := []struct {
		name string
		json string
	}{
		{"rejects a fraction", `1.5`},
		{"rejects an exponent", `1e3`},
		{"rejects an integer beyond 64 bits", `92233720368547758080`},
		{"rejects null", `null`},
		{"rejects an object", `{"a":1}`},
		{"rejects an array", `[1]`},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			var v Value
			err := json.Unmarshal([]byte(tt.json), &v)
			require.ErrorIs(t, err, ErrInvalid)
		})
	}

	t.Run("rejects direct calls with empty or malformed input", func(t *testing.T) {
		var v Value
		require.ErrorIs(t, v.UnmarshalJSON(nil), ErrInvalid)
		require.ErrorIs(t, v.UnmarshalJSON([]byte(`"unterminated`)), ErrInvalid)
		require.ErrorIs(t, v.UnmarshalJSON([]byte(`tru`)), ErrInvalid)
	})
	t.Run("encodes an unset value as null", func(t *testing.T) {
		out, err := json.Marshal(Value{})
		require.NoError(t, err)
		require.Equal(t, "null", string(out))
	})
}

func TestValueAccessors(t *testing.T) {
	s, ok := StringValue("x").Str()
	require.True(t, ok)
	require.Equal(t, "x", s)
	_, ok = NumberValue(1).Str()
	require.False(t, ok)
	n, ok := NumberValue(7).Num()
	require.True(t, ok)
	require.EqualValues(t, 7, n)
	b, ok := BoolValue(true).Flag()
	require.True(t, ok)
	require.True(t, b)

	tests := []struct {
		name     string
		v        Value
		kind     string
		rendered string
	}{
		{"renders a string quoted", StringValue(`a"b`), "string", `"a\"b"`},
		{"renders a number", NumberValue(-3), "number", "-3"},
		{"renders a boolean", BoolValue(false), "boolean", "false"},
		{"renders an unset value", Value{}, "unset", "<unset>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.kind, tt.v.Kind().String())
			require.Equal(t, tt.rendered, tt.v.String())
		})
	}
}

func TestValueValidate(t *testing.T) {
	tests := []struct {
		name    string
		v       Value
		wantErr string
	}{
		{"accepts a short string", StringValue("resident"), ""},
		{"accepts a number", NumberValue(3), ""},
		{"accepts a boolean", BoolValue(true), ""},
		{"rejects an unset value", Value{}, "must be a string, an integer or a boolean"},
		{"rejects an overlong string", StringValue(strings.Repeat("a", MaxStringValueLen+1)), "at most 256"},
		{"rejects control characters", StringValue("a\tb"), "control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.Validate("value")
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}
