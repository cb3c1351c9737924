package deid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"unicode/utf8"
)

// jsonLimits bound what decodeTree will build, so hostile input cannot
// exhaust memory or stack.
type jsonLimits struct {
	maxBytes  int
	maxDepth  int // nesting of objects and arrays; the top-level value is depth 1
	maxValues int // every scalar, object and array counts as one
}

// jsonNull stands for a JSON null, so that readers can tell an explicit null
// (rejected wherever a value is expected: FHIR forbids null, and encoding/json
// never writes one for a Report) from an absent member.
type jsonNull struct{}

// decodeTree parses data into map[string]any, []any, string, json.Number,
// bool and jsonNull, stricter than encoding/json's Unmarshal: the input must be
// valid UTF-8 (Unmarshal silently replaces bad bytes), an object may not
// repeat a key (Unmarshal keeps the last, so two parsers could read two
// different records), keys keep their exact case (Unmarshal matches struct
// fields case-insensitively), and nothing may follow the value.
func decodeTree(data []byte, lim jsonLimits) (any, error) {
	if len(data) > lim.maxBytes {
		return nil, pathErr("", ErrLimit, fmt.Sprintf("larger than %d bytes", lim.maxBytes))
	}
	if !utf8.Valid(data) {
		return nil, pathErr("", ErrMalformed, "not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	t := &treeDecoder{dec: dec, lim: lim}
	v, err := t.value("", 1)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, pathErr("", ErrMalformed, "data after the JSON value")
	}
	return v, nil
}

type treeDecoder struct {
	dec    *json.Decoder
	lim    jsonLimits
	values int
}

func (t *treeDecoder) value(path string, depth int) (any, error) {
	tok, err := t.token(path)
	if err != nil {
		return nil, err
	}
	if t.values++; t.values > t.lim.maxValues {
		return nil, pathErr(path, ErrLimit, fmt.Sprintf("more than %d JSON values", t.lim.maxValues))
	}
	if tok == nil {
		return jsonNull{}, nil
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth > t.lim.maxDepth {
		return nil, pathErr(path, ErrLimit, fmt.Sprintf("nested deeper than %d", t.lim.maxDepth))
	}
	if delim == '[' {
		arr := []any{}
		for t.dec.More() {
			v, err := t.value(fmt.Sprintf("%s[%d]", path, len(arr)), depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := t.token(path)
		return arr, err
	}
	obj := map[string]any{}
	for t.dec.More() {
		tok, err := t.token(path)
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // inside an object the decoder only yields string keys
		if _, dup := obj[key]; dup {
			return nil, pathErr(path, ErrMalformed, "repeats a key")
		}
		v, err := t.value(joinPath(path, key), depth+1)
		if err != nil {
			return nil, err
		}
		obj[key] = v
	}
	_, err = t.token(path)
	return obj, err
}

func (t *treeDecoder) token(path string) (json.Token, error) {
	tok, err := t.dec.Token()
	if err == nil {
		return tok, nil
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return nil, pathErr(path, ErrMalformed, fmt.Sprintf("invalid JSON at byte %d", syntax.Offset))
	}
	return nil, pathErr(path, ErrMalformed, "truncated JSON")
}

// plainKey is the shape of FHIR element names. Keys of any other shape are
// shown as "?" in paths: keys are input too, and error paths end up in logs.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

func joinPath(path, key string) string {
	if !plainKey.MatchString(key) {
		key = "?"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// node is a decoded JSON value with its path, for reading FHIR and reports
// with errors that say where the problem is.
type node struct {
	v    any
	path string
}

func (n node) child(key string) node { return node{v: n.object()[key], path: joinPath(n.path, key)} }

func (n node) object() map[string]any { m, _ := n.v.(map[string]any); return m }

func (n node) present() bool { return n.v != nil }

// obj returns the named member, which must be an object when present.
func (n node) obj(key string) (node, error) {
	c := n.child(key)
	if c.present() && c.object() == nil {
		return c, pathErr(c.path, ErrMalformed, "must be an object")
	}
	return c, nil
}

// str returns the named member, which must be a string when present; absent
// yields "".
func (n node) str(key string) (string, error) {
	c := n.child(key)
	if !c.present() {
		return "", nil
	}
	s, ok := c.v.(string)
	if !ok {
		return "", pathErr(c.path, ErrMalformed, "must be a string")
	}
	return s, nil
}

// arr returns the elements of the named member, which must be an array when
// present.
func (n node) arr(key string) ([]node, error) {
	c := n.child(key)
	if !c.present() {
		return nil, nil
	}
	a, ok := c.v.([]any)
	if !ok {
		return nil, pathErr(c.path, ErrMalformed, "must be an array")
	}
	out := make([]node, len(a))
	for i, v := range a {
		out[i] = node{v: v, path: fmt.Sprintf("%s[%d]", c.path, i)}
	}
	return out, nil
}

// objects is arr for arrays whose elements must all be objects.
func (n node) objects(key string) ([]node, error) {
	elems, err := n.arr(key)
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		if e.object() == nil {
			return nil, pathErr(e.path, ErrMalformed, "must be an object")
		}
	}
	return elems, nil
}
