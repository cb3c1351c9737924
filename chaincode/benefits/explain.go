package benefits

import (
	"fmt"
	"strings"

	"github.com/govledger/govledger/chaincode/identity"
)

// Outcome is the result of evaluating a condition. Evaluation is
// three-valued: a claim that was not disclosed, or whose attestation may not
// be relied on, makes its comparison Unknown rather than false. Otherwise
// not(employed == true) would hold for an applicant who simply withheld the
// employed claim.
type Outcome string

// Outcomes. Only Pass makes an applicant eligible.
const (
	OutcomePass    Outcome = "pass"
	OutcomeFail    Outcome = "fail"
	OutcomeUnknown Outcome = "unknown"
)

// Explanation is the evaluation of one condition and, for all/any/not, of
// each argument, in rule order. It never contains claim values, only which
// conditions held and why, so it can be stored with a decision.
type Explanation struct {
	Condition string        `json:"condition"` // the comparison, or "all", "any", "not"
	Outcome   Outcome       `json:"outcome"`
	Reason    string        `json:"reason"`
	Children  []Explanation `json:"children,omitempty" metadata:",optional"`
}

// ClaimSet holds the verified claim values of one applicant, and for claims
// that could not be used, why not.
type ClaimSet struct {
	values      map[string]identity.Value
	unavailable map[string]string
}

// NewClaimSet returns an empty claim set.
func NewClaimSet() *ClaimSet {
	return &ClaimSet{values: map[string]identity.Value{}, unavailable: map[string]string{}}
}

// Set records a verified value. Disclosing one claim twice with different
// values is refused: the rule would otherwise depend on which came first.
func (s *ClaimSet) Set(name string, v identity.Value) error {
	if old, ok := s.values[name]; ok && !old.Equal(v) {
		return fmt.Errorf("claim %s: %w", name, ErrConflictingClaims)
	}
	s.values[name] = v
	return nil
}

// Withhold records why a disclosed claim cannot be used, e.g. because its
// attestation was revoked. A value set for the same claim from another,
// usable attestation takes precedence. The first reason is kept.
func (s *ClaimSet) Withhold(name, reason string) {
	if _, ok := s.unavailable[name]; !ok {
		s.unavailable[name] = reason
	}
}

// Evaluate runs the rule over claims. It is deterministic: children are
// evaluated in rule order and every child is evaluated, so the explanation
// is complete. A nil claims means no claims.
func (r *Rule) Evaluate(claims *ClaimSet) Explanation {
	if claims == nil {
		claims = NewClaimSet()
	}
	return r.root.eval(claims)
}

func (n *node) eval(claims *ClaimSet) Explanation {
	if n.kind == nodeCmp {
		return n.compare(claims)
	}
	e := Explanation{Condition: n.name(), Children: make([]Explanation, len(n.children))}
	var pass, fail, unknown int
	for i, c := range n.children {
		e.Children[i] = c.eval(claims)
		switch e.Children[i].Outcome {
		case OutcomePass:
			pass++
		case OutcomeFail:
			fail++
		default:
			unknown++
		}
	}
	total := len(n.children)
	switch n.kind {
	case nodeAll:
		switch {
		case fail > 0:
			e.Outcome, e.Reason = OutcomeFail, fmt.Sprintf("%d of %d conditions fail", fail, total)
		case unknown > 0:
			e.Outcome, e.Reason = OutcomeUnknown, fmt.Sprintf("%d of %d conditions cannot be decided", unknown, total)
		default:
			e.Outcome, e.Reason = OutcomePass, fmt.Sprintf("all %d conditions hold", total)
		}
	case nodeAny:
		switch {
		case pass > 0:
			e.Outcome, e.Reason = OutcomePass, fmt.Sprintf("%d of %d conditions hold", pass, total)
		case unknown > 0:
			e.Outcome, e.Reason = OutcomeUnknown, fmt.Sprintf("no condition holds and %d of %d cannot be decided", unknown, total)
		default:
			e.Outcome, e.Reason = OutcomeFail, fmt.Sprintf("none of %d conditions hold", total)
		}
	default: // nodeNot
		switch e.Children[0].Outcome {
		case OutcomePass:
			e.Outcome, e.Reason = OutcomeFail, "the negated condition holds"
		case OutcomeFail:
			e.Outcome, e.Reason = OutcomePass, "the negated condition fails"
		default:
			e.Outcome, e.Reason = OutcomeUnknown, "the negated condition cannot be decided"
		}
	}
	return e
}

func (n *node) compare(claims *ClaimSet) Explanation {
	var b strings.Builder
	n.write(&b)
	e := Explanation{Condition: b.String()}
	v, ok := claims.values[n.claim]
	switch {
	case !ok:
		e.Outcome = OutcomeUnknown
		if why, withheld := claims.unavailable[n.claim]; withheld {
			e.Reason = fmt.Sprintf("claim %s cannot be used: %s", n.claim, why)
		} else {
			e.Reason = fmt.Sprintf("claim %s was not disclosed", n.claim)
		}
	case v.Kind() != n.literal.Kind():
		e.Outcome = OutcomeUnknown
		e.Reason = fmt.Sprintf("claim %s is a %s; the condition needs a %s", n.claim, v.Kind(), n.literal.Kind())
	case n.holds(v):
		e.Outcome, e.Reason = OutcomePass, "the disclosed value satisfies the condition"
	default:
		e.Outcome, e.Reason = OutcomeFail, "the disclosed value does not satisfy the condition"
	}
	return e
}

// holds compares v, already known to have the literal's kind, with the literal.
func (n *node) holds(v identity.Value) bool {
	if n.op == OpEq {
		return v.Equal(n.literal)
	}
	if n.op == OpNe {
		return !v.Equal(n.literal)
	}
	got, _ := v.Num()
	want, _ := n.literal.Num()
	switch n.op {
	case OpLt:
		return got < want
	case OpLe:
		return got <= want
	case OpGt:
		return got > want
	default: // OpGe; the parser admits no other operator
		return got >= want
	}
}
