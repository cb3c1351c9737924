package identity

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestAccredit(t *testing.T) {
	t.Run("creates an active issuer with sorted distinct kinds", func(t *testing.T) {
		iss, err := Accredit("SSA", []string{"ResidencyCredential", "AgeCredential", "ResidencyCredential"}, "ACC", t0)
		require.NoError(t, err)
		require.Equal(t, IssuerActive, iss.Status)
		require.Equal(t, []string{"AgeCredential", "ResidencyCredential"}, iss.Kinds)
		require.Equal(t, t0, iss.AccreditedAt)
		require.NoError(t, iss.CanIssue("AgeCredential"))
	})
	rejects := []struct {
		name  string
		agent string
		kinds []string
		by    string
		at    time.Time
		field string
	}{
		{"rejects a malformed agency", "ssa", []string{"AgeCredential"}, "ACC", t0, "agency"},
		{"rejects a malformed accreditor", "SSA", []string{"AgeCredential"}, "", t0, "accreditedBy"},
		{"rejects no kinds", "SSA", nil, "ACC", t0, "kinds"},
		{"rejects a malformed kind", "SSA", []string{"AgeCredential", "age"}, "ACC", t0, "kinds[1]"},
		{"rejects a missing time", "SSA", []string{"AgeCredential"}, "ACC", time.Time{}, "at"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Accredit(tt.agent, tt.kinds, tt.by, tt.at)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
	t.Run("rejects too many kinds", func(t *testing.T) {
		kinds := make([]string, MaxIssuerKinds+1)
		for i := range kinds {
			kinds[i] = "Kind" + strings.Repeat("A", i+1)
		}
		_, err := Accredit("SSA", kinds, "ACC", t0)
		require.ErrorIs(t, err, ErrInvalid)
	})
}

func TestIssuerTransitions(t *testing.T) {
	statuses := []IssuerStatus{IssuerActive, IssuerSuspended, IssuerRevoked}
	actions := []IssuerAction{IssuerAmend, IssuerSuspend, IssuerReinstate, IssuerRevoke}
	want := map[IssuerStatus]map[IssuerAction]IssuerStatus{
		IssuerActive:    {IssuerAmend: IssuerActive, IssuerSuspend: IssuerSuspended, IssuerRevoke: IssuerRevoked},
		IssuerSuspended: {IssuerAmend: IssuerSuspended, IssuerReinstate: IssuerActive, IssuerRevoke: IssuerRevoked},
	}
	for _, from := range statuses {
		for _, action := range actions {
			to, allowed := want[from][action]
			name := "refuses " + string(action) + " when " + string(from)
			if allowed {
				name = string(action) + " moves " + string(from) + " to " + string(to)
			}
			t.Run(name, func(t *testing.T) {
				iss, err := Accredit("SSA", []string{"AgeCredential"}, "ACC", t0)
				require.NoError(t, err)
				iss.Status = from
				later := t0.Add(time.Hour)
				err = iss.Apply(action, []string{"IncomeCredential"}, "ACC2", "annual review", later)
				if !allowed {
					require.ErrorIs(t, err, ErrTransition)
					var te *TransitionError
					require.ErrorAs(t, err, &te)
					require.Equal(t, string(from), te.From)
					require.Equal(t, from, iss.Status)
					return
				}
				require.NoError(t, err)
				require.Equal(t, to, iss.Status)
				require.Equal(t, "ACC2", iss.AccreditedBy)
				require.Equal(t, "annual review", iss.Reason)
				require.Equal(t, later, iss.UpdatedAt)
				if action == IssuerAmend {
					require.Equal(t, []string{"IncomeCredential"}, iss.Kinds)
				} else {
					require.Equal(t, []string{"AgeCredential"}, iss.Kinds)
				}
			})
		}
	}
}

func TestIssuerApplyRejectsBadInput(t *testing.T) {
	tests := []struct {
		name   string
		action IssuerAction
		kinds  []string
		by     string
		reason string
		at     time.Time
		field  string
	}{
		{"rejects a malformed accreditor", IssuerSuspend, nil, "acc", "", t0, "accreditedBy"},
		{"rejects control characters in the reason", IssuerSuspend, nil, "ACC", "a\nb", t0, "reason"},
		{"rejects a missing time", IssuerSuspend, nil, "ACC", "", time.Time{}, "at"},
		{"rejects an amendment without kinds", IssuerAmend, nil, "ACC", "", t0, "kinds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, err := Accredit("SSA", []string{"AgeCredential"}, "ACC", t0)
			require.NoError(t, err)
			err = iss.Apply(tt.action, tt.kinds, tt.by, tt.reason, tt.at)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
			require.Equal(t, IssuerActive, iss.Status)
		})
	}
}

func TestIssuerTrust(t *testing.T) {
	tests := []struct {
		name     string
		status   IssuerStatus
		kind     string
		canIssue bool
		vouches  bool
	}{
		{"an active issuer issues and vouches for its kinds", IssuerActive, "AgeCredential", true, true},
		{"an active issuer neither issues nor vouches outside its kinds", IssuerActive, "IncomeCredential", false, false},
		{"a suspended issuer cannot issue but its attestations stand", IssuerSuspended, "AgeCredential", false, true},
		{"a revoked issuer neither issues nor vouches", IssuerRevoked, "AgeCredential", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, err := Accredit("SSA", []string{"AgeCredential"}, "ACC", t0)
			require.NoError(t, err)
			iss.Status = tt.status
			err = iss.CanIssue(tt.kind)
			if tt.canIssue {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrNotAccredited)
			}
			require.Equal(t, tt.vouches, iss.Vouches(tt.kind))
		})
	}
}
