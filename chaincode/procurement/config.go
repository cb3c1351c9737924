package procurement

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"
)

// ErrConfig reports an unusable Config; it is a deployment error, not a
// caller's.
var ErrConfig = errors.New("invalid procurement configuration")

// Day is the unit of every "days" setting: a fixed 24 hours of transaction
// time, so periods do not depend on a time zone or daylight-saving rules.
const Day = 24 * time.Hour

// Config holds the legal parameters of a procurement regime. The values come
// from law and policy, not from callers, so they are fixed when the chaincode
// starts; DefaultConfig documents a plausible EU-style regime.
type Config struct {
	// OCIDPrefix is the registered OCDS prefix; a tender's ocid is
	// OCIDPrefix + tender id. Form: "ocds-" + 6 lowercase letters or digits + "-".
	OCIDPrefix string
	// DirectAwardThresholds gives, per currency, the value a direct award
	// must stay strictly below. Direct awards are refused in a currency
	// without a threshold.
	DirectAwardThresholds []Money
	// MinTenderDays are the legal minimum tender periods (publication to
	// submission deadline). A shorter period raises a red flag.
	MinTenderDays []TenderPeriodRule
	// MinAmendmentDays is how long must remain before the submission
	// deadline after an amendment; an amendment extends the deadline to
	// restore it.
	MinAmendmentDays int64
	// SplittingWindowDays is how far back direct awards between the same
	// buyer and supplier count towards the contract-splitting red flag.
	SplittingWindowDays int64
	// SplittingBandBps is how close below the threshold (in basis points of
	// the threshold) a direct award must be to count as "just below" it.
	SplittingBandBps int64
	// MaxItems, MaxCriteria, MaxEvaluators and MaxMilestones bound the lists
	// a tender holds, so one state value stays small.
	MaxItems      int
	MaxCriteria   int
	MaxEvaluators int
	MaxMilestones int
	// OCDSPublisher names the publisher in OCDS packages; OCDSBaseURI is
	// where packages are published (package uri = OCDSBaseURI + "/" + ocid).
	OCDSPublisher string
	OCDSBaseURI   string
}

// TenderPeriodRule sets the minimum tender period for a procurement method
// from a budget amount upwards. Currency "" applies to every currency.
type TenderPeriodRule struct {
	Method     Method
	Currency   string
	FromAmount int64
	Days       int64
}

// DefaultConfig returns the default regime:
//   - OCIDPrefix "ocds-govldg-"
//   - direct awards below EUR 50,000.00 and USD 50,000.00
//   - minimum tender periods: open 30 days (35 from EUR 5,382,000.00),
//     selective 25, limited 10, direct 0
//   - amendments leave at least 5 days before the submission deadline
//   - contract splitting: direct awards within 10% below the threshold,
//     looked for over 90 days
//   - at most 200 items, 20 criteria, 15 evaluators, 50 milestones
//   - OCDS publisher "GovLedger", base URI https://govledger.example/ocds
func DefaultConfig() Config {
	return Config{
		OCIDPrefix: "ocds-govldg-",
		DirectAwardThresholds: []Money{
			{Amount: 5_000_000, Currency: "EUR"},
			{Amount: 5_000_000, Currency: "USD"},
		},
		MinTenderDays: []TenderPeriodRule{
			{Method: MethodOpen, Days: 30},
			{Method: MethodOpen, Currency: "EUR", FromAmount: 538_200_000, Days: 35},
			{Method: MethodSelective, Days: 25},
			{Method: MethodLimited, Days: 10},
			{Method: MethodDirect, Days: 0},
		},
		MinAmendmentDays:    5,
		SplittingWindowDays: 90,
		SplittingBandBps:    1000,
		MaxItems:            200,
		MaxCriteria:         20,
		MaxEvaluators:       15,
		MaxMilestones:       50,
		OCDSPublisher:       "GovLedger",
		OCDSBaseURI:         "https://govledger.example/ocds",
	}
}

var ocidPrefixPattern = regexp.MustCompile(`^ocds-[a-z0-9]{6}-$`)

// Validate reports the first setting that makes the regime unusable.
func (c Config) Validate() error {
	bad := func(field, rule string) error { return fmt.Errorf("%w: %s: %s", ErrConfig, field, rule) }
	if !ocidPrefixPattern.MatchString(c.OCIDPrefix) {
		return bad("OCIDPrefix", `must be "ocds-" followed by 6 lowercase letters or digits and "-"`)
	}
	seen := make(map[string]bool, len(c.DirectAwardThresholds))
	for i, t := range c.DirectAwardThresholds {
		if err := checkMoney(fmt.Sprintf("DirectAwardThresholds[%d]", i), t, true); err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
		if seen[t.Currency] {
			return bad(fmt.Sprintf("DirectAwardThresholds[%d]", i), "currency listed twice")
		}
		seen[t.Currency] = true
	}
	for i, r := range c.MinTenderDays {
		field := fmt.Sprintf("MinTenderDays[%d]", i)
		switch {
		case !r.Method.valid():
			return bad(field+".Method", "must be open, selective, limited or direct")
		case r.Currency != "" && !knownCurrency(r.Currency):
			return bad(field+".Currency", "must be empty or an ISO 4217 code")
		case r.FromAmount < 0:
			return bad(field+".FromAmount", "must not be negative")
		case r.Days < 0 || r.Days > 365:
			return bad(field+".Days", "must be between 0 and 365")
		}
	}
	switch {
	case c.MinAmendmentDays < 0 || c.MinAmendmentDays > 365:
		return bad("MinAmendmentDays", "must be between 0 and 365")
	case c.SplittingWindowDays < 1 || c.SplittingWindowDays > 3650:
		return bad("SplittingWindowDays", "must be between 1 and 3650")
	case c.SplittingBandBps < 1 || c.SplittingBandBps > 10000:
		return bad("SplittingBandBps", "must be between 1 and 10000")
	case c.MaxItems < 1, c.MaxCriteria < 2, c.MaxEvaluators < 1, c.MaxMilestones < 1:
		return bad("MaxItems/MaxCriteria/MaxEvaluators/MaxMilestones", "must allow at least one entry (two criteria)")
	case c.OCDSPublisher == "":
		return bad("OCDSPublisher", "is required")
	}
	if u, err := url.Parse(c.OCDSBaseURI); err != nil || !u.IsAbs() {
		return bad("OCDSBaseURI", "must be an absolute URI")
	}
	return nil
}

// directThreshold returns the direct-award threshold for currency.
func (c Config) directThreshold(currency string) (int64, bool) {
	for _, t := range c.DirectAwardThresholds {
		if t.Currency == currency {
			return t.Amount, true
		}
	}
	return 0, false
}

// minTenderDays picks the most specific rule for method and budget: the
// highest FromAmount not above the budget, a currency-specific rule beating
// a generic one at the same amount. No rule means no minimum.
func (c Config) minTenderDays(method Method, budget Money) int64 {
	var best *TenderPeriodRule
	for i := range c.MinTenderDays {
		r := &c.MinTenderDays[i]
		if r.Method != method || (r.Currency != "" && r.Currency != budget.Currency) || r.FromAmount > budget.Amount {
			continue
		}
		if best == nil || r.FromAmount > best.FromAmount ||
			(r.FromAmount == best.FromAmount && best.Currency == "" && r.Currency != "") {
			best = r
		}
	}
	if best == nil {
		return 0
	}
	return best.Days
}
