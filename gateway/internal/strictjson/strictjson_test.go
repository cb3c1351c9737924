package strictjson_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/strictjson"
)

type body struct {
	Name  string   `json:"name"`
	Tags  []string `json:"tags"`
	Inner struct {
		A int `json:"a"`
	} `json:"inner"`
	Skipped string `json:"-"`
	Plain   int
}

func TestObject(t *testing.T) {
	t.Run("splits an object into raw members", func(t *testing.T) {
		m, err := strictjson.Object(strings.NewReader(` {"a": 1, "b": {"c": [1, 2]}} `))
		require.NoError(t, err)
		require.JSONEq(t, `{"c":[1,2]}`, string(m["b"]))
	})

	bad := []struct {
		name, in, field, rule string
	}{
		{"refuses an empty body", ``, "", strictjson.RuleSyntax},
		{"refuses a non-object", `[1]`, "", strictjson.RuleObject},
		{"refuses a duplicate member", `{"a":1,"a":2}`, "a", strictjson.RuleDuplicate},
		{"refuses a second document", `{"a":1}{"b":2}`, "", strictjson.RuleTrailing},
		{"refuses trailing garbage", `{"a":1} x`, "", strictjson.RuleSyntax},
		{"names the member with a broken value", `{"a": tru}`, "a", strictjson.RuleSyntax},
		{"refuses a truncated object", `{"a": 1,`, "", strictjson.RuleSyntax},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := strictjson.Object(strings.NewReader(tc.in))
			require.ErrorIs(t, err, strictjson.ErrMalformed)
			var se *strictjson.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, tc.field, se.Field)
			require.Equal(t, tc.rule, se.Rule)
			require.NotEmpty(t, se.Error())
		})
	}

	t.Run("reports a body over the server's limit", func(t *testing.T) {
		r := http.MaxBytesReader(httptest.NewRecorder(), nopCloser{strings.NewReader(`{"a":"` + strings.Repeat("x", 100) + `"}`)}, 10)
		_, err := strictjson.Object(r)
		var se *strictjson.Error
		require.ErrorAs(t, err, &se)
		require.Equal(t, strictjson.RuleTooLarge, se.Rule)
	})
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func TestDecode(t *testing.T) {
	t.Run("fills known fields by their JSON names", func(t *testing.T) {
		var b body
		require.NoError(t, strictjson.Decode(strings.NewReader(`{"name":"x","tags":["a"],"inner":{"a":2},"Plain":3}`), &b))
		require.Equal(t, "x", b.Name)
		require.Equal(t, 2, b.Inner.A)
		require.Equal(t, 3, b.Plain)
	})

	bad := []struct {
		name, in, field, rule string
	}{
		{"names an unknown member", `{"name":"x","colour":"y"}`, "colour", strictjson.RuleUnknown},
		{"ignores fields tagged out", `{"Skipped":"x"}`, "Skipped", strictjson.RuleUnknown},
		{"names a wrongly typed member", `{"tags":"a"}`, "tags", strictjson.RuleType},
		{"refuses unknown nested members", `{"inner":{"a":1,"b":2}}`, "inner", strictjson.RuleType},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var b body
			err := strictjson.Decode(strings.NewReader(tc.in), &b)
			var se *strictjson.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, tc.field, se.Field)
			require.Equal(t, tc.rule, se.Rule)
		})
	}

	t.Run("passes a malformed body's error through", func(t *testing.T) {
		var b body
		require.ErrorIs(t, strictjson.Decode(strings.NewReader(`[`), &b), strictjson.ErrMalformed)
	})

	t.Run("needs a pointer to a struct", func(t *testing.T) {
		var n int
		require.Error(t, strictjson.Assign(nil, &n))
	})
}
