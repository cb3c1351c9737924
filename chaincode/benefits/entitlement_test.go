package benefits

import (
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
	"github.com/stretchr/testify/require"
)

func grant(t *testing.T, p *Programme, subject identity.Subject, agency string, at time.Time) *Entitlement {
	t.Helper()
	app, err := NewApplication("app-"+agency, p, subject, agency, at)
	require.NoError(t, err)
	e, err := Grant("ent-"+agency, app, p, at)
	require.NoError(t, err)
	return e
}

func oneOffProgramme(t *testing.T) *Programme {
	t.Helper()
	spec := programmeSpec()
	spec.ID, spec.ExclusivityGroup = "winter-grant", ""
	spec.Benefit = Benefit{Amount: Money{Minor: 20000, Currency: "EUR"}, Schedule: ScheduleOneOff}
	p, err := NewProgramme(spec, "SSA", t0)
	require.NoError(t, err)
	return p
}

func TestGrant(t *testing.T) {
	subject := subjectOf(t, "AB123456")
	t.Run("covers whole calendar months from the month of the decision", func(t *testing.T) {
		e := grant(t, newProgramme(t), subject, "SSA", t0)
		require.Equal(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), e.Start)
		require.Equal(t, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), e.End)
		require.Equal(t, EntitlementActive, e.Status)
		require.Equal(t, "housing", e.Group)
		require.Equal(t, "SSA", e.Agency)
	})
	t.Run("keeps a one-off benefit payable for the one-off window", func(t *testing.T) {
		e := grant(t, oneOffProgramme(t), subject, "SSA", t0)
		require.Equal(t, t0, e.Start)
		require.Equal(t, t0.Add(OneOffWindow), e.End)
		require.Equal(t, "programme:winter-grant", e.Group)
	})
	t.Run("refuses a programme version other than the one applied for", func(t *testing.T) {
		p := newProgramme(t)
		app, err := NewApplication("app-1", p, subject, "SSA", t0)
		require.NoError(t, err)
		v2, err := p.Revise(programmeSpec(), t0)
		require.NoError(t, err)
		_, err = Grant("ent-1", app, v2, t0)
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("refuses a malformed id", func(t *testing.T) {
		p := newProgramme(t)
		app, err := NewApplication("app-1", p, subject, "SSA", t0)
		require.NoError(t, err)
		_, err = Grant("", app, p, t0)
		require.ErrorIs(t, err, ErrInvalid)
	})
}

func TestEntitlementTransitions(t *testing.T) {
	subject := subjectOf(t, "AB123456")
	statuses := []EntitlementStatus{EntitlementActive, EntitlementSuspended, EntitlementEnded}
	actions := []EntitlementAction{EntitlementSuspend, EntitlementResume, EntitlementEnd}
	want := map[EntitlementStatus]map[EntitlementAction]EntitlementStatus{
		EntitlementActive:    {EntitlementSuspend: EntitlementSuspended, EntitlementEnd: EntitlementEnded},
		EntitlementSuspended: {EntitlementResume: EntitlementActive, EntitlementEnd: EntitlementEnded},
	}
	for _, from := range statuses {
		for _, action := range actions {
			to, allowed := want[from][action]
			name := "refuses " + string(action) + " when " + string(from)
			if allowed {
				name = string(action) + " moves " + string(from) + " to " + string(to)
			}
			t.Run(name, func(t *testing.T) {
				e := grant(t, newProgramme(t), subject, "SSA", t0)
				e.Status = from
				err := e.Apply(action, ReasonReview, t0.Add(time.Hour))
				if !allowed {
					require.ErrorIs(t, err, ErrTransition)
					require.Equal(t, from, e.Status)
					return
				}
				require.NoError(t, err)
				require.Equal(t, to, e.Status)
				require.Equal(t, ReasonReview, e.Reason)
			})
		}
	}
	t.Run("refuses a reason outside the codes", func(t *testing.T) {
		e := grant(t, newProgramme(t), subject, "SSA", t0)
		require.ErrorIs(t, e.Apply(EntitlementEnd, "moved abroad", t0), ErrInvalid)
		require.ErrorIs(t, e.Apply(EntitlementEnd, ReasonPaid, t0), ErrInvalid, "paid is set only by disbursement")
	})
}

func TestCheckExclusivity(t *testing.T) {
	p := newProgramme(t)
	subject := subjectOf(t, "AB123456")
	held := grant(t, p, subject, "SSA", t0)

	spec := programmeSpec()
	spec.ID = "rent-relief"
	sameGroup, err := NewProgramme(spec, "MUNI", t0)
	require.NoError(t, err)
	spec.ExclusivityGroup = "energy"
	otherGroup, err := NewProgramme(spec, "MUNI", t0)
	require.NoError(t, err)

	ended := *held
	ended.Status = EntitlementEnded
	suspended := *held
	suspended.Status = EntitlementSuspended

	tests := []struct {
		name    string
		p       *Programme
		subject identity.Subject
		held    *Entitlement
		at      time.Time
		dup     bool
	}{
		{"refuses another agency's programme in the same group", sameGroup, subject, held, t0.Add(time.Hour), true},
		{"refuses the same programme again", p, subject, held, t0.Add(time.Hour), true},
		{"still counts a suspended entitlement", sameGroup, subject, &suspended, t0.Add(time.Hour), true},
		{"allows a programme in another group", otherGroup, subject, held, t0.Add(time.Hour), false},
		{"allows once the entitlement has ended", sameGroup, subject, &ended, t0.Add(time.Hour), false},
		{"allows once the entitlement's last month has passed", sameGroup, subject, held, held.End, false},
		{"allows another subject", sameGroup, subjectOf(t, "CD1"), held, t0.Add(time.Hour), false},
		{"allows when nothing is held", sameGroup, subject, nil, t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckExclusivity(tt.p, tt.subject, tt.held, tt.at)
			if !tt.dup {
				require.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			require.ErrorIs(t, err, ErrDuplicateBenefit)
			require.Equal(t, "ent-SSA", err.Entitlement)
			require.Equal(t, "SSA", err.Agency)
			require.Equal(t, "exclusivity", err.ErrorRule())
			require.Contains(t, err.Error(), "group housing")
		})
	}
}
