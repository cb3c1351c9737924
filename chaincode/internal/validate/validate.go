// Package validate checks hostile input before a contract acts on it.
//
// Every check names the field it looked at (a JSON path such as
// "budget.amount") and returns a *FieldError that unwraps to ErrInvalid, which
// in turn wraps ccerror.ErrInvalidArgument: ccerror.From turns it into an
// INVALID_ARGUMENT error that carries the field and the rule to the client.
//
// Checks are plain functions returning error so they compose with All:
//
//	if err := validate.All(
//		validate.ID("id", in.ID),
//		validate.MaxLen("title", in.Title, 200),
//		validate.Positive("budget.amount", in.Budget.Amount),
//		validate.Currency("budget.currency", in.Budget.Currency),
//	); err != nil {
//		return err
//	}
package validate

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govledger/govledger/chaincode/ccerror"
)

// ErrInvalid is what every *FieldError unwraps to.
var ErrInvalid = fmt.Errorf("invalid input: %w", ccerror.ErrInvalidArgument)

// Rule names carried in FieldError.Rule and on to clients. They are part of
// the wire format: clients may switch on them.
const (
	RuleRequired  = "required"
	RuleMaxLen    = "maxLength"
	RulePattern   = "pattern"
	RuleID        = "id"
	RuleOneOf     = "oneOf"
	RulePositive  = "positive"
	RuleCurrency  = "currency"
	RuleRFC3339   = "rfc3339"
	RuleSHA256    = "sha256"
	RuleJSON      = "json"
	RuleMaxSize   = "maxSize"
	RuleUTF8      = "utf8"
	RuleRange     = "range"
	RuleBookmark  = "bookmark"
	RuleDuplicate = "duplicateKey"
)

// FieldError reports one broken rule on one input field.
type FieldError struct {
	Field  string // JSON path of the field, e.g. "budget.amount"
	Rule   string // one of the Rule constants or a domain rule name
	Detail string // human-readable; never contains the rejected value
}

// Error renders as `field "budget.amount": rule "positive": must be > 0`.
func (e *FieldError) Error() string {
	return fmt.Sprintf("field %q: rule %q: %s", e.Field, e.Rule, e.Detail)
}

// Unwrap lets errors.Is(err, ErrInvalid) and
// errors.Is(err, ccerror.ErrInvalidArgument) match.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// ErrorField implements ccerror.FieldReporter.
func (e *FieldError) ErrorField() string { return e.Field }

// ErrorRule implements ccerror.RuleReporter.
func (e *FieldError) ErrorRule() string { return e.Rule }

// Fail returns a *FieldError; contracts use it for their own domain rules.
func Fail(field, rule, detail string) error {
	return &FieldError{Field: field, Rule: rule, Detail: detail}
}

// All returns the first non-nil error, so callers list checks in the order
// they want them reported. Every check is evaluated; they are cheap.
func All(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Required rejects an empty or all-whitespace value.
func Required(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return Fail(field, RuleRequired, "must not be empty")
	}
	return nil
}

// MaxLen rejects a value of more than max characters (runes) and any value
// that is not valid UTF-8, since Fabric keys and JSON both need UTF-8.
func MaxLen(field, value string, max int) error {
	if !utf8.ValidString(value) {
		return Fail(field, RuleUTF8, "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(value); n > max {
		return Fail(field, RuleMaxLen, fmt.Sprintf("must be at most %d characters, got %d", max, n))
	}
	return nil
}

// Pattern rejects a value re does not match; desc says in words what is
// expected, since a regular expression is a poor error message.
func Pattern(field, value string, re *regexp.Regexp, desc string) error {
	if !re.MatchString(value) {
		return Fail(field, RulePattern, "must be "+desc)
	}
	return nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)

// ID checks an entity identifier: 1 to 64 characters of ASCII letters, digits
// and . _ : -, starting with a letter or digit. Identifiers become composite
// key attributes, so the restriction also keeps out the U+0000 and U+10FFFF
// that Fabric forbids there.
func ID(field, value string) error {
	if value == "" {
		return Fail(field, RuleRequired, "must not be empty")
	}
	if !idPattern.MatchString(value) {
		return Fail(field, RuleID, "must be 1-64 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit")
	}
	return nil
}

// OneOf rejects a value that is not in allowed.
func OneOf(field, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return Fail(field, RuleOneOf, "must be one of "+strings.Join(allowed, ", "))
}

// Number is what Positive accepts.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 |
		~float32 | ~float64
}

// Positive rejects v <= 0 (and NaN).
func Positive[N Number](field string, v N) error {
	if !(v > 0) { //nolint:staticcheck // QF1001: v <= 0 would let NaN through
		return Fail(field, RulePositive, "must be > 0")
	}
	return nil
}

// InRange rejects v outside [min, max].
func InRange[N Number](field string, v, min, max N) error {
	if !(v >= min && v <= max) { //nolint:staticcheck // QF1001: the De Morgan form would let NaN through
		return Fail(field, RuleRange, fmt.Sprintf("must be between %v and %v", min, max))
	}
	return nil
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// Currency checks the shape of an ISO 4217 alphabetic code: three upper-case
// letters. It does not consult the list of codes, which changes over time.
func Currency(field, code string) error {
	if !currencyPattern.MatchString(code) {
		return Fail(field, RuleCurrency, "must be an ISO 4217 code of three upper-case letters")
	}
	return nil
}

// Time parses an RFC 3339 timestamp and returns it in UTC.
func Time(field, value string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return time.Time{}, Fail(field, RuleRFC3339, "must be an RFC 3339 timestamp such as 2026-01-31T17:00:00Z")
	}
	return t.UTC(), nil
}

var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// SHA256Hex checks a SHA-256 digest written as 64 lower-case hex digits, the
// form GovLedger uses to anchor off-chain documents.
func SHA256Hex(field, value string) error {
	if !sha256Pattern.MatchString(value) {
		return Fail(field, RuleSHA256, "must be a SHA-256 digest of 64 lower-case hex digits")
	}
	return nil
}
