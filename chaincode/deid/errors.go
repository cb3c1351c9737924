package deid

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns wraps exactly one of them,
// so callers branch with errors.Is and never on message text.
var (
	// ErrIdentifier means a field looks like one of the HIPAA Safe Harbor
	// identifiers. For a chaincode this is a privacy incident, not a typo: the
	// submitter tried to put protected health information on a shared ledger.
	ErrIdentifier = errors.New("deid: direct identifier")
	// ErrFormat means a field is outside its strict format or vocabulary but
	// does not look like an identifier.
	ErrFormat = errors.New("deid: field format")
	// ErrConfig means the Config or the pseudonym secret is unusable.
	ErrConfig = errors.New("deid: configuration")
	// ErrMalformed means input bytes are not acceptable JSON, FHIR or report
	// structure.
	ErrMalformed = errors.New("deid: malformed input")
	// ErrLimit means input exceeds a size, depth or count limit.
	ErrLimit = errors.New("deid: input limit exceeded")
	// ErrUnsupported means valid FHIR that this package cannot map, such as a
	// condition coded only in a local code system.
	ErrUnsupported = errors.New("deid: unsupported FHIR content")
)

// Violation is the gate's verdict on one field. It deliberately carries no
// copy of the offending value: the value may be the very identifier being
// rejected, and errors end up in logs and transaction responses.
type Violation struct {
	Field string // report field in JSON form, e.g. "lab.code"
	Rule  Rule   // the rule the field broke
}

// Error names the field and the rule, never the value.
func (v *Violation) Error() string {
	return fmt.Sprintf("deid: field %s: %s (rule %s)", v.Field, v.Rule.description(), string(v.Rule))
}

// Unwrap returns ErrIdentifier for Safe Harbor rules and ErrFormat for format
// rules, so callers can tell an attempted disclosure from a malformed field.
func (v *Violation) Unwrap() error {
	if v.Rule.Identifier() {
		return ErrIdentifier
	}
	return ErrFormat
}

// PathError reports a problem at a place in JSON input: a FHIR path such as
// "entry[2].resource.onsetDateTime" for bundles, or a report field for
// DecodeReport. Like Violation it never quotes input values.
type PathError struct {
	Path   string // where the problem is; "" means the whole document
	Reason string // the rule broken
	Err    error  // a sentinel, or a *Violation when the gate rejected a mapped report
}

// Error renders the path and the rule.
func (e *PathError) Error() string {
	where := e.Path
	if where == "" {
		where = "(document)"
	}
	if e.Reason == "" {
		return fmt.Sprintf("%s: %v", where, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", where, e.Reason, e.Err)
}

// Unwrap exposes the sentinel or Violation.
func (e *PathError) Unwrap() error { return e.Err }

func pathErr(path string, err error, reason string) *PathError {
	return &PathError{Path: path, Reason: reason, Err: err}
}
