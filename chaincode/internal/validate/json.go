package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxJSONBytes bounds every JSON argument. Fabric itself accepts far larger
// proposals; the bound keeps a hostile caller from making every endorser
// parse megabytes.
const MaxJSONBytes = 128 << 10

// maxJSONDepth bounds nesting; GovLedger documents are shallow.
const maxJSONDepth = 32

// DecodeJSON decodes data into v strictly: data must be valid UTF-8, at most
// MaxJSONBytes long, exactly one JSON value (no trailing data), not null, no
// deeper than 32 levels, with no field v does not declare and no key repeated
// in an object. Repeats are compared case-insensitively, because
// encoding/json matches field names that way and would otherwise let
// {"amount":1,"Amount":9} mean different things to different parsers.
// Field is the argument's name, used in every error.
func DecodeJSON(field string, data string, v any) error {
	if len(data) > MaxJSONBytes {
		return Fail(field, RuleMaxSize, fmt.Sprintf("must be at most %d bytes, got %d", MaxJSONBytes, len(data)))
	}
	if strings.TrimSpace(data) == "" {
		return Fail(field, RuleRequired, "must not be empty")
	}
	if !utf8.ValidString(data) {
		return Fail(field, RuleUTF8, "must be valid UTF-8")
	}
	if err := checkStructure(data); err != nil {
		return withField(field, err)
	}
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var target *json.InvalidUnmarshalError
		if errors.As(err, &target) {
			// The contract passed a bad target: its bug, not the caller's.
			return fmt.Errorf("validate: decode %s: %w", field, err)
		}
		return withField(field, describe(err))
	}
	return nil
}

// structureError is a DecodeJSON failure before the field is known.
type structureError struct{ rule, detail string }

func (e *structureError) Error() string { return e.detail }

func withField(field string, err error) error {
	var se *structureError
	if errors.As(err, &se) {
		return Fail(field, se.rule, se.detail)
	}
	return Fail(field, RuleJSON, err.Error())
}

// describe turns decoder errors into details that name the offending JSON
// field but never echo input values.
func describe(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := te.Field
		if path == "" {
			path = "(document)"
		}
		return fmt.Errorf("%s: must be %s, got JSON %s", path, te.Type, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at byte %d", se.Offset)
	}
	if strings.HasPrefix(err.Error(), "json: unknown field ") {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return errors.New("malformed JSON")
}

// checkStructure walks the tokens of data once, before decoding, to enforce
// the rules encoding/json does not: one value only, not null, bounded depth,
// no repeated keys.
func checkStructure(data string) error {
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object    bool
		expectKey bool
		keys      map[string]struct{}
	}
	var stack []*frame
	first := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return &structureError{RuleJSON, "malformed JSON: unexpected end of input"}
			}
			return nil
		}
		if err != nil {
			return &structureError{RuleJSON, describe(err).Error()}
		}
		if len(stack) == 0 && !first {
			return &structureError{RuleJSON, "must hold exactly one JSON value, found trailing data"}
		}
		if first && tok == nil {
			return &structureError{RuleRequired, "must not be null"}
		}
		first = false
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expectKey {
			if key, ok := tok.(string); ok {
				folded := strings.ToLower(key)
				if _, dup := top.keys[folded]; dup {
					return &structureError{RuleDuplicate, fmt.Sprintf("object key %q appears more than once (keys are compared case-insensitively)", key)}
				}
				top.keys[folded] = struct{}{}
				top.expectKey = false
				continue
			}
		}
		if top != nil && top.object {
			// A value (or the end of the object) follows a key.
			top.expectKey = true
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) == maxJSONDepth {
				return &structureError{RuleJSON, fmt.Sprintf("must not nest deeper than %d levels", maxJSONDepth)}
			}
			obj := tok == json.Delim('{')
			stack = append(stack, &frame{object: obj, expectKey: obj, keys: map[string]struct{}{}})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}
