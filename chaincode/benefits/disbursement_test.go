package benefits

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var accountSecret = bytes.Repeat([]byte{0x55}, MinAccountSecretLen)

func account(t *testing.T, number string) AccountHash {
	t.Helper()
	h, err := HashPayoutAccount(accountSecret, number)
	require.NoError(t, err)
	return h
}

func TestHashPayoutAccount(t *testing.T) {
	t.Run("hashes spelling variants of one account alike", func(t *testing.T) {
		a := account(t, "gb82 west 1234 5698 7654 32")
		require.Equal(t, a, account(t, "GB82WEST12345698765432"))
		require.NoError(t, a.Validate("account"))
		require.NotContains(t, strings.ToUpper(string(a)), "WEST")
	})
	t.Run("hashes different accounts differently", func(t *testing.T) {
		require.NotEqual(t, account(t, "GB82WEST12345698765432"), account(t, "GB82WEST12345698765433"))
	})
	rejects := []struct {
		name    string
		secret  []byte
		account string
		field   string
	}{
		{"rejects a short secret", accountSecret[:8], "GB82WEST12345698765432", "secret"},
		{"rejects punctuation", accountSecret, "GB82-WEST", "account"},
		{"rejects a short account", accountSecret, "GB8", "account"},
		{"rejects a long account", accountSecret, strings.Repeat("1", 35), "account"},
		{"rejects a very long account without reading all of it", accountSecret, strings.Repeat("1", 10_000), "account"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := HashPayoutAccount(tt.secret, tt.account)
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, tt.field+":")
		})
	}
	t.Run("validates the hash form", func(t *testing.T) {
		require.ErrorIs(t, AccountHash("abc").Validate("account"), ErrInvalid)
		require.ErrorIs(t, AccountHash(strings.Repeat("G", 64)).Validate("account"), ErrInvalid)
	})
}

func TestDisburseMonthly(t *testing.T) {
	subject := subjectOf(t, "AB123456")
	acct := account(t, "GB82WEST12345698765432")
	tests := []struct {
		name   string
		period string
		at     time.Time
		want   error
	}{
		{"pays the first month", "2026-03", t0, nil},
		{"pays an earlier covered month in arrears", "2026-04", time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC), nil},
		{"pays the last covered month after the end", "2027-02", time.Date(2027, 3, 3, 0, 0, 0, 0, time.UTC), nil},
		{"refuses a month that has not started", "2026-04", t0, ErrNotDue},
		{"refuses a month before the start", "2026-02", t0, ErrNotDue},
		{"refuses a month after the end", "2027-03", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), ErrNotDue},
		{"refuses a malformed period", "2026-3", t0, ErrInvalid},
		{"refuses the one-off period", PeriodOnce, t0, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := grant(t, newProgramme(t), subject, "SSA", t0)
			d, err := e.Disburse("pay-1", tt.period, acct, "SSA", tt.at)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			require.Equal(t, Disbursement{
				ID: "pay-1", Entitlement: e.ID, Subject: subject, Period: tt.period, Amount: eurMonth,
				Account: acct, PaidAt: tt.at, PaidBy: "SSA",
			}, *d)
			require.Equal(t, EntitlementActive, e.Status, "a monthly entitlement stays active")
		})
	}
}

func TestDisburseOneOffAndRefusals(t *testing.T) {
	subject := subjectOf(t, "AB123456")
	acct := account(t, "GB82WEST12345698765432")
	t.Run("pays a one-off benefit once and ends it", func(t *testing.T) {
		e := grant(t, oneOffProgramme(t), subject, "SSA", t0)
		_, err := e.Disburse("pay-1", PeriodOnce, acct, "SSA", t0.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, EntitlementEnded, e.Status)
		require.Equal(t, ReasonPaid, e.Reason)
		_, err = e.Disburse("pay-2", PeriodOnce, acct, "SSA", t0.Add(2*time.Hour))
		require.ErrorIs(t, err, ErrTransition)
	})
	t.Run("refuses a one-off payment after its window", func(t *testing.T) {
		e := grant(t, oneOffProgramme(t), subject, "SSA", t0)
		_, err := e.Disburse("pay-1", PeriodOnce, acct, "SSA", e.End)
		require.ErrorIs(t, err, ErrNotDue)
	})
	t.Run("refuses a monthly period on a one-off benefit", func(t *testing.T) {
		e := grant(t, oneOffProgramme(t), subject, "SSA", t0)
		_, err := e.Disburse("pay-1", "2026-03", acct, "SSA", t0)
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("refuses to pay a suspended entitlement", func(t *testing.T) {
		e := grant(t, newProgramme(t), subject, "SSA", t0)
		require.NoError(t, e.Apply(EntitlementSuspend, ReasonReview, t0))
		_, err := e.Disburse("pay-1", "2026-03", acct, "SSA", t0)
		require.ErrorIs(t, err, ErrTransition)
	})
	rejects := []struct {
		name    string
		id      string
		account AccountHash
		by      string
	}{
		{"refuses a malformed id", "", acct, "SSA"},
		{"refuses a malformed account hash", "pay-1", "GB82WEST", "SSA"},
		{"refuses a malformed paying agency", "pay-1", acct, "x"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			e := grant(t, newProgramme(t), subject, "SSA", t0)
			_, err := e.Disburse(tt.id, "2026-03", tt.account, tt.by, t0)
			require.ErrorIs(t, err, ErrInvalid)
		})
	}
}

func TestCheckSharedAccount(t *testing.T) {
	acct := account(t, "GB82WEST12345698765432")
	tests := []struct {
		name     string
		subjects int
		flagged  bool
	}{
		{"does not flag an account within the limit", DefaultMaxSubjectsPerAccount, false},
		{"flags an account shared by more subjects than the limit", DefaultMaxSubjectsPerAccount + 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flag := CheckSharedAccount(acct, tt.subjects, DefaultMaxSubjectsPerAccount)
			if !tt.flagged {
				require.Nil(t, flag)
				return
			}
			require.Equal(t, &FraudFlag{Account: acct, Subjects: tt.subjects, Limit: DefaultMaxSubjectsPerAccount}, flag)
		})
	}
}
