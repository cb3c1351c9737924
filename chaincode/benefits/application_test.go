package benefits

import (
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
	"github.com/stretchr/testify/require"
)

func newApplication(t *testing.T, p *Programme, subject identity.Subject, agency string) *Application {
	t.Helper()
	app, err := NewApplication("app-1", p, subject, agency, t0)
	require.NoError(t, err)
	return app
}

func TestNewApplication(t *testing.T) {
	p := newProgramme(t)
	subject := subjectOf(t, "AB123456")
	t.Run("files a submitted application pinned to the programme version", func(t *testing.T) {
		app := newApplication(t, p, subject, "MUNI")
		require.Equal(t, ApplicationSubmitted, app.Status)
		require.EqualValues(t, 1, app.ProgrammeVersion)
		require.Equal(t, "MUNI", app.Agency)
	})
	rejects := []struct {
		name    string
		id      string
		subject identity.Subject
		agency  string
		at      time.Time
		field   string
	}{
		{"rejects a malformed id", "", subject, "SSA", t0, "id"},
		{"rejects a malformed subject", "app-1", "did:govledger:xyz", "SSA", t0, "subject"},
		{"rejects a malformed agency", "app-1", subject, "s", t0, "agency"},
		{"rejects a missing time", "app-1", subject, "SSA", time.Time{}, "at"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewApplication(tt.id, p, tt.subject, tt.agency, tt.at)
			var fe *identity.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
}

func TestDecide(t *testing.T) {
	p := newProgramme(t)
	subject := subjectOf(t, "AB123456")
	eligible, err := p.Assess(subject, eligibleEvidence(t, subject), t0)
	require.NoError(t, err)
	ineligible, err := p.Assess(subject, nil, t0)
	require.NoError(t, err)
	dup := &DuplicateBenefitError{Subject: subject, Group: "housing", Entitlement: "ent-0", Agency: "SSA"}

	tests := []struct {
		name        string
		assessment  *Assessment
		duplicate   *DuplicateBenefitError
		want        ApplicationStatus
		refusal     string
		entitlement string
		blockedBy   string
	}{
		{"approves an eligible applicant", eligible, nil, ApplicationApproved, "", "ent-1", ""},
		{"rejects an ineligible applicant", ineligible, nil, ApplicationRejected, RefusalIneligible, "", ""},
		{"rejects an ineligible applicant as such even when a duplicate", ineligible, dup, ApplicationRejected, RefusalIneligible, "", ""},
		{"rejects an eligible applicant who already holds a benefit in the group", eligible, dup, ApplicationRejected, RefusalDuplicate, "", "ent-0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newApplication(t, p, subject, "MUNI")
			require.NoError(t, app.Decide(tt.assessment, tt.duplicate, "ent-1", "MUNI", t0.Add(time.Minute)))
			require.Equal(t, tt.want, app.Status)
			require.Equal(t, tt.want, app.Decision.Outcome)
			require.Equal(t, tt.refusal, app.Decision.Refusal)
			require.Equal(t, tt.entitlement, app.Decision.Entitlement)
			require.Equal(t, tt.blockedBy, app.Decision.BlockedBy)
			require.Equal(t, tt.assessment.Explanation, app.Decision.Explanation)
			require.Equal(t, "MUNI", app.Decision.DecidedBy)
		})
	}
	t.Run("refuses to decide twice", func(t *testing.T) {
		app := newApplication(t, p, subject, "MUNI")
		require.NoError(t, app.Decide(eligible, nil, "ent-1", "MUNI", t0))
		require.ErrorIs(t, app.Decide(eligible, nil, "ent-2", "MUNI", t0), ErrTransition)
		require.Equal(t, "ent-1", app.Decision.Entitlement)
	})
	t.Run("rejects a malformed deciding agency", func(t *testing.T) {
		app := newApplication(t, p, subject, "MUNI")
		require.ErrorIs(t, app.Decide(eligible, nil, "ent-1", "muni", t0), ErrInvalid)
	})
	t.Run("rejects a malformed entitlement id on approval", func(t *testing.T) {
		app := newApplication(t, p, subject, "MUNI")
		require.ErrorIs(t, app.Decide(eligible, nil, "", "MUNI", t0), ErrInvalid)
		require.Equal(t, ApplicationSubmitted, app.Status)
	})
}

func TestReopen(t *testing.T) {
	p := newProgramme(t)
	subject := subjectOf(t, "AB123456")
	ineligible, err := p.Assess(subject, nil, t0)
	require.NoError(t, err)
	rejected := func(t *testing.T) *Application {
		app := newApplication(t, p, subject, "MUNI")
		require.NoError(t, app.Decide(ineligible, nil, "", "MUNI", t0))
		return app
	}
	appeal := func(t *testing.T, app *Application, final ...AppealAction) *Appeal {
		a, err := FileAppeal("appeal-1", app, GroundEvidenceNotConsidered, "MUNI", t0.Add(time.Hour))
		require.NoError(t, err)
		for _, action := range final {
			require.NoError(t, a.Apply(action, "SSA", t0.Add(2*time.Hour)))
		}
		return a
	}

	t.Run("reopens a refusal after an upheld appeal and keeps the refusal", func(t *testing.T) {
		app := rejected(t)
		require.NoError(t, app.Reopen(appeal(t, app, AppealReview, AppealUphold)))
		require.Equal(t, ApplicationSubmitted, app.Status)
		require.Nil(t, app.Decision)
		require.Len(t, app.PriorDecisions, 1)
		require.Equal(t, RefusalIneligible, app.PriorDecisions[0].Refusal)
	})
	t.Run("refuses to reopen on a dismissed appeal", func(t *testing.T) {
		app := rejected(t)
		require.ErrorIs(t, app.Reopen(appeal(t, app, AppealReview, AppealDismiss)), ErrInvalid)
	})
	t.Run("refuses to reopen on another application's appeal", func(t *testing.T) {
		app := rejected(t)
		a := appeal(t, app, AppealReview, AppealUphold)
		a.ApplicationID = "app-2"
		require.ErrorIs(t, app.Reopen(a), ErrInvalid)
	})
	t.Run("refuses to reopen an application that is not refused", func(t *testing.T) {
		app := rejected(t)
		a := appeal(t, app, AppealReview, AppealUphold)
		require.NoError(t, app.Reopen(a))
		require.ErrorIs(t, app.Reopen(a), ErrTransition)
	})
}
