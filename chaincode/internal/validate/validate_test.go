package validate_test

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/stretchr/testify/require"
)

// requireRule asserts err is a *FieldError on field breaking rule.
func requireRule(t *testing.T, err error, field, rule string) {
	t.Helper()
	var fe *validate.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
	require.Equal(t, rule, fe.Rule)
	require.ErrorIs(t, err, validate.ErrInvalid)
	require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
}

func TestFieldError(t *testing.T) {
	t.Run("renders field, rule and detail", func(t *testing.T) {
		err := validate.Positive("budget.amount", 0)
		require.EqualError(t, err, `field "budget.amount": rule "positive": must be > 0`)
	})
	t.Run("reaches the client as INVALID_ARGUMENT with field and rule", func(t *testing.T) {
		var ce *ccerror.Error
		require.ErrorAs(t, ccerror.From(validate.Currency("budget.currency", "eur")), &ce)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "budget.currency", ce.Field)
		require.Equal(t, validate.RuleCurrency, ce.Rule)
	})
}

func TestChecks(t *testing.T) {
	upper := regexp.MustCompile(`^[A-Z]+$`)
	tests := []struct {
		name string
		err  error
		rule string // empty: must pass
	}{
		{"Required accepts text", validate.Required("f", "x"), ""},
		{"Required rejects empty", validate.Required("f", ""), validate.RuleRequired},
		{"Required rejects whitespace", validate.Required("f", " \t\n"), validate.RuleRequired},
		{"MaxLen counts characters, not bytes", validate.MaxLen("f", "éééé", 4), ""},
		{"MaxLen rejects one too many", validate.MaxLen("f", "abcde", 4), validate.RuleMaxLen},
		{"MaxLen rejects invalid UTF-8", validate.MaxLen("f", "a\xffb", 10), validate.RuleUTF8},
		{"Pattern accepts a match", validate.Pattern("f", "ABC", upper, "upper case"), ""},
		{"Pattern rejects a mismatch", validate.Pattern("f", "abc", upper, "upper case"), validate.RulePattern},
		{"ID accepts a typical identifier", validate.ID("f", "T-2026.001:a_b"), ""},
		{"ID accepts 64 characters", validate.ID("f", strings.Repeat("a", 64)), ""},
		{"ID rejects 65 characters", validate.ID("f", strings.Repeat("a", 65)), validate.RuleID},
		{"ID rejects empty as required", validate.ID("f", ""), validate.RuleRequired},
		{"ID rejects a leading separator", validate.ID("f", "-a"), validate.RuleID},
		{"ID rejects NUL", validate.ID("f", "a\x00b"), validate.RuleID},
		{"ID rejects U+10FFFF", validate.ID("f", "a\U0010FFFF"), validate.RuleID},
		{"ID rejects slashes and spaces", validate.ID("f", "a/b c"), validate.RuleID},
		{"ID rejects non-ASCII", validate.ID("f", "Łódź"), validate.RuleID},
		{"OneOf accepts a listed value", validate.OneOf("f", "b", "a", "b"), ""},
		{"OneOf rejects others", validate.OneOf("f", "c", "a", "b"), validate.RuleOneOf},
		{"Positive accepts 1", validate.Positive("f", int64(1)), ""},
		{"Positive accepts a small float", validate.Positive("f", 0.01), ""},
		{"Positive rejects zero", validate.Positive("f", uint8(0)), validate.RulePositive},
		{"Positive rejects negatives", validate.Positive("f", -5), validate.RulePositive},
		{"Positive rejects NaN", validate.Positive("f", math.NaN()), validate.RulePositive},
		{"InRange accepts bounds", validate.InRange("f", 10, 1, 10), ""},
		{"InRange rejects above", validate.InRange("f", 11, 1, 10), validate.RuleRange},
		{"InRange rejects NaN", validate.InRange("f", math.NaN(), 0, 1), validate.RuleRange},
		{"Currency accepts EUR", validate.Currency("f", "EUR"), ""},
		{"Currency rejects lower case", validate.Currency("f", "eur"), validate.RuleCurrency},
		{"Currency rejects four letters", validate.Currency("f", "EURO"), validate.RuleCurrency},
		{"SHA256Hex accepts a digest", validate.SHA256Hex("f", strings.Repeat("ab", 32)), ""},
		{"SHA256Hex rejects upper case", validate.SHA256Hex("f", strings.Repeat("AB", 32)), validate.RuleSHA256},
		{"SHA256Hex rejects short", validate.SHA256Hex("f", "abcd"), validate.RuleSHA256},
		{"Fail builds domain rules", validate.Fail("f", "custom", "no"), "custom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rule == "" {
				require.NoError(t, tc.err)
				return
			}
			requireRule(t, tc.err, "f", tc.rule)
		})
	}
}

func TestTime(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Time
		ok   bool
	}{
		{"parses UTC", "2026-01-31T17:00:00Z", time.Date(2026, 1, 31, 17, 0, 0, 0, time.UTC), true},
		{"converts offsets to UTC", "2026-01-31T18:00:00+01:00", time.Date(2026, 1, 31, 17, 0, 0, 0, time.UTC), true},
		{"keeps fractions", "2026-01-31T17:00:00.5Z", time.Date(2026, 1, 31, 17, 0, 0, 5e8, time.UTC), true},
		{"rejects a date alone", "2026-01-31", time.Time{}, false},
		{"rejects a missing zone", "2026-01-31T17:00:00", time.Time{}, false},
		{"rejects empty", "", time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validate.Time("deadline", tc.in)
			if !tc.ok {
				requireRule(t, err, "deadline", validate.RuleRFC3339)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestAll(t *testing.T) {
	t.Run("reports the first failure in order", func(t *testing.T) {
		err := validate.All(nil, validate.Required("a", ""), validate.Required("b", ""))
		requireRule(t, err, "a", validate.RuleRequired)
	})
	t.Run("passes when every check passes", func(t *testing.T) {
		require.NoError(t, validate.All(nil, validate.Required("a", "x")))
		require.NoError(t, validate.All())
	})
}

type money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type tender struct {
	ID     string            `json:"id"`
	Budget money             `json:"budget"`
	Tags   []string          `json:"tags,omitempty"`
	Extra  map[string]string `json:"extra,omitempty"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		rule string // empty: must decode
	}{
		{"decodes a valid document", `{"id":"T-1","budget":{"amount":5,"currency":"EUR"},"tags":["a"]}`, ""},
		{"allows surrounding whitespace", " \n{\"id\":\"T-1\"}\n ", ""},
		{"allows the same key in different objects", `{"id":"x","budget":{"amount":1},"extra":{"id":"y"}}`, ""},
		{"rejects unknown fields", `{"id":"T-1","admin":true}`, validate.RuleJSON},
		{"rejects unknown nested fields", `{"budget":{"amount":1,"rate":2}}`, validate.RuleJSON},
		{"rejects trailing data", `{"id":"a"} x`, validate.RuleJSON},
		{"rejects a second value", `{"id":"a"}{"id":"b"}`, validate.RuleJSON},
		{"rejects empty input as required", ``, validate.RuleRequired},
		{"rejects blank input as required", "  ", validate.RuleRequired},
		{"rejects null", `null`, validate.RuleRequired},
		{"rejects a repeated key", `{"id":"a","id":"b"}`, validate.RuleDuplicate},
		{"rejects a key repeated in another case", `{"id":"a","ID":"b"}`, validate.RuleDuplicate},
		{"rejects a repeated nested key", `{"budget":{"amount":1,"amount":2}}`, validate.RuleDuplicate},
		{"rejects wrong types", `{"budget":{"amount":"lots"}}`, validate.RuleJSON},
		{"rejects the wrong top-level type", `[1,2]`, validate.RuleJSON},
		{"rejects malformed JSON", `{"id":`, validate.RuleJSON},
		{"rejects invalid tokens", `{"id":tru}`, validate.RuleJSON},
		{"rejects invalid UTF-8", "{\"id\":\"\xff\"}", validate.RuleUTF8},
		{"rejects deep nesting", strings.Repeat(`{"extra":`, 40) + `{}` + strings.Repeat(`}`, 40), validate.RuleJSON},
		{"rejects oversized input", `{"id":"` + strings.Repeat("a", validate.MaxJSONBytes) + `"}`, validate.RuleMaxSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v tender
			err := validate.DecodeJSON("input", tc.in, &v)
			if tc.rule == "" {
				require.NoError(t, err)
				return
			}
			requireRule(t, err, "input", tc.rule)
		})
	}
	t.Run("names the offending field without echoing the value", func(t *testing.T) {
		var v tender
		err := validate.DecodeJSON("input", `{"budget":{"amount":"SECRET-VALUE"}}`, &v)
		require.ErrorContains(t, err, "budget.amount")
		require.NotContains(t, err.Error(), "SECRET-VALUE")
		err = validate.DecodeJSON("input", `{"id":"a","nosuch":"SECRET-VALUE"}`, &v)
		require.ErrorContains(t, err, `unknown field "nosuch"`)
		require.NotContains(t, err.Error(), "SECRET-VALUE")
	})
	t.Run("decodes into the value", func(t *testing.T) {
		var v tender
		require.NoError(t, validate.DecodeJSON("input", `{"id":"T-1","budget":{"amount":5,"currency":"EUR"}}`, &v))
		require.Equal(t, tender{ID: "T-1", Budget: money{Amount: 5, Currency: "EUR"}}, v)
	})
	t.Run("reports a bad target as the contract's bug, not invalid input", func(t *testing.T) {
		var notPointer tender
		err := validate.DecodeJSON("input", `{}`, notPointer)
		require.Error(t, err)
		require.NotErrorIs(t, err, validate.ErrInvalid)
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"T-1","budget":{"amount":5,"currency":"EUR"},"tags":["a"],"extra":{"k":"v"}}`,
		`{"id":"a","ID":"b"}`, `null`, `[]`, `{"extra":{"a":1}}`, `{"id":"\ud800"}`, "{\"id\":\"\xff\"}", `{} {}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var v tender
		err := validate.DecodeJSON("input", in, &v)
		if err != nil {
			var fe *validate.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "input", fe.Field)
			require.NotEmpty(t, fe.Rule)
		}
	})
}
