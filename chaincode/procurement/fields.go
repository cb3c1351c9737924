package procurement

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Length limits for free text. They keep one state value small and are
// generous for real notices.
const (
	maxTitle = 200
	maxText  = 4000
	maxURI   = 2048
)

var hexDigestPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkID validates every identifier (tender, item, criterion, milestone,
// supplier, evaluator, agency) with the platform rule, which keeps ids safe
// as composite-key parts and inside OCDS ids.
func checkID(field, v string) error { return validate.ID(field, v) }

// checkText validates free text: valid UTF-8, no control characters other
// than newline and tab, not blank when required, at most max bytes.
func checkText(field, v string, maxLen int, required bool) error {
	if strings.TrimSpace(v) == "" {
		if required {
			return fieldErr(field, validate.RuleRequired, "is required")
		}
		return nil
	}
	if len(v) > maxLen {
		return fieldErr(field, validate.RuleMaxLen, "must be at most %d bytes", maxLen)
	}
	if !utf8.ValidString(v) {
		return fieldErr(field, validate.RuleUTF8, "must be valid UTF-8")
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return fieldErr(field, RuleControlCharacters, "must not contain control characters")
		}
	}
	return nil
}

func checkDigest(field, v string) error {
	if !hexDigestPattern.MatchString(v) {
		return fieldErr(field, validate.RuleSHA256, "must be a SHA-256 digest: 64 lowercase hex characters")
	}
	return nil
}

// checkURI accepts absolute https, ipfs and urn URIs: the places documents
// are published.
func checkURI(field, v string) error {
	if v == "" {
		return fieldErr(field, validate.RuleRequired, "is required")
	}
	if len(v) > maxURI {
		return fieldErr(field, validate.RuleMaxLen, "must be at most %d bytes", maxURI)
	}
	u, err := url.Parse(v)
	if err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "ipfs" && u.Scheme != "urn") {
		return fieldErr(field, validate.RulePattern, "must be an absolute https, ipfs or urn URI")
	}
	return nil
}

func checkMoney(field string, m Money, positive bool) error {
	if !knownCurrency(m.Currency) {
		return fieldErr(field+".currency", validate.RuleCurrency, "must be an active ISO 4217 code")
	}
	if positive && m.Amount <= 0 {
		return fieldErr(field+".amount", validate.RulePositive, "must be positive (minor units)")
	}
	if m.Amount < 0 {
		return fieldErr(field+".amount", validate.RuleRange, "must not be negative")
	}
	return nil
}

func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return fieldErr(field, validate.RuleRequired, "is required (RFC 3339)")
	}
	return nil
}
