package audit

import (
	"fmt"
	"regexp"
	"time"
	"unicode"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Limits on hostile input. They keep every ledger value small and bounded.
const (
	MaxTitleLen     = 200                  // titles and subjects, in characters
	MaxTextLen      = 8000                 // narrative fields, in characters
	MaxIdentityLen  = 1024                 // certificate identities, in characters
	MaxURILen       = 2048                 // evidence URIs, in characters
	MaxEvidence     = 20                   // evidence items in one response
	MaxLedgerRefs   = 20                   // ledger references in one evidence item
	MaxRelatedItems = 20                   // requests a finding cites
	MaxFollowUps    = 50                   // follow-up records on one finding
	MaxResponses    = 20                   // responses to one request, across reopenings
	MaxSigners      = 9                    // named signers on one sign-off
	MaxDueWindow    = 365 * 24 * time.Hour // furthest a due date may be set ahead
)

var (
	mspIDPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	agencyPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_-]{0,31}$`)
)

// checkText requires printable text of at most max characters; line breaks
// and tabs are allowed so narrative fields can have paragraphs.
func checkText(field, v string, max int) error {
	if err := validate.Required(field, v); err != nil {
		return err
	}
	return checkOptionalText(field, v, max)
}

func checkOptionalText(field, v string, max int) error {
	if err := validate.MaxLen(field, v, max); err != nil {
		return err
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return fieldErr(field, RulePrintable, "must not contain control characters other than line breaks and tabs")
		}
	}
	return nil
}

// checkDue requires a due date after now and within MaxDueWindow of it.
func checkDue(field string, due, now time.Time) error {
	if due.IsZero() {
		return fieldErr(field, validate.RuleRequired, "must not be empty")
	}
	if !due.After(now) {
		return fieldErr(field, RuleAfter, "must be after the transaction time")
	}
	if due.Sub(now) > MaxDueWindow {
		return fieldErr(field, validate.RuleRange, "must be at most 365 days after the transaction time")
	}
	return nil
}

// checkCount bounds a list's length.
func checkCount(field string, n, max int) error {
	if n > max {
		return fieldErr(field, RuleMaxItems, fmt.Sprintf("must have at most %d items, got %d", max, n))
	}
	return nil
}

func indexed(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
