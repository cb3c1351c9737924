package topology

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Roles a signature policy principal may name. NodeOUs are enabled in every
// organisation MSP, so each is a distinct class of identity.
const (
	RoleMember  = "member"
	RoleAdmin   = "admin"
	RoleClient  = "client"
	RolePeer    = "peer"
	RoleOrderer = "orderer"
)

// Limits on policy expressions. Real policies are a few hundred bytes; the
// limits keep a hostile expression from exhausting the parser's stack.
const (
	MaxPolicyLength = 4096
	MaxPolicyDepth  = 16
)

// ErrPolicySyntax is wrapped by every error ParsePolicy returns.
var ErrPolicySyntax = errors.New("invalid signature policy")

// PolicySyntaxError says where a signature policy expression is malformed.
type PolicySyntaxError struct {
	// Offset is the byte offset of the offending token.
	Offset int
	// Reason says what was expected.
	Reason string
}

func (e *PolicySyntaxError) Error() string {
	return fmt.Sprintf("%s at offset %d: %s", ErrPolicySyntax, e.Offset, e.Reason)
}

// Unwrap lets callers test for ErrPolicySyntax.
func (e *PolicySyntaxError) Unwrap() error { return ErrPolicySyntax }

// Principal is one 'MSPID.role' term of a policy.
type Principal struct {
	MSPID string
	Role  string
}

func (p Principal) String() string { return "'" + p.MSPID + "." + p.Role + "'" }

// Policy is a parsed signature policy: either a Principal leaf or a gate
// that needs N of its Rules satisfied (AND is N = len(Rules), OR is N = 1).
type Policy struct {
	Principal *Principal
	N         int
	Rules     []Policy
}

// Principals lists every principal in the order it appears.
func (p Policy) Principals() []Principal {
	if p.Principal != nil {
		return []Principal{*p.Principal}
	}
	var out []Principal
	for _, r := range p.Rules {
		out = append(out, r.Principals()...)
	}
	return out
}

// MSPIDs lists the distinct MSP IDs the policy names, sorted.
func (p Policy) MSPIDs() []string {
	var ids []string
	for _, pr := range p.Principals() {
		ids = append(ids, pr.MSPID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// String renders the policy in Fabric's policy language, using AND and OR
// where they say the same as OutOf, so ParsePolicy(p.String()) equals p.
func (p Policy) String() string {
	if p.Principal != nil {
		return p.Principal.String()
	}
	rules := make([]string, len(p.Rules))
	for i, r := range p.Rules {
		rules[i] = r.String()
	}
	switch {
	case p.N == 1:
		return "OR(" + strings.Join(rules, ",") + ")"
	case p.N == len(p.Rules):
		return "AND(" + strings.Join(rules, ",") + ")"
	default:
		return "OutOf(" + strconv.Itoa(p.N) + "," + strings.Join(rules, ",") + ")"
	}
}

// AnyOf is the policy satisfied by any one of the organisations in the given
// role, e.g. OR('AMSP.member','BMSP.member').
func AnyOf(role string, mspIDs ...string) Policy {
	p := Policy{N: 1}
	for _, id := range mspIDs {
		p.Rules = append(p.Rules, Policy{Principal: &Principal{MSPID: id, Role: role}})
	}
	return p
}

// principalPattern is Fabric's own principal syntax (common/policydsl).
var principalPattern = regexp.MustCompile(`^([A-Za-z0-9.-]+)\.(member|admin|client|peer|orderer)$`)

// gates are the gate names Fabric's policy language accepts, in the three
// spellings it accepts.
var gates = map[string]string{
	"AND": "AND", "And": "AND", "and": "AND",
	"OR": "OR", "Or": "OR", "or": "OR",
	"OutOf": "OUTOF", "OUTOF": "OUTOF", "outof": "OUTOF",
}

// ParsePolicy parses a signature policy expression such as
// OutOf(2,'AMSP.peer','BMSP.peer') or AND('AMSP.peer',OR('BMSP.peer','CMSP.peer')).
// It accepts what Fabric's policy language accepts, except that it demands
// 1 <= N <= number of rules (Fabric would take a policy nobody can satisfy,
// or one that needs no signature at all).
func ParsePolicy(expr string) (Policy, error) {
	if len(expr) > MaxPolicyLength {
		return Policy{}, &PolicySyntaxError{Offset: MaxPolicyLength, Reason: fmt.Sprintf("longer than %d bytes", MaxPolicyLength)}
	}
	p := &policyParser{src: expr}
	p.skipSpace()
	if p.pos == len(p.src) {
		return Policy{}, &PolicySyntaxError{Offset: 0, Reason: "empty expression"}
	}
	// Fabric evaluates a bare principal to a string, not a policy.
	if c := p.src[p.pos]; c == '\'' || c == '"' {
		return Policy{}, p.fail("a policy must start with AND, OR or OutOf")
	}
	pol, err := p.expr(0)
	if err != nil {
		return Policy{}, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return Policy{}, p.fail("unexpected %q after the expression", p.src[p.pos:])
	}
	return pol, nil
}

type policyParser struct {
	src string
	pos int
}

func (p *policyParser) fail(format string, args ...any) error {
	return &PolicySyntaxError{Offset: p.pos, Reason: fmt.Sprintf(format, args...)}
}

func (p *policyParser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *policyParser) expr(depth int) (Policy, error) {
	if depth > MaxPolicyDepth {
		return Policy{}, p.fail("nested deeper than %d gates", MaxPolicyDepth)
	}
	p.skipSpace()
	if p.pos == len(p.src) {
		return Policy{}, p.fail("expected a principal or a gate, found the end")
	}
	if c := p.src[p.pos]; c == '\'' || c == '"' {
		return p.principal()
	}
	return p.gate(depth)
}

func (p *policyParser) principal() (Policy, error) {
	start := p.pos
	quote := p.src[p.pos]
	end := strings.IndexByte(p.src[p.pos+1:], quote)
	if end < 0 {
		return Policy{}, p.fail("unterminated principal")
	}
	text := p.src[p.pos+1 : p.pos+1+end]
	m := principalPattern.FindStringSubmatch(text)
	if m == nil {
		return Policy{}, &PolicySyntaxError{Offset: start, Reason: fmt.Sprintf("principal %q is not 'MSPID.role' with role member, admin, client, peer or orderer", text)}
	}
	p.pos += end + 2
	return Policy{Principal: &Principal{MSPID: m[1], Role: m[2]}}, nil
}

func (p *policyParser) gate(depth int) (Policy, error) {
	start := p.pos
	for p.pos < len(p.src) && isLetter(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	kind, ok := gates[name]
	if !ok {
		p.pos = start
		return Policy{}, p.fail("expected AND, OR, OutOf or a quoted principal")
	}
	p.skipSpace()
	if p.pos == len(p.src) || p.src[p.pos] != '(' {
		return Policy{}, p.fail("expected '(' after %s", name)
	}
	p.pos++
	n := 0
	if kind == "OUTOF" {
		var err error
		if n, err = p.count(); err != nil {
			return Policy{}, err
		}
		if err := p.comma(); err != nil {
			return Policy{}, err
		}
	}
	var rules []Policy
	for {
		r, err := p.expr(depth + 1)
		if err != nil {
			return Policy{}, err
		}
		rules = append(rules, r)
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ')' {
			p.pos++
			break
		}
		if err := p.comma(); err != nil {
			return Policy{}, err
		}
	}
	switch kind {
	case "AND":
		n = len(rules)
	case "OR":
		n = 1
	default:
		if n < 1 || n > len(rules) {
			return Policy{}, &PolicySyntaxError{Offset: start, Reason: fmt.Sprintf("OutOf(%d, ...) has %d rules; N must be 1..%d", n, len(rules), len(rules))}
		}
	}
	return Policy{N: n, Rules: rules}, nil
}

func (p *policyParser) count() (int, error) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if start == p.pos {
		return 0, p.fail("expected the number of rules OutOf needs")
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil || n > MaxPolicyLength {
		return 0, &PolicySyntaxError{Offset: start, Reason: "OutOf count out of range"}
	}
	return n, nil
}

func (p *policyParser) comma() error {
	p.skipSpace()
	if p.pos == len(p.src) || p.src[p.pos] != ',' {
		return p.fail("expected ','")
	}
	p.pos++
	return nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
