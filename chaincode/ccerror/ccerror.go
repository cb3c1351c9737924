// Package ccerror is the wire format of GovLedger chaincode errors.
//
// contractapi sends err.Error() of a failed transaction to the client as the
// response message, and Fabric passes it on wrapped in its own text (for
// example "chaincode response 500, {...}"). So the error a contract function
// returns must render itself as something a client can parse. *Error renders
// as compact JSON:
//
//	{"code":"NOT_FOUND","message":"tender \"T-1\": not found"}
//	{"code":"INVALID_ARGUMENT","field":"budget.amount","rule":"positive","message":"..."}
//
// Contract functions end with `return ccerror.From(err)`; From classifies any
// error by the sentinels below, and the gateway calls Parse on the message it
// receives to recover the code, field and rule.
//
// The package has no GovLedger dependencies on purpose: the internal chaincode
// packages define their errors by wrapping these sentinels (for example
// ledger.ErrNotFound wraps ErrNotFound), so classification needs no import of
// them and the gateway can import this package alone.
package ccerror

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Code is the machine-readable class of a chaincode error.
type Code string

// The codes a GovLedger chaincode returns. They mirror the gRPC codes of the
// same names so clients can map them without a table of their own.
const (
	InvalidArgument    Code = "INVALID_ARGUMENT"    // the input broke a validation rule
	NotFound           Code = "NOT_FOUND"           // the entity does not exist
	AlreadyExists      Code = "ALREADY_EXISTS"      // the entity to create exists
	PermissionDenied   Code = "PERMISSION_DENIED"   // the caller may not call the function
	FailedPrecondition Code = "FAILED_PRECONDITION" // state machine or deadline rule forbids it now
	Internal           Code = "INTERNAL"            // anything else: a bug or a ledger failure
)

// Sentinel errors other packages wrap so that From can classify their errors
// with errors.Is. ErrPrecondition is the one domain packages use directly, for
// state machine and deadline rules.
var (
	ErrInvalidArgument  = errors.New("invalid argument")
	ErrNotFound         = errors.New("not found")
	ErrAlreadyExists    = errors.New("already exists")
	ErrPermissionDenied = errors.New("permission denied")
	ErrPrecondition     = errors.New("failed precondition")
)

// classes is in the order From tests them; the first match wins, so an error
// wrapping two sentinels gets the more specific client-facing code.
var classes = []struct {
	code     Code
	sentinel error
}{
	{InvalidArgument, ErrInvalidArgument},
	{NotFound, ErrNotFound},
	{AlreadyExists, ErrAlreadyExists},
	{PermissionDenied, ErrPermissionDenied},
	{FailedPrecondition, ErrPrecondition},
}

// Valid reports whether c is one of the codes above.
func (c Code) Valid() bool {
	return c == Internal || c.sentinel() != nil
}

func (c Code) sentinel() error {
	for _, cl := range classes {
		if cl.code == c {
			return cl.sentinel
		}
	}
	return nil
}

// Error is a classified chaincode error. Its Error method is the wire format.
type Error struct {
	Code    Code   `json:"code"`
	Field   string `json:"field,omitempty"` // input field for InvalidArgument, e.g. "budget.amount"
	Rule    string `json:"rule,omitempty"`  // the broken rule, e.g. "positive" or "bidding-closed"
	Message string `json:"message"`
}

// New returns an error with code and message.
func New(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Precondition returns a FailedPrecondition error naming the rule that
// forbids the operation now, e.g. Precondition("deadline", "bidding closed").
func Precondition(rule, message string) *Error {
	return &Error{Code: FailedPrecondition, Rule: rule, Message: message}
}

// Error renders e as compact JSON, the form clients parse.
func (e *Error) Error() string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// A struct of strings cannot fail to encode.
	_ = enc.Encode(e)
	return strings.TrimSuffix(b.String(), "\n")
}

// Is makes errors.Is(e, ErrNotFound) and friends true for the matching code,
// so a parsed error is tested the same way as one built in-process.
func (e *Error) Is(target error) bool {
	s := e.Code.sentinel()
	return s != nil && s == target
}

// FieldReporter is implemented by errors that know which input field they
// concern; From copies the field into Error.Field.
type FieldReporter interface {
	ErrorField() string
}

// RuleReporter is implemented by errors that know which rule they enforce;
// From copies the rule into Error.Rule.
type RuleReporter interface {
	ErrorRule() string
}

// From classifies err for the client. nil stays nil; an *Error anywhere in
// the chain is returned as is; otherwise the code comes from the sentinel err
// wraps (Internal when none), the message is err.Error(), and field and rule
// come from a FieldReporter or RuleReporter in the chain.
//
// Error texts reach the client, so they must never contain private data.
func From(err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	out := &Error{Code: Internal, Message: err.Error()}
	for _, cl := range classes {
		if errors.Is(err, cl.sentinel) {
			out.Code = cl.code
			break
		}
	}
	var fr FieldReporter
	if errors.As(err, &fr) {
		out.Field = fr.ErrorField()
	}
	var rr RuleReporter
	if errors.As(err, &rr) {
		out.Rule = rr.ErrorRule()
	}
	return out
}

// wireStart is how every rendered Error begins; Parse looks for it.
const wireStart = `{"code":`

// quotedStart is wireStart inside a quoted string.
const quotedStart = `{\"code\":`

// Parse finds the first chaincode error inside msg, which may be a longer text
// such as Fabric's "chaincode response 500, {...}" or a gRPC status message.
// It also recognises the error when msg quotes it once (`{\"code\":...}`),
// as happens when the message is itself embedded in a JSON or Go string. It
// reports false when msg holds no error with a known code.
func Parse(msg string) (*Error, bool) {
	if e, ok := parseAt(msg); ok {
		return e, true
	}
	for rest := msg; ; {
		i := strings.Index(rest, quotedStart)
		if i < 0 {
			return nil, false
		}
		if e, ok := parseAt(unquotePrefix(rest[i:])); ok {
			return e, true
		}
		rest = rest[i+len(quotedStart):]
	}
}

func parseAt(msg string) (*Error, bool) {
	for rest := msg; ; {
		i := strings.Index(rest, wireStart)
		if i < 0 {
			return nil, false
		}
		var e Error
		if err := json.NewDecoder(strings.NewReader(rest[i:])).Decode(&e); err == nil && e.Code.Valid() {
			return &e, true
		}
		rest = rest[i+len(wireStart):]
	}
}

// unquotePrefix undoes one level of JSON/Go string escaping from the start of
// s up to the first unescaped quote, which ends the enclosing string literal.
// Escapes it does not know are kept as they are; the JSON decoder then rejects
// them if they matter.
func unquotePrefix(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String()
		case c != '\\' || i+1 == len(s):
			b.WriteByte(c)
		default:
			i++
			switch s[i] {
			case '"', '\\', '/':
				b.WriteByte(s[i])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				// \uXXXX and others stay escaped: they are valid inside the JSON
				// strings of the inner error as they are.
				b.WriteByte('\\')
				b.WriteByte(s[i])
			}
		}
	}
	return b.String()
}
