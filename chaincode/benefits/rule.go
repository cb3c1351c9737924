package benefits

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/govledger/govledger/chaincode/identity"
)

// Limits that keep parsing and evaluation cheap whatever a caller sends.
const (
	MaxRuleLen   = 2048 // bytes of rule text
	MaxRuleDepth = 12   // nesting of all/any/not
	MaxRuleNodes = 64   // conditions and combinators in one rule
)

// ParseError reports where and why a rule does not parse.
type ParseError struct {
	Pos int    // 1-based byte position in the rule text where the problem starts
	Msg string // what was expected or what is wrong there
}

func (e *ParseError) Error() string { return fmt.Sprintf("rule: position %d: %s", e.Pos, e.Msg) }

// Unwrap lets callers test errors.Is(err, ErrSyntax).
func (e *ParseError) Unwrap() error { return ErrSyntax }

// ErrorField names the input for ccerror.From.
func (e *ParseError) ErrorField() string { return "rule" }

// ErrorRule names the broken rule for ccerror.From.
func (e *ParseError) ErrorRule() string { return fmt.Sprintf("syntax at position %d", e.Pos) }

// CmpOp is a comparison operator in a rule.
type CmpOp string

// Comparison operators. Ordering operators apply to numbers only; strings and
// booleans compare with == and != alone, since "low" < "high" would follow
// byte order, not meaning.
const (
	OpEq CmpOp = "=="
	OpNe CmpOp = "!="
	OpLt CmpOp = "<"
	OpLe CmpOp = "<="
	OpGt CmpOp = ">"
	OpGe CmpOp = ">="
)

func (op CmpOp) ordering() bool { return op != OpEq && op != OpNe }

type nodeKind uint8

const (
	nodeAll nodeKind = iota + 1
	nodeAny
	nodeNot
	nodeCmp
)

var combinators = map[string]nodeKind{"all": nodeAll, "any": nodeAny, "not": nodeNot}

// node is one element of a parsed rule: a combinator over children, or a
// comparison of a claim with a literal.
type node struct {
	kind     nodeKind
	children []*node
	claim    string
	op       CmpOp
	literal  identity.Value
}

// Rule is a parsed eligibility rule. The language is
//
//	rule       = condition
//	condition  = combinator | comparison
//	combinator = ("all" | "any") "(" condition { "," condition } ")"
//	           | "not" "(" condition ")"
//	comparison = claim op literal
//	op         = "==" | "!=" | "<" | "<=" | ">" | ">="
//	literal    = string | integer | "true" | "false"
//
// where claim is a claim name (camelCase letters and digits), string is
// double-quoted with \" and \\ as the only escapes, and integer is an optional
// '-' then decimal digits without leading zeros. Whitespace between tokens is
// ignored. A Rule is immutable and safe for concurrent use.
type Rule struct {
	root *node
}

// ParseRule parses src. Errors are *ParseError values that give the position.
func ParseRule(src string) (*Rule, error) {
	if len(src) > MaxRuleLen {
		return nil, &ParseError{Pos: MaxRuleLen + 1, Msg: fmt.Sprintf("rule is longer than %d bytes", MaxRuleLen)}
	}
	if !utf8.ValidString(src) {
		return nil, &ParseError{Pos: invalidUTF8At(src) + 1, Msg: "rule is not valid UTF-8"}
	}
	p := &parser{lex: lexer{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	root, err := p.condition(1)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("expected end of rule, found %s", p.tok)
	}
	return &Rule{root: root}, nil
}

// String renders the rule canonically: single spaces, ", " between
// arguments. Parsing the result yields an equal rule, so programmes store the
// canonical text and two spellings of one rule compare equal.
func (r *Rule) String() string {
	var b strings.Builder
	r.root.write(&b)
	return b.String()
}

// Claims lists the claim names the rule reads, sorted and distinct: the
// claims an applicant must disclose.
func (r *Rule) Claims() []string {
	var out []string
	var walk func(*node)
	walk = func(n *node) {
		if n.kind == nodeCmp {
			out = append(out, n.claim)
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(r.root)
	slices.Sort(out)
	return slices.Compact(out)
}

func (n *node) write(b *strings.Builder) {
	switch n.kind {
	case nodeCmp:
		b.WriteString(n.claim)
		b.WriteByte(' ')
		b.WriteString(string(n.op))
		b.WriteByte(' ')
		writeLiteral(b, n.literal)
	default:
		b.WriteString(n.name())
		b.WriteByte('(')
		for i, c := range n.children {
			if i > 0 {
				b.WriteString(", ")
			}
			c.write(b)
		}
		b.WriteByte(')')
	}
}

// name is the combinator's keyword; comparisons are rendered by write.
func (n *node) name() string {
	switch n.kind {
	case nodeAll:
		return "all"
	case nodeAny:
		return "any"
	default:
		return "not"
	}
}

type parser struct {
	lex   lexer
	tok   token
	nodes int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &ParseError{Pos: p.tok.pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expect(kind tokenKind) error {
	if p.tok.kind != kind {
		return p.errorf("expected %s, found %s", kind, p.tok)
	}
	return p.advance()
}

func (p *parser) condition(depth int) (*node, error) {
	if p.tok.kind != tokIdent {
		return nil, p.errorf("expected a condition, found %s", p.tok)
	}
	if depth > MaxRuleDepth {
		return nil, p.errorf("rule nests deeper than %d levels", MaxRuleDepth)
	}
	p.nodes++
	if p.nodes > MaxRuleNodes {
		return nil, p.errorf("rule has more than %d conditions", MaxRuleNodes)
	}
	if kind, ok := combinators[p.tok.text]; ok {
		return p.combinator(kind, depth)
	}
	return p.comparison()
}

func (p *parser) combinator(kind nodeKind, depth int) (*node, error) {
	n := &node{kind: kind}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tokLParen); err != nil {
		return nil, err
	}
	for {
		child, err := p.condition(depth + 1)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
		if kind == nodeNot || p.tok.kind != tokComma {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.expect(tokRParen); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) comparison() (*node, error) {
	claim := p.tok
	if claim.text == "true" || claim.text == "false" {
		return nil, p.errorf("expected a claim name, found %s", claim.text)
	}
	if err := identity.ValidateClaimName("claim", claim.text); err != nil {
		return nil, p.errorf("claim name %q %s", claim.text, ruleOf(err))
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokLParen {
		return nil, &ParseError{Pos: claim.pos + 1, Msg: fmt.Sprintf("unknown combinator %q: use all, any or not", claim.text)}
	}
	if p.tok.kind != tokOp {
		return nil, p.errorf("expected a comparison operator after %s, found %s", claim.text, p.tok)
	}
	op := CmpOp(p.tok.text)
	if err := p.advance(); err != nil {
		return nil, err
	}
	lit := p.tok
	var v identity.Value
	switch {
	case lit.kind == tokString:
		v = identity.StringValue(lit.str)
	case lit.kind == tokNumber:
		v = identity.NumberValue(lit.num)
	case lit.kind == tokIdent && (lit.text == "true" || lit.text == "false"):
		v = identity.BoolValue(lit.text == "true")
	default:
		return nil, p.errorf("expected a string, integer, true or false, found %s", lit)
	}
	if op.ordering() && v.Kind() != identity.KindNumber {
		return nil, p.errorf("operator %s compares numbers, not a %s", op, v.Kind())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	return &node{kind: nodeCmp, claim: claim.text, op: op, literal: v}, nil
}

// writeLiteral renders v as the lexer reads it back. strconv.Quote would not
// do: it escapes non-printable runes in forms the rule language rejects.
func writeLiteral(b *strings.Builder, v identity.Value) {
	s, ok := v.Str()
	if !ok {
		b.WriteString(v.String())
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

// ruleOf extracts the rule from a validation error for a parse message.
func ruleOf(err error) string {
	var fe *identity.FieldError
	if errors.As(err, &fe) {
		return fe.Rule
	}
	return err.Error()
}

func invalidUTF8At(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}

type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokOp
	tokLParen
	tokRParen
	tokComma
)

func (k tokenKind) String() string {
	switch k {
	case tokIdent:
		return "a name"
	case tokString:
		return "a string"
	case tokNumber:
		return "an integer"
	case tokOp:
		return "an operator"
	case tokLParen:
		return "'('"
	case tokRParen:
		return "')'"
	case tokComma:
		return "','"
	default:
		return "end of rule"
	}
}

type token struct {
	kind tokenKind
	pos  int    // 0-based byte offset
	text string // source text of names and operators
	str  string // decoded string literal
	num  int64
}

// String describes the token for error messages.
func (t token) String() string {
	switch t.kind {
	case tokIdent, tokOp:
		return strconv.Quote(t.text)
	default:
		return t.kind.String()
	}
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) fail(pos int, format string, args ...any) error {
	return &ParseError{Pos: pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start == len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '(':
		l.pos++
		return token{kind: tokLParen, pos: start}, nil
	case c == ')':
		l.pos++
		return token{kind: tokRParen, pos: start}, nil
	case c == ',':
		l.pos++
		return token{kind: tokComma, pos: start}, nil
	case c == '"':
		return l.stringLit()
	case c == '-' || isDigit(c):
		return l.number()
	case isLetter(c):
		for l.pos < len(l.src) && (isLetter(l.src[l.pos]) || isDigit(l.src[l.pos])) {
			l.pos++
		}
		return token{kind: tokIdent, pos: start, text: l.src[start:l.pos]}, nil
	case c == '=' || c == '!' || c == '<' || c == '>':
		return l.operator()
	default:
		r, _ := utf8.DecodeRuneInString(l.src[start:])
		return token{}, l.fail(start, "unexpected character %q", r)
	}
}

func (l *lexer) operator() (token, error) {
	start := l.pos
	two := l.src[start:min(start+2, len(l.src))]
	switch CmpOp(two) {
	case OpEq, OpNe, OpLe, OpGe:
		l.pos += 2
		return token{kind: tokOp, pos: start, text: two}, nil
	}
	switch c := l.src[start]; c {
	case '<', '>':
		l.pos++
		return token{kind: tokOp, pos: start, text: string(c)}, nil
	default:
		return token{}, l.fail(start, "expected == or !=")
	}
}

func (l *lexer) number() (token, error) {
	start := l.pos
	if l.src[l.pos] == '-' {
		l.pos++
	}
	digits := l.pos
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	switch {
	case l.pos == digits:
		return token{}, l.fail(start, "expected digits after '-'")
	case l.src[digits] == '0' && l.pos-digits > 1:
		return token{}, l.fail(start, "integer has a leading zero")
	case l.pos < len(l.src) && (isLetter(l.src[l.pos]) || l.src[l.pos] == '.'):
		return token{}, l.fail(start, "integer must be whole decimal digits")
	}
	n, err := strconv.ParseInt(l.src[start:l.pos], 10, 64)
	if err != nil {
		return token{}, l.fail(start, "integer does not fit in 64 bits")
	}
	return token{kind: tokNumber, pos: start, num: n}, nil
}

func (l *lexer) stringLit() (token, error) {
	start := l.pos
	l.pos++ // opening quote
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			s := b.String()
			if err := identity.StringValue(s).Validate("literal"); err != nil {
				return token{}, l.fail(start, "string %s", ruleOf(err))
			}
			return token{kind: tokString, pos: start, str: s}, nil
		case c == '\\':
			if l.pos+1 < len(l.src) && (l.src[l.pos+1] == '"' || l.src[l.pos+1] == '\\') {
				b.WriteByte(l.src[l.pos+1])
				l.pos += 2
				continue
			}
			return token{}, l.fail(l.pos, `only \" and \\ escapes are allowed in strings`)
		case c < 0x20 || c == 0x7f:
			return token{}, l.fail(l.pos, "control character in string")
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return token{}, l.fail(start, "string is not terminated")
}

func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
