// Package strictjson decodes request bodies that must be exactly one JSON
// object with known, unique member names. encoding/json's own strict mode
// reports unknown fields only in its error text; this package reports them as
// a typed error that names the field.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// Rules a body can break.
const (
	RuleSyntax    = "syntax"
	RuleObject    = "object"
	RuleDuplicate = "duplicate"
	RuleUnknown   = "unknown"
	RuleType      = "type"
	RuleTrailing  = "trailing"
	RuleTooLarge  = "too-large"
)

// ErrMalformed is wrapped by every *Error.
var ErrMalformed = errors.New("malformed JSON body")

// Error says which member of a body broke which rule.
type Error struct {
	// Field is the member name; empty for whole-body problems.
	Field  string
	Rule   string
	Detail string
	// Cause is the underlying decoder or reader error, if any.
	Cause error
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("request body: %s", e.Detail)
	}
	return fmt.Sprintf("request body field %q: %s", e.Field, e.Detail)
}

// Unwrap exposes ErrMalformed and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{ErrMalformed, e.Cause}
	}
	return []error{ErrMalformed}
}

// Object reads one JSON object and returns its members. Duplicate names,
// non-object bodies and trailing data are errors: a proxy and the gateway must
// never disagree about what a body says.
func Object(r io.Reader) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, readError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &Error{Rule: RuleObject, Detail: "must be a JSON object"}
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, readError(err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, &Error{Rule: RuleSyntax, Detail: "member name expected"}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if e := readError(err); e.Rule == RuleTooLarge {
				return nil, e
			}
			return nil, &Error{Field: name, Rule: RuleSyntax, Detail: "invalid JSON value", Cause: err}
		}
		if _, dup := out[name]; dup {
			return nil, &Error{Field: name, Rule: RuleDuplicate, Detail: "appears more than once"}
		}
		out[name] = raw
	}
	if _, err := dec.Token(); err != nil {
		return nil, readError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, readError(err)
		}
		return nil, &Error{Rule: RuleTrailing, Detail: "must hold exactly one JSON object"}
	}
	return out, nil
}

func readError(err error) *Error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &Error{Rule: RuleTooLarge, Detail: fmt.Sprintf("exceeds the limit of %d bytes", tooLarge.Limit), Cause: err}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Rule: RuleSyntax, Detail: "unexpected end of JSON", Cause: err}
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return &Error{Rule: RuleSyntax, Detail: fmt.Sprintf("invalid JSON at offset %d", syn.Offset), Cause: err}
	}
	return &Error{Rule: RuleSyntax, Detail: "unreadable body", Cause: err}
}

// Decode reads one JSON object into the struct v points to. Every member must
// name one of v's fields (by its json tag); nested values are decoded by
// encoding/json with unknown nested fields also refused.
func Decode(r io.Reader, v any) error {
	members, err := Object(r)
	if err != nil {
		return err
	}
	return Assign(members, v)
}

// Assign decodes already-split members into the struct v points to, with the
// same rules as Decode.
func Assign(members map[string]json.RawMessage, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("strictjson: Assign needs a pointer to a struct, got %T", v)
	}
	fields := fieldsOf(rv.Elem().Type())
	for name, raw := range members {
		idx, ok := fields[name]
		if !ok {
			return &Error{Field: name, Rule: RuleUnknown, Detail: "is not a known field"}
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(rv.Elem().Field(idx).Addr().Interface()); err != nil {
			return &Error{Field: name, Rule: RuleType, Detail: "has the wrong type or shape", Cause: err}
		}
	}
	return nil
}

func fieldsOf(t reflect.Type) map[string]int {
	out := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = i
	}
	return out
}
