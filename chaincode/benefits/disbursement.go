package benefits

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
)

// PeriodOnce is the only period of a one-off benefit. Monthly benefits use
// "YYYY-MM" periods.
const PeriodOnce = "once"

// MinAccountSecretLen is the shortest secret HashPayoutAccount accepts; a
// shorter key would let anyone enumerate account numbers against the hashes.
const MinAccountSecretLen = 32

const maxAccountLen = 34 // an IBAN's maximum length

// AccountHash is the keyed hash of a payout account number, as 64 lowercase
// hex digits. The ledger compares accounts by hash and never sees a number.
type AccountHash string

// HashPayoutAccount derives the AccountHash of an account number as
// HMAC-SHA256(secret, canonical account). It runs at the gateway with a
// secret the ledger never sees. Spaces are dropped and letters upper-cased
// first, so "gb82 west 1234" and "GB82WEST1234" share a hash and the
// shared-account check cannot be dodged by spelling.
func HashPayoutAccount(secret []byte, account string) (AccountHash, error) {
	if len(secret) < MinAccountSecretLen {
		return "", invalid("secret", "must be at least %d bytes", MinAccountSecretLen)
	}
	var b strings.Builder
	for i := 0; i < len(account) && i <= 2*maxAccountLen; i++ {
		c := account[i]
		switch {
		case c == ' ':
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case isUpper(c) || isDigit(c):
			b.WriteByte(c)
		default:
			return "", invalid("account", "may contain only letters, digits and spaces")
		}
	}
	if b.Len() < 5 || b.Len() > maxAccountLen {
		return "", invalid("account", "must be 5 to %d letters and digits", maxAccountLen)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(b.String()))
	return AccountHash(hex.EncodeToString(mac.Sum(nil))), nil
}

// Validate checks that h looks like an AccountHash.
func (h AccountHash) Validate(field string) error {
	if len(h) != 2*sha256.Size {
		return invalid(field, "must be %d lowercase hex digits", 2*sha256.Size)
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return invalid(field, "must be %d lowercase hex digits", 2*sha256.Size)
		}
	}
	return nil
}

// Disbursement is one payment under an entitlement. At most one exists per
// entitlement and period; the contract keys disbursements that way.
type Disbursement struct {
	ID          string           `json:"id"`
	Entitlement string           `json:"entitlement"`
	Subject     identity.Subject `json:"subject"`
	Period      string           `json:"period"`
	Amount      Money            `json:"amount"`
	Account     AccountHash      `json:"account"`
	PaidAt      time.Time        `json:"paidAt"`
	PaidBy      string           `json:"paidBy"` // agency
}

// Disburse records a payment for period into account at at. The entitlement
// must be active and the period covered and started; a one-off entitlement
// ends once paid.
func (e *Entitlement) Disburse(id, period string, account AccountHash, by string, at time.Time) (*Disbursement, error) {
	if err := identity.ValidateID("id", id); err != nil {
		return nil, err
	}
	if err := account.Validate("account"); err != nil {
		return nil, err
	}
	if err := identity.ValidateAgency("paidBy", by); err != nil {
		return nil, err
	}
	if e.Status != EntitlementActive {
		return nil, refused("entitlement", e.ID, string(e.Status), "disburse")
	}
	at = at.UTC()
	if err := e.due(period, at); err != nil {
		return nil, err
	}
	if e.Benefit.Schedule == ScheduleOneOff {
		e.Status, e.Reason, e.UpdatedAt = EntitlementEnded, ReasonPaid, at
	}
	return &Disbursement{
		ID: id, Entitlement: e.ID, Subject: e.Subject, Period: period, Amount: e.Benefit.Amount,
		Account: account, PaidAt: at, PaidBy: by,
	}, nil
}

// due checks that period is one the entitlement pays for and that it has
// started by at. Months already past may still be paid in arrears.
func (e *Entitlement) due(period string, at time.Time) error {
	if e.Benefit.Schedule == ScheduleOneOff {
		if period != PeriodOnce {
			return invalid("period", "must be %q for a one-off benefit", PeriodOnce)
		}
		if !at.Before(e.End) {
			return fmt.Errorf("entitlement %s: payable until %s: %w", e.ID, e.End.Format(time.RFC3339), ErrNotDue)
		}
		return nil
	}
	month, err := time.Parse("2006-01", period)
	if err != nil || month.Format("2006-01") != period {
		return invalid("period", "must be a month written YYYY-MM")
	}
	switch {
	case month.Before(e.Start) || !month.Before(e.End):
		return fmt.Errorf("entitlement %s: period %s is outside %s to %s: %w",
			e.ID, period, e.Start.Format("2006-01"), e.End.AddDate(0, -1, 0).Format("2006-01"), ErrNotDue)
	case month.After(at):
		return fmt.Errorf("entitlement %s: period %s has not started: %w", e.ID, period, ErrNotDue)
	}
	return nil
}

// DefaultMaxSubjectsPerAccount is the usual limit N of the shared-account
// check: a household account may serve a few people, rarely more.
const DefaultMaxSubjectsPerAccount = 3

// FraudFlag reports a payout account shared by more subjects than the limit.
// It is raised for a caseworker to review, not acted on automatically: the
// payment that raised it stands.
type FraudFlag struct {
	Account  AccountHash `json:"account"`
	Subjects int         `json:"subjects"` // distinct subjects seen, counting stops at Limit+1
	Limit    int         `json:"limit"`
}

// CheckSharedAccount returns a flag when more than limit distinct subjects
// have been paid into account, and nil otherwise. The caller counts subjects
// only up to limit+1, so the check costs the same however many there are.
func CheckSharedAccount(account AccountHash, subjects, limit int) *FraudFlag {
	if subjects <= limit {
		return nil
	}
	return &FraudFlag{Account: account, Subjects: subjects, Limit: limit}
}
