package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// RedFlag is the payload of a procurement red-flag event: which record raised
// it and why.
type RedFlag struct {
	Entity string `json:"entity"` // kind of record, e.g. "tender"
	ID     string `json:"id"`     // the record's ID
	Kind   string `json:"kind"`   // which rule fired, e.g. "singleBid"
}

// Validate checks the payload's shape; whether its kind is known is the rule
// table's business (RequestFromRedFlag).
func (f RedFlag) Validate() error {
	return validate.All(
		validate.ID("entity", f.Entity),
		validate.ID("id", f.ID),
		validate.ID("kind", f.Kind),
	)
}

// RedFlagRule maps one red-flag kind to the request it raises: what the audit
// office asks the responsible agency and how long the agency has to answer.
type RedFlagRule struct {
	Kind   string
	Entity string // the record kind this red flag is raised on
	// Subject and Detail are formats taking the record's ID once.
	Subject string
	Detail  string
	Window  time.Duration
}

const day = 24 * time.Hour

// redFlagRules is the rule table, one row per red-flag kind the procurement
// contract raises (procurement.FlagKind), sorted by kind. Windows are shorter
// where money may still be recovered before a contract is signed.
var redFlagRules = []RedFlagRule{
	{
		Kind: "awardNotTopRanked", Entity: "tender", Window: 10 * day,
		Subject: "Award to a bid other than the top-ranked on tender %s",
		Detail:  "Tender %s was not awarded to the top-ranked bid. Provide the evaluation report, the ranking, and the justification for the award decision.",
	},
	{
		Kind: "contractSplitting", Entity: "tender", Window: 15 * day,
		Subject: "Possible contract splitting around tender %s",
		Detail:  "Tender %s is one of several direct awards to the same supplier just below the direct-award threshold. Provide the agency's purchase plan and the related awards.",
	},
	{
		Kind: "shortTenderPeriod", Entity: "tender", Window: 15 * day,
		Subject: "Short tender period on tender %s",
		Detail:  "Tender %s was published with less than the legal minimum period before its submission deadline. Provide the justification for the shortened period and how the tender was publicised.",
	},
	{
		Kind: "singleBid", Entity: "tender", Window: 15 * day,
		Subject: "Single bid received on tender %s",
		Detail:  "Competitive tender %s received a single bid. Provide the market analysis, the publication record, and any clarification requests received from other suppliers.",
	},
}

// RedFlagRuleFor returns the rule for kind, or ErrUnknownRedFlag.
func RedFlagRuleFor(kind string) (RedFlagRule, error) {
	i, found := slices.BinarySearchFunc(redFlagRules, kind, func(r RedFlagRule, k string) int {
		return strings.Compare(r.Kind, k)
	})
	if !found {
		return RedFlagRule{}, fmt.Errorf("%w: %q", ErrUnknownRedFlag, kind)
	}
	return redFlagRules[i], nil
}

// RedFlagRequestID derives the ID of the request a red flag raises. It is a
// digest of the flag, so the same flag cannot open two requests on one
// engagement.
func RedFlagRequestID(f RedFlag) string {
	sum := sha256.Sum256([]byte(f.Entity + "\x00" + f.ID + "\x00" + f.Kind))
	return "rf-" + hex.EncodeToString(sum[:12])
}

// RequestFromRedFlag maps a red flag to the request it raises on the
// responsible agency's engagement, due one rule window after now. It rejects
// unknown kinds (ErrUnknownRedFlag) and flags raised on a record kind the rule
// does not cover.
func RequestFromRedFlag(f RedFlag, now time.Time) (RequestSpec, error) {
	if err := f.Validate(); err != nil {
		return RequestSpec{}, err
	}
	rule, err := RedFlagRuleFor(f.Kind)
	if err != nil {
		return RequestSpec{}, err
	}
	if f.Entity != rule.Entity {
		return RequestSpec{}, fieldErr("entity", validate.RuleOneOf, fmt.Sprintf("must be %s for red flag %s", rule.Entity, f.Kind))
	}
	origin := f
	return RequestSpec{
		ID:      RedFlagRequestID(f),
		Subject: fmt.Sprintf(rule.Subject, f.ID),
		Detail:  fmt.Sprintf(rule.Detail, f.ID),
		DueAt:   now.UTC().Add(rule.Window),
		Origin:  &origin,
	}, nil
}
