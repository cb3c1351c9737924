package benefits

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func refusedApplication(t *testing.T) *Application {
	t.Helper()
	p := newProgramme(t)
	subject := subjectOf(t, "AB123456")
	a, err := p.Assess(subject, nil, t0)
	require.NoError(t, err)
	app := newApplication(t, p, subject, "MUNI")
	require.NoError(t, app.Decide(a, nil, "", "MUNI", t0))
	return app
}

func TestFileAppeal(t *testing.T) {
	t.Run("files an appeal against a refusal within the window", func(t *testing.T) {
		app := refusedApplication(t)
		a, err := FileAppeal("appeal-1", app, GroundEligibilityError, "MUNI", t0.Add(AppealWindow))
		require.NoError(t, err)
		require.Equal(t, AppealFiled, a.Status)
		require.Equal(t, app.Subject, a.Subject)
		require.Equal(t, app.ID, a.ApplicationID)
	})
	t.Run("refuses an appeal after the window", func(t *testing.T) {
		_, err := FileAppeal("appeal-1", refusedApplication(t), GroundEligibilityError, "MUNI", t0.Add(AppealWindow+time.Second))
		require.ErrorIs(t, err, ErrAppealWindow)
	})
	t.Run("refuses an appeal against an approval", func(t *testing.T) {
		p := newProgramme(t)
		subject := subjectOf(t, "AB123456")
		a, err := p.Assess(subject, eligibleEvidence(t, subject), t0)
		require.NoError(t, err)
		app := newApplication(t, p, subject, "MUNI")
		require.NoError(t, app.Decide(a, nil, "ent-1", "MUNI", t0))
		_, err = FileAppeal("appeal-1", app, GroundEligibilityError, "MUNI", t0)
		require.ErrorIs(t, err, ErrTransition)
	})
	rejects := []struct {
		name   string
		id     string
		ground AppealGround
		agency string
		field  string
	}{
		{"refuses a malformed id", "", GroundProceduralError, "MUNI", "id"},
		{"refuses an unknown ground", "appeal-1", "unfair", "MUNI", "ground"},
		{"refuses a malformed agency", "appeal-1", GroundDuplicateError, "muni", "agency"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FileAppeal(tt.id, refusedApplication(t), tt.ground, tt.agency, t0)
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, tt.field+":")
		})
	}
}

func TestAppealTransitions(t *testing.T) {
	statuses := []AppealStatus{AppealFiled, AppealUnderReview, AppealUpheld, AppealDismissed, AppealWithdrawn}
	actions := []AppealAction{AppealReview, AppealUphold, AppealDismiss, AppealWithdraw}
	want := map[AppealStatus]map[AppealAction]AppealStatus{
		AppealFiled:       {AppealReview: AppealUnderReview, AppealWithdraw: AppealWithdrawn},
		AppealUnderReview: {AppealUphold: AppealUpheld, AppealDismiss: AppealDismissed, AppealWithdraw: AppealWithdrawn},
	}
	for _, from := range statuses {
		for _, action := range actions {
			to, allowed := want[from][action]
			name := "refuses " + string(action) + " when " + string(from)
			if allowed {
				name = string(action) + " moves " + string(from) + " to " + string(to)
			}
			t.Run(name, func(t *testing.T) {
				a, err := FileAppeal("appeal-1", refusedApplication(t), GroundProceduralError, "MUNI", t0)
				require.NoError(t, err)
				a.Status = from
				err = a.Apply(action, "SSA", t0.Add(time.Hour))
				if !allowed {
					require.ErrorIs(t, err, ErrTransition)
					require.Equal(t, from, a.Status)
					return
				}
				require.NoError(t, err)
				require.Equal(t, to, a.Status)
				require.Equal(t, "SSA", a.DecidedBy)
				require.Equal(t, t0.Add(time.Hour), a.UpdatedAt)
			})
		}
	}
	t.Run("refuses a malformed agency", func(t *testing.T) {
		a, err := FileAppeal("appeal-1", refusedApplication(t), GroundProceduralError, "MUNI", t0)
		require.NoError(t, err)
		require.ErrorIs(t, a.Apply(AppealReview, "", t0), ErrInvalid)
	})
}
