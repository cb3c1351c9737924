package ccpackage

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// IndexDir is where, inside code.tar.gz and the builder's output, CouchDB
// index definitions live; Fabric reads nothing else from META-INF.
const IndexDir = MetaInfDir + "/statedb/couchdb"

// MaxIndexSize bounds one index definition; real ones are a few hundred bytes.
const MaxIndexSize = 64 << 10

// indexPath is the two places Fabric looks for CouchDB indexes, chaincode
// wide and per private data collection, relative to IndexDir (Fabric's
// internal/ccmetadata rules, with names restricted to portable characters).
var indexPath = regexp.MustCompile(`^(indexes|collections/[A-Za-z0-9_-]+/indexes)/[A-Za-z0-9][A-Za-z0-9_.-]*\.json$`)

// ValidateIndex checks one CouchDB index definition the way the peer will
// when the chaincode is deployed, so that a bad index fails packaging or the
// build rather than surfacing later as a peer log line. name is the path
// below IndexDir, such as "indexes/byAgency.json".
func ValidateIndex(name string, definition []byte) error {
	field := IndexDir + "/" + name
	if !indexPath.MatchString(name) {
		return &FieldError{Field: field, Rule: `must be "indexes/<name>.json" or "collections/<collection>/indexes/<name>.json" below ` + IndexDir}
	}
	if len(definition) > MaxIndexSize {
		return &FieldError{Field: field, Rule: fmt.Sprintf("must be at most %d bytes", MaxIndexSize)}
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(definition, &doc); err != nil {
		return &FieldError{Field: field, Rule: "must be a JSON object", Err: err}
	}
	for _, key := range slices.Sorted(maps.Keys(doc)) {
		if rule := indexMemberRule(key, doc[key]); rule != "" {
			return &FieldError{Field: field, Rule: fmt.Sprintf("member %q %s", key, rule)}
		}
	}
	if _, ok := doc["index"]; !ok {
		return &FieldError{Field: field, Rule: `must have an "index" member`}
	}
	return nil
}

// indexMemberRule returns the rule a top-level member breaks, or "".
func indexMemberRule(key string, value json.RawMessage) string {
	switch key {
	case "ddoc", "name":
		var s string
		if json.Unmarshal(value, &s) != nil {
			return "must be a string"
		}
	case "type":
		var s string
		if json.Unmarshal(value, &s) != nil || s != "json" {
			return `must be "json"`
		}
	case "index":
		var index struct {
			Fields []json.RawMessage `json:"fields"`
		}
		if json.Unmarshal(value, &index) != nil || len(index.Fields) == 0 {
			return `must be an object with a non-empty "fields" array`
		}
		for _, f := range index.Fields {
			if !validIndexField(f) {
				return `must list fields as names or {"name": "asc"|"desc"}`
			}
		}
	default:
		return "is not an index definition member"
	}
	return ""
}

func validIndexField(raw json.RawMessage) bool {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		return name != ""
	}
	var sorted map[string]string
	if json.Unmarshal(raw, &sorted) != nil || len(sorted) != 1 {
		return false
	}
	for name, order := range sorted {
		return name != "" && (order == "asc" || order == "desc")
	}
	return false
}
