package benefits

import (
	"errors"
	"strings"
	"testing"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/stretchr/testify/require"
)

const exampleRule = `all(residency == "resident", ageOver18 == true, any(incomeBand <= 2, not(employed == true)))`

func TestParseRuleCanonicalises(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"keeps the canonical example as it is", exampleRule, exampleRule},
		{"normalises whitespace", " all (\n\tresidency==\"resident\" ,ageOver18 != false )", `all(residency == "resident", ageOver18 != false)`},
		{"accepts a bare comparison", "incomeBand>=3", "incomeBand >= 3"},
		{"accepts negative integers", "balance > -100", "balance > -100"},
		{"accepts zero", "dependants == 0", "dependants == 0"},
		{"keeps escaped quotes and backslashes", `code == "a\"b\\c"`, `code == "a\"b\\c"`},
		{"keeps non-ASCII text", `region == "Île-de-France"`, `region == "Île-de-France"`},
		{"accepts every ordering operator", "all(a < 1, b <= 1, c > 1, d >= 1)", "all(a < 1, b <= 1, c > 1, d >= 1)"},
		{"accepts a claim that starts like a keyword", "allowance == true", "allowance == true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRule(tt.src)
			require.NoError(t, err)
			require.Equal(t, tt.want, r.String())
			again, err := ParseRule(r.String())
			require.NoError(t, err)
			require.Equal(t, r.String(), again.String())
		})
	}
}

func TestParseRuleErrorsNameThePosition(t *testing.T) {
	tests := []struct {
		name string
		src  string
		pos  int
		msg  string
	}{
		{"rejects an empty rule", "", 1, "expected a condition, found end of rule"},
		{"rejects a missing closing parenthesis", "all(a == 1", 11, "expected ')', found end of rule"},
		{"rejects a missing operator", "all(a 1)", 7, "expected a comparison operator after a"},
		{"rejects a missing literal", "a ==", 5, "expected a string, integer, true or false"},
		{"rejects trailing input", "a == 1 b", 8, "expected end of rule"},
		{"rejects an unknown combinator", "some(a == 1)", 1, `unknown combinator "some"`},
		{"rejects not with two arguments", "not(a == 1, b == 2)", 11, "expected ')', found ','"},
		{"rejects an empty all", "all()", 5, "expected a condition, found ')'"},
		{"rejects a trailing comma", "any(a == 1,)", 12, "expected a condition"},
		{"rejects ordering a string", `residency < "x"`, 13, "operator < compares numbers, not a string"},
		{"rejects ordering a boolean", "ageOver18 >= true", 14, "compares numbers, not a boolean"},
		{"rejects a single equals sign", "a = 1", 3, "expected == or !="},
		{"rejects a bare bang", "a ! 1", 3, "expected == or !="},
		{"rejects a claim named like a literal", "true == true", 1, "expected a claim name, found true"},
		{"rejects a claim named with a capital", "Income == 1", 1, `claim name "Income" must be 1 to 32 characters starting with a lower-case letter`},
		{"rejects a literal that names a claim", "a == b", 6, `expected a string, integer, true or false, found "b"`},
		{"rejects a lone minus", "a == -", 6, "expected digits after '-'"},
		{"rejects a leading zero", "a == 007", 6, "leading zero"},
		{"rejects a fraction", "a == 1.5", 6, "whole decimal digits"},
		{"rejects an integer beyond 64 bits", "a == 99999999999999999999", 6, "does not fit in 64 bits"},
		{"rejects an unterminated string", `a == "abc`, 6, "string is not terminated"},
		{"rejects an unknown escape", `a == "a\n"`, 8, `only \" and \\ escapes`},
		{"rejects a control character in a string", "a == \"a\tb\"", 8, "control character"},
		{"rejects an overlong string", `a == "` + strings.Repeat("x", identity.MaxStringValueLen+1) + `"`, 6, "at most 256 bytes"},
		{"rejects an unexpected character", "a == 1 & b", 8, `unexpected character '&'`},
		{"rejects invalid UTF-8", "a == \"\xff\"", 7, "not valid UTF-8"},
		{"rejects an overlong rule", strings.Repeat(" ", MaxRuleLen+1), MaxRuleLen + 1, "longer than"},
		{"rejects deep nesting", strings.Repeat("not(", MaxRuleDepth) + "a == 1" + strings.Repeat(")", MaxRuleDepth), 4*MaxRuleDepth + 1, "deeper than"},
		{"rejects too many conditions", "all(" + strings.Repeat("a == 1, ", MaxRuleNodes) + "a == 1)", 4 + 8*(MaxRuleNodes-1) + 1, "more than 64 conditions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRule(tt.src)
			require.ErrorIs(t, err, ErrSyntax)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tt.pos, pe.Pos, pe.Error())
			require.Contains(t, pe.Msg, tt.msg)
			require.ErrorContains(t, err, "position")
		})
	}
	t.Run("reports as an invalid argument on the rule field", func(t *testing.T) {
		_, err := ParseRule("all(")
		var ce *ccerror.Error
		require.ErrorAs(t, ccerror.From(err), &ce)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
		require.Equal(t, "rule", ce.Field)
		require.Equal(t, "syntax at position 5", ce.Rule)
	})
}

func TestRuleClaims(t *testing.T) {
	r, err := ParseRule(`any(` + exampleRule + `, incomeBand == 0)`)
	require.NoError(t, err)
	require.Equal(t, []string{"ageOver18", "employed", "incomeBand", "residency"}, r.Claims())
}

func claimSet(t *testing.T, kv map[string]identity.Value) *ClaimSet {
	t.Helper()
	s := NewClaimSet()
	for k, v := range kv {
		require.NoError(t, s.Set(k, v))
	}
	return s
}

func TestEvaluate(t *testing.T) {
	eligible := map[string]identity.Value{
		"residency": identity.StringValue("resident"), "ageOver18": identity.BoolValue(true),
		"incomeBand": identity.NumberValue(4), "employed": identity.BoolValue(false),
	}
	with := func(k string, v identity.Value) map[string]identity.Value {
		out := map[string]identity.Value{}
		for kk, vv := range eligible {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	without := func(k string) map[string]identity.Value {
		out := with(k, identity.Value{})
		delete(out, k)
		return out
	}
	tests := []struct {
		name   string
		rule   string
		claims map[string]identity.Value
		want   Outcome
	}{
		{"passes when every condition holds", exampleRule, eligible, OutcomePass},
		{"fails an employed applicant above the income threshold", exampleRule, with("employed", identity.BoolValue(true)), OutcomeFail},
		{"passes a low income band even when employed", exampleRule, with("incomeBand", identity.NumberValue(2)), OutcomePass},
		{"fails a non-resident", exampleRule, with("residency", identity.StringValue("non-resident")), OutcomeFail},
		{"cannot decide when a needed claim was withheld", exampleRule, without("residency"), OutcomeUnknown},
		{"does not treat a withheld flag as false under not", "not(employed == true)", without("employed"), OutcomeUnknown},
		{"fails all when one condition fails even if another is unknown", `all(residency == "x", missing == 1)`, eligible, OutcomeFail},
		{"passes any when one condition holds even if another is unknown", `any(residency == "resident", missing == 1)`, eligible, OutcomePass},
		{"fails any when none hold", `any(incomeBand < 1, employed == true)`, eligible, OutcomeFail},
		{"cannot decide a comparison across kinds", `incomeBand == "4"`, eligible, OutcomeUnknown},
		{"compares with !=", `residency != "resident"`, eligible, OutcomeFail},
		{"compares with <", "incomeBand < 5", eligible, OutcomePass},
		{"compares with >", "incomeBand > 4", eligible, OutcomeFail},
		{"compares with >=", "incomeBand >= 4", eligible, OutcomePass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRule(tt.rule)
			require.NoError(t, err)
			require.Equal(t, tt.want, r.Evaluate(claimSet(t, tt.claims)).Outcome)
		})
	}
}

func TestEvaluateExplains(t *testing.T) {
	r, err := ParseRule(exampleRule)
	require.NoError(t, err)
	claims := claimSet(t, map[string]identity.Value{
		"ageOver18": identity.BoolValue(true), "incomeBand": identity.NumberValue(5), "employed": identity.BoolValue(true),
	})
	claims.Withhold("residency", "attestation att-9 revoked")
	claims.Withhold("residency", "a later reason is ignored")

	got := r.Evaluate(claims)
	want := Explanation{Condition: "all", Outcome: OutcomeFail, Reason: "1 of 3 conditions fail", Children: []Explanation{
		{Condition: `residency == "resident"`, Outcome: OutcomeUnknown, Reason: "claim residency cannot be used: attestation att-9 revoked"},
		{Condition: "ageOver18 == true", Outcome: OutcomePass, Reason: "the disclosed value satisfies the condition"},
		{Condition: "any", Outcome: OutcomeFail, Reason: "none of 2 conditions hold", Children: []Explanation{
			{Condition: "incomeBand <= 2", Outcome: OutcomeFail, Reason: "the disclosed value does not satisfy the condition"},
			{Condition: "not", Outcome: OutcomeFail, Reason: "the negated condition holds", Children: []Explanation{
				{Condition: "employed == true", Outcome: OutcomePass, Reason: "the disclosed value satisfies the condition"},
			}},
		}},
	}}
	require.Equal(t, want, got)

	t.Run("explains undecidable branches", func(t *testing.T) {
		got := r.Evaluate(nil)
		require.Equal(t, OutcomeUnknown, got.Outcome)
		require.Equal(t, "3 of 3 conditions cannot be decided", got.Reason)
		require.Equal(t, "claim residency was not disclosed", got.Children[0].Reason)
		require.Equal(t, "no condition holds and 2 of 2 cannot be decided", got.Children[2].Reason)
		require.Equal(t, "the negated condition cannot be decided", got.Children[2].Children[1].Reason)
	})
	t.Run("explains a kind mismatch", func(t *testing.T) {
		r, err := ParseRule("not(incomeBand == 1)")
		require.NoError(t, err)
		got := r.Evaluate(claimSet(t, map[string]identity.Value{"incomeBand": identity.StringValue("1")}))
		require.Equal(t, "claim incomeBand is a string; the condition needs a number", got.Children[0].Reason)
		got = r.Evaluate(claimSet(t, map[string]identity.Value{"incomeBand": identity.NumberValue(2)}))
		require.Equal(t, "the negated condition fails", got.Reason)
		require.Equal(t, OutcomePass, got.Outcome)
	})
	t.Run("lets a usable value outrank a withheld one", func(t *testing.T) {
		r, err := ParseRule("ageOver18 == true")
		require.NoError(t, err)
		claims := NewClaimSet()
		claims.Withhold("ageOver18", "attestation att-1 expired")
		require.NoError(t, claims.Set("ageOver18", identity.BoolValue(true)))
		require.Equal(t, OutcomePass, r.Evaluate(claims).Outcome)
	})
}

func TestClaimSetRefusesConflicts(t *testing.T) {
	s := NewClaimSet()
	require.NoError(t, s.Set("incomeBand", identity.NumberValue(2)))
	require.NoError(t, s.Set("incomeBand", identity.NumberValue(2)), "the same value twice is consistent")
	err := s.Set("incomeBand", identity.NumberValue(3))
	require.ErrorIs(t, err, ErrConflictingClaims)
	require.NotContains(t, err.Error(), "3", "errors must not echo claim values")
}

func FuzzParseRule(f *testing.F) {
	for _, seed := range []string{
		exampleRule, "", "a == 1", `a == "x\"y"`, "not(not(a != -1))", "any(a<1,b>=2)", "all(", "a == 007",
		`a == "` + "\xff" + `"`, "x == 99999999999999999999", strings.Repeat("not(", 20),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, err := ParseRule(src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			if pe.Pos < 1 || pe.Pos > len(src)+1 {
				t.Fatalf("position %d outside 1..%d for %q", pe.Pos, len(src)+1, src)
			}
			return
		}
		canonical := r.String()
		again, err := ParseRule(canonical)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canonical, src, err)
		}
		if again.String() != canonical {
			t.Fatalf("canonical form is not stable: %q then %q", canonical, again.String())
		}
		_ = r.Evaluate(nil)
		_ = r.Claims()
	})
}
