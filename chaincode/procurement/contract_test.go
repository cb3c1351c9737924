package procurement

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

var signAt = awardAt.Add(days(10)) // standstill (10 days) outlasts the challenge window (7)

// plan splits SUP-B's 100,000,000 award into two milestones.
func plan() []MilestoneInput {
	return []MilestoneInput{
		{ID: "M1", Title: "First delivery", DueDate: signAt.Add(days(30)), AcceptanceCriteria: "1000 laptops imaged",
			Amount: 60_000_000, PenaltyPerDay: 500_000, PenaltyCap: 3_000_000},
		{ID: "M2", Title: "Second delivery", DueDate: signAt.Add(days(60)), AcceptanceCriteria: "1000 laptops imaged",
			Amount: 40_000_000, PenaltyPerDay: 0, PenaltyCap: 0},
	}
}

func signed(t *testing.T) *Tender {
	t.Helper()
	tn := awarded(t)
	_, err := SignContract(DefaultConfig(), tn, plan(), signAt)
	require.NoError(t, err)
	return tn
}

func TestSignContract(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func([]MilestoneInput) []MilestoneInput
		at      time.Time
		field   string
		rule    string
		wantErr error
	}{
		{name: "signs when the standstill is over", at: signAt},
		{name: "rejects signing during the standstill", at: signAt.Add(-time.Second), wantErr: ErrDeadline},
		{name: "rejects no milestones", mutate: func([]MilestoneInput) []MilestoneInput { return nil }, at: signAt,
			field: "milestones", rule: validate.RuleRange},
		{name: "rejects a duplicate milestone id", mutate: func(m []MilestoneInput) []MilestoneInput { m[1].ID = "M1"; return m },
			at: signAt, field: "milestones[1].id", rule: validate.RuleDuplicate},
		{name: "rejects a bad milestone id", mutate: func(m []MilestoneInput) []MilestoneInput { m[0].ID = "M 1"; return m },
			at: signAt, field: "milestones[0].id", rule: validate.RuleID},
		{name: "rejects a milestone without title", mutate: func(m []MilestoneInput) []MilestoneInput { m[0].Title = ""; return m },
			at: signAt, field: "milestones[0].title", rule: validate.RuleRequired},
		{name: "rejects a missing due date", mutate: func(m []MilestoneInput) []MilestoneInput { m[0].DueDate = time.Time{}; return m },
			at: signAt, field: "milestones[0].dueDate", rule: validate.RuleRequired},
		{name: "rejects a due date at signing", mutate: func(m []MilestoneInput) []MilestoneInput { m[0].DueDate = signAt; return m },
			at: signAt, field: "milestones[0].dueDate", rule: RuleFuture},
		{name: "rejects missing acceptance criteria", mutate: func(m []MilestoneInput) []MilestoneInput { m[1].AcceptanceCriteria = ""; return m },
			at: signAt, field: "milestones[1].acceptanceCriteria", rule: validate.RuleRequired},
		{name: "rejects a zero amount", mutate: func(m []MilestoneInput) []MilestoneInput { m[0].Amount = 0; return m },
			at: signAt, field: "milestones[0].amount", rule: validate.RulePositive},
		{name: "rejects amounts above the award", mutate: func(m []MilestoneInput) []MilestoneInput { m[1].Amount++; return m },
			at: signAt, field: "milestones[1].amount", rule: RuleTotal},
		{name: "rejects amounts below the award", mutate: func(m []MilestoneInput) []MilestoneInput { m[1].Amount--; return m },
			at: signAt, field: "milestones", rule: RuleTotal},
		{name: "rejects a negative penalty", mutate: func(m []MilestoneInput) []MilestoneInput { m[0].PenaltyPerDay = -1; return m },
			at: signAt, field: "milestones[0].penaltyPerDay", rule: validate.RuleRange},
		{name: "rejects a penalty cap above the amount", mutate: func(m []MilestoneInput) []MilestoneInput {
			m[1].PenaltyCap = m[1].Amount + 1
			return m
		}, at: signAt, field: "milestones[1].penaltyCap", rule: validate.RuleRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := awarded(t)
			ms := plan()
			if tc.mutate != nil {
				ms = tc.mutate(ms)
			}
			c, err := SignContract(DefaultConfig(), tn, ms, tc.at)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, StatusAwarded, tn.Status)
				return
			case tc.field != "":
				requireField(t, err, tc.field, tc.rule)
				return
			}
			require.NoError(t, err)
			require.Equal(t, StatusContracted, tn.Status)
			require.Equal(t, "T-1-contract-1", c.ID)
			require.Equal(t, "SUP-B", c.SupplierID)
			require.Equal(t, Money{100_000_000, "EUR"}, c.Value)
			require.Equal(t, Money{60_000_000, "EUR"}, c.Milestones[0].Amount)
			require.Equal(t, MilestoneScheduled, c.Milestones[1].Status)
		})
	}
	t.Run("waits for the challenge window when it outlasts the standstill", func(t *testing.T) {
		d := bestValueDraft()
		d.Deadlines.ChallengeDays = 12
		tn, bids := opened(t, d, map[string]int64{"SUP-A": 1_000})
		_, _, err := MakeAward(DefaultConfig(), tn, AwardInput{Bids: bids, Declarations: []ConflictDeclaration{}}, awardAt)
		require.ErrorIs(t, err, ErrEvaluationIncomplete, "best value needs a panel")
		require.NoError(t, AssignEvaluators(DefaultConfig(), tn, []string{"e1"}, awardAt))
		decl, err := DeclareConflict(tn, nil, "e1", DeclarationInput{}, awardAt)
		require.NoError(t, err)
		sc, err := ScoreBid(tn, decl, nil, "e1", "SUP-A", []CriterionScore{{"quality", 50}, {"delivery", 50}}, awardAt)
		require.NoError(t, err)
		a, _, err := MakeAward(DefaultConfig(), tn, AwardInput{Bids: bids, Declarations: []ConflictDeclaration{*decl}, Scores: []Score{*sc}}, awardAt)
		require.NoError(t, err)
		ms := []MilestoneInput{{ID: "M1", Title: "All", DueDate: awardAt.Add(days(90)), AcceptanceCriteria: "done", Amount: a.Value.Amount}}
		_, err = SignContract(DefaultConfig(), tn, ms, awardAt.Add(days(12)-time.Second))
		require.ErrorIs(t, err, ErrDeadline)
		_, err = SignContract(DefaultConfig(), tn, ms, awardAt.Add(days(12)))
		require.NoError(t, err)
	})
	t.Run("rejects signing while a challenge is open", func(t *testing.T) {
		tn := awarded(t)
		_, err := FileChallenge(tn, "SUP-A", "bias", awardAt.Add(days(1)))
		require.NoError(t, err)
		_, err = SignContract(DefaultConfig(), tn, plan(), signAt)
		require.ErrorIs(t, err, ErrOpenChallenge)
		_, err = ResolveChallenge(tn, "T-1-challenge-1", OutcomeDismissed, "unfounded", signAt)
		require.NoError(t, err)
		_, err = SignContract(DefaultConfig(), tn, plan(), signAt)
		require.NoError(t, err)
	})
	t.Run("rejects signing twice", func(t *testing.T) {
		_, err := SignContract(DefaultConfig(), signed(t), plan(), signAt)
		require.ErrorIs(t, err, ErrTransition)
	})
}

func TestDaysLate(t *testing.T) {
	due := signAt.Add(days(30))
	tests := []struct {
		name      string
		submitted time.Time
		want      int64
	}{
		{"is zero when early", due.Add(-time.Hour), 0},
		{"is zero exactly on time", due, 0},
		{"counts a started day", due.Add(time.Nanosecond), 1},
		{"counts a full day as one", due.Add(days(1)), 1},
		{"counts every started day", due.Add(days(3) + time.Minute), 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, DaysLate(due, tc.submitted))
		})
	}
}

func TestDeliveryAndPayment(t *testing.T) {
	due := signAt.Add(days(30))
	doc := digest("delivery note")
	tests := []struct {
		name        string
		submittedAt time.Time
		daysLate    int64
		penalty     int64
	}{
		{"pays in full when delivered on time", due, 0, 0},
		{"withholds the daily penalty when late", due.Add(days(2) + time.Hour), 3, 1_500_000},
		{"caps the penalty", due.Add(days(40)), 40, 3_000_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := signed(t)
			m, err := SubmitDeliverable(tn, "SUP-B", "M1", doc, "https://docs.example/m1.pdf", tc.submittedAt)
			require.NoError(t, err)
			require.Equal(t, MilestoneSubmitted, m.Status)
			m, err = AcceptDeliverable(tn, "M1", tc.submittedAt.Add(days(1)))
			require.NoError(t, err)
			require.Equal(t, tc.daysLate, m.DaysLate)
			require.Equal(t, tc.penalty, m.Penalty)
			require.Equal(t, 60_000_000-tc.penalty, m.PaymentDue)
			m, err = ReleasePayment(tn, "M1", "PAY/2026/0001", tc.submittedAt.Add(days(2)))
			require.NoError(t, err)
			require.Equal(t, MilestonePaid, m.Status)
			require.Equal(t, Payment{Reference: "PAY/2026/0001", Amount: Money{60_000_000 - tc.penalty, "EUR"},
				Penalty: Money{tc.penalty, "EUR"}, ReleasedAt: tc.submittedAt.Add(days(2))}, *m.Payment)
			require.Equal(t, StatusContracted, tn.Status, "one milestone is still open")
		})
	}
	t.Run("completes the tender with the last payment", func(t *testing.T) {
		tn := signed(t)
		for _, id := range []string{"M1", "M2"} {
			_, err := SubmitDeliverable(tn, "SUP-B", id, doc, "ipfs://bafy"+id, signAt.Add(days(5)))
			require.NoError(t, err)
			_, err = AcceptDeliverable(tn, id, signAt.Add(days(6)))
			require.NoError(t, err)
			_, err = ReleasePayment(tn, id, "PAY-"+id, signAt.Add(days(7)))
			require.NoError(t, err)
		}
		require.Equal(t, StatusCompleted, tn.Status)
	})
	t.Run("lets the supplier resubmit a rejected deliverable", func(t *testing.T) {
		tn := signed(t)
		_, err := SubmitDeliverable(tn, "SUP-B", "M1", doc, "https://docs.example/v1", signAt.Add(days(1)))
		require.NoError(t, err)
		m, err := RejectDeliverable(tn, "M1", "200 laptops missing", signAt.Add(days(2)))
		require.NoError(t, err)
		require.Equal(t, MilestoneRejected, m.Status)
		require.Equal(t, DeliverableRejected, m.Deliverables[0].Status)
		require.Equal(t, "200 laptops missing", m.Deliverables[0].Reason)
		m, err = SubmitDeliverable(tn, "SUP-B", "M1", digest("v2"), "https://docs.example/v2", signAt.Add(days(3)))
		require.NoError(t, err)
		require.Len(t, m.Deliverables, 2)
		require.Equal(t, int64(2), m.Deliverables[1].Version)
	})
	rejections := []struct {
		name    string
		act     func(*Tender) error
		field   string
		rule    string
		wantErr error
	}{
		{name: "rejects a deliverable from another supplier", act: func(tn *Tender) error {
			_, err := SubmitDeliverable(tn, "SUP-A", "M1", doc, "https://d/x", signAt)
			return err
		}, wantErr: ErrNotParticipant},
		{name: "rejects an unknown milestone", act: func(tn *Tender) error {
			_, err := SubmitDeliverable(tn, "SUP-B", "M9", doc, "https://d/x", signAt)
			return err
		}, wantErr: ErrNotFound},
		{name: "rejects a bad document digest", act: func(tn *Tender) error {
			_, err := SubmitDeliverable(tn, "SUP-B", "M1", "abc", "https://d/x", signAt)
			return err
		}, field: "documentSha256", rule: validate.RuleSHA256},
		{name: "rejects a bad document URI", act: func(tn *Tender) error {
			_, err := SubmitDeliverable(tn, "SUP-B", "M1", doc, "ftp://d/x", signAt)
			return err
		}, field: "uri", rule: validate.RulePattern},
		{name: "rejects accepting before submission", act: func(tn *Tender) error {
			_, err := AcceptDeliverable(tn, "M1", signAt)
			return err
		}, wantErr: ErrTransition},
		{name: "rejects paying before acceptance", act: func(tn *Tender) error {
			_, err := ReleasePayment(tn, "M1", "PAY-1", signAt)
			return err
		}, wantErr: ErrTransition},
		{name: "rejects a rejection without reason", act: func(tn *Tender) error {
			if _, err := SubmitDeliverable(tn, "SUP-B", "M1", doc, "https://d/x", signAt); err != nil {
				return err
			}
			_, err := RejectDeliverable(tn, "M1", " ", signAt)
			return err
		}, field: "reason", rule: validate.RuleRequired},
		{name: "rejects a payment without reference", act: func(tn *Tender) error {
			if _, err := SubmitDeliverable(tn, "SUP-B", "M1", doc, "https://d/x", signAt); err != nil {
				return err
			}
			if _, err := AcceptDeliverable(tn, "M1", signAt); err != nil {
				return err
			}
			_, err := ReleasePayment(tn, "M1", "", signAt)
			return err
		}, field: "reference", rule: validate.RuleRequired},
		{name: "rejects a second submission while one is pending", act: func(tn *Tender) error {
			if _, err := SubmitDeliverable(tn, "SUP-B", "M1", doc, "https://d/x", signAt); err != nil {
				return err
			}
			_, err := SubmitDeliverable(tn, "SUP-B", "M1", doc, "https://d/x", signAt)
			return err
		}, wantErr: ErrTransition},
	}
	for _, tc := range rejections {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.act(signed(t))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			requireField(t, err, tc.field, tc.rule)
		})
	}
	t.Run("rejects deliverables before signing", func(t *testing.T) {
		_, err := SubmitDeliverable(awarded(t), "SUP-B", "M1", doc, "https://d/x", signAt)
		require.ErrorIs(t, err, ErrTransition)
	})
}

func TestPerformance(t *testing.T) {
	p := Performance{SupplierID: "SUP-B"}
	at := signAt.Add(days(50))
	p.RecordAcceptance(Milestone{DaysLate: 0}, at)
	p.RecordAcceptance(Milestone{DaysLate: 3}, at)
	p.RecordRejection(at)
	p.RecordPayment(Payment{Penalty: Money{1_500_000, "EUR"}}, at)
	p.RecordPayment(Payment{Penalty: Money{0, "EUR"}}, at)
	p.RecordPayment(Payment{Penalty: Money{100, "USD"}}, at)
	p.RecordPayment(Payment{Penalty: Money{5, "AUD"}}, at)
	p.RecordPayment(Payment{Penalty: Money{500_000, "EUR"}}, at)
	require.Equal(t, Performance{
		SupplierID: "SUP-B", Deliveries: 3, OnTime: 1, Rejections: 1, UpdatedAt: at,
		Penalties: []Money{{5, "AUD"}, {2_000_000, "EUR"}, {100, "USD"}},
	}, p)
	t.Run("saturates instead of overflowing", func(t *testing.T) {
		q := Performance{Penalties: []Money{{Amount: 1 << 62, Currency: "EUR"}}}
		q.RecordPayment(Payment{Penalty: Money{Amount: 1 << 62, Currency: "EUR"}}, at)
		q.RecordPayment(Payment{Penalty: Money{Amount: 1 << 62, Currency: "EUR"}}, at)
		require.Equal(t, int64(1<<63-1), q.Penalties[0].Amount)
	})
}
