package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"sort"
	"strings"

	"github.com/xeipuuv/gojsonschema"
)

// Sentinels wrapped by *InputError: ErrMalformedInput for requests whose shape
// is wrong (members the function does not take, a transient member that is
// not an object), ErrInvalidValue for values that break the function's
// schemas.
var (
	ErrMalformedInput = errors.New("malformed input")
	ErrInvalidValue   = errors.New("invalid value")
)

// Violation is one rule a request value breaks.
type Violation struct {
	// Field is a dotted path: parameter name, then nested members or array
	// indexes; private inputs are under "transient.".
	Field string `json:"field"`
	// Rule is a stable machine-readable name (required, invalid_type,
	// unknown_field, ...); most come from the JSON schema validator.
	Rule   string `json:"rule"`
	Detail string `json:"detail"`
}

// InputError reports every violation found in one request.
type InputError struct {
	Violations []Violation
	Err        error // ErrMalformedInput or ErrInvalidValue
}

func (e *InputError) Error() string {
	v := e.Violations[0]
	msg := fmt.Sprintf("field %q: %s", v.Field, v.Detail)
	if n := len(e.Violations); n > 1 {
		msg += fmt.Sprintf(" (and %d more)", n-1)
	}
	return msg
}

func (e *InputError) Unwrap() error { return e.Err }

// Field names the first offending field.
func (e *InputError) Field() string { return e.Violations[0].Field }

// Input is a request's named arguments and private inputs, still raw JSON.
type Input struct {
	Args      map[string]json.RawMessage
	Transient map[string]json.RawMessage
}

// Invocation is a validated request encoded for contractapi.
type Invocation struct {
	// Args are positional, in the function's parameter order.
	Args [][]byte
	// Transient holds private inputs, sent only in the proposal's transient
	// map and never as arguments (so they never reach the ledger).
	Transient map[string][]byte
}

// InputFromMembers splits a decoded request body into arguments and the
// "transient" member.
func InputFromMembers(members map[string]json.RawMessage) (Input, error) {
	in := Input{Args: make(map[string]json.RawMessage, len(members))}
	for name, raw := range members {
		if name != TransientField {
			in.Args[name] = raw
			continue
		}
		var secrets map[string]json.RawMessage
		if err := json.Unmarshal(raw, &secrets); err != nil || secrets == nil {
			return Input{}, &InputError{Err: ErrMalformedInput, Violations: []Violation{{
				Field: TransientField, Rule: "invalid_type", Detail: "must be an object of name to JSON value",
			}}}
		}
		in.Transient = secrets
	}
	return in, nil
}

// InputFromQuery builds an Input from a query string for GET evaluations.
// Values of string parameters are taken verbatim; others are parsed as JSON
// (so ?count=3 is the number 3, ?filter={"a":1} an object).
func (f *Function) InputFromQuery(q url.Values) (Input, error) {
	in := Input{Args: make(map[string]json.RawMessage, len(q))}
	scalars := make(map[string]string, len(f.Params))
	for _, p := range f.Params {
		scalars[p.Name] = p.scalar
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		values := q[name]
		if name == TransientField {
			return Input{}, &InputError{Err: ErrMalformedInput, Violations: []Violation{{
				Field: name, Rule: "transient_in_query", Detail: "private inputs are accepted only in a POST body",
			}}}
		}
		if len(values) != 1 {
			return Input{}, &InputError{Err: ErrMalformedInput, Violations: []Violation{{
				Field: name, Rule: "repeated", Detail: "must be given once",
			}}}
		}
		v := values[0]
		scalar, known := scalars[name]
		switch {
		case known && scalar == "string":
			raw, _ := json.Marshal(v)
			in.Args[name] = raw
		case json.Valid([]byte(v)):
			in.Args[name] = json.RawMessage(v)
		default:
			raw, _ := json.Marshal(v)
			in.Args[name] = raw
		}
	}
	return in, nil
}

// Bind validates an Input against the function's parameter and private-input
// schemas and encodes it the way contractapi expects: JSON strings travel
// unquoted, every other value as compact JSON.
func (f *Function) Bind(in Input) (*Invocation, error) {
	if err := f.checkNames(in); err != nil {
		return nil, err
	}
	var violations []Violation
	inv := &Invocation{Args: make([][]byte, 0, len(f.Params))}
	for _, p := range f.Params {
		raw, ok := in.Args[p.Name]
		if !ok {
			violations = append(violations, Violation{Field: p.Name, Rule: "required", Detail: "is required"})
			continue
		}
		if v := validate(p.compiled, p.Name, raw); len(v) > 0 {
			violations = append(violations, v...)
			continue
		}
		inv.Args = append(inv.Args, encodeArg(raw, p.scalar))
	}
	for _, s := range f.Secrets {
		raw, ok := in.Transient[s.Key]
		field := TransientField + "." + s.Key
		if !ok {
			if !s.Optional {
				violations = append(violations, Violation{Field: field, Rule: "required", Detail: "is required"})
			}
			continue
		}
		if s.compiled != nil {
			if v := validate(s.compiled, s.Key, raw); len(v) > 0 {
				for i := range v {
					v[i].Field = TransientField + "." + v[i].Field
				}
				violations = append(violations, v...)
				continue
			}
		}
		if inv.Transient == nil {
			inv.Transient = make(map[string][]byte, len(f.Secrets))
		}
		inv.Transient[s.Key] = encodeArg(raw, "")
	}
	if len(violations) > 0 {
		return nil, &InputError{Err: ErrInvalidValue, Violations: violations}
	}
	return inv, nil
}

// checkNames refuses members the function does not declare, naming them in
// sorted order so the error is the same for the same request.
func (f *Function) checkNames(in Input) error {
	var unknown []Violation
	params := make(map[string]bool, len(f.Params))
	for _, p := range f.Params {
		params[p.Name] = true
	}
	for name := range in.Args {
		if !params[name] {
			unknown = append(unknown, Violation{Field: name, Rule: "unknown_field", Detail: "is not a parameter of " + f.Route()})
		}
	}
	secrets := make(map[string]bool, len(f.Secrets))
	for _, s := range f.Secrets {
		secrets[s.Key] = true
	}
	for key := range in.Transient {
		if !secrets[key] {
			detail := "is not a private input of " + f.Route()
			if len(f.Secrets) == 0 {
				detail = f.Route() + " takes no private inputs"
			}
			unknown = append(unknown, Violation{Field: TransientField + "." + key, Rule: "unknown_field", Detail: detail})
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Slice(unknown, func(i, j int) bool { return unknown[i].Field < unknown[j].Field })
	return &InputError{Err: ErrMalformedInput, Violations: unknown}
}

func validate(schema *gojsonschema.Schema, name string, raw json.RawMessage) []Violation {
	doc := fmt.Appendf(nil, `{%q:%s}`, name, raw)
	result, err := schema.Validate(gojsonschema.NewBytesLoader(doc))
	if err != nil {
		return []Violation{{Field: name, Rule: "invalid_json", Detail: "is not valid JSON"}}
	}
	if result.Valid() {
		return nil
	}
	out := make([]Violation, 0, len(result.Errors()))
	for _, e := range result.Errors() {
		field := e.Field()
		if field == "(root)" {
			field = name
		}
		if prop, ok := e.Details()["property"].(string); ok && (e.Type() == "required" || e.Type() == "additional_property_not_allowed") {
			field += "." + prop
		}
		out = append(out, Violation{Field: field, Rule: e.Type(), Detail: e.Description()})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Field != out[j].Field {
			return out[i].Field < out[j].Field
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

// encodeArg renders one validated value as a chaincode argument.
func encodeArg(raw json.RawMessage, scalar string) []byte {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '"' {
		var s string
		if json.Unmarshal(trimmed, &s) == nil {
			return []byte(s)
		}
	}
	if scalar == "integer" {
		// contractapi parses integers with strconv, which refuses 1e3 and 2.0
		// although JSON schema calls them integers.
		if n, ok := new(big.Rat).SetString(string(trimmed)); ok && n.IsInt() {
			return []byte(n.Num().String())
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, trimmed) == nil {
		return buf.Bytes()
	}
	return []byte(strings.TrimSpace(string(raw)))
}
