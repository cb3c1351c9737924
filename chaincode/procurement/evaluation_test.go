package procurement

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestAssignEvaluators(t *testing.T) {
	cfg := DefaultConfig()
	tooMany := make([]string, cfg.MaxEvaluators+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("ev%d", i)
	}
	tests := []struct {
		name  string
		ids   []string
		field string
		rule  string
	}{
		{name: "stores the panel sorted", ids: []string{"evaluator2", "evaluator1"}},
		{name: "rejects an empty panel", ids: nil, field: "evaluatorIds", rule: validate.RuleRange},
		{name: "rejects a panel above the maximum", ids: tooMany, field: "evaluatorIds", rule: validate.RuleRange},
		{name: "rejects a bad evaluator id", ids: []string{"ok", "not ok"}, field: "evaluatorIds[1]", rule: validate.RuleID},
		{name: "rejects an evaluator listed twice", ids: []string{"e1", "e2", "e1"}, field: "evaluatorIds", rule: validate.RuleDuplicate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := published(t, bestValueDraft())
			err := AssignEvaluators(cfg, tn, tc.ids, t0)
			if tc.field != "" {
				requireField(t, err, tc.field, tc.rule)
				require.Empty(t, tn.Evaluators)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []string{"evaluator1", "evaluator2"}, tn.Evaluators)
			require.Equal(t, []string{"evaluator2", "evaluator1"}, tc.ids, "the caller's slice is not reordered")
		})
	}
	t.Run("allows assigning in planning and replacing during evaluation", func(t *testing.T) {
		tn, err := NewTender(cfg, bestValueDraft(), t0)
		require.NoError(t, err)
		require.NoError(t, AssignEvaluators(cfg, tn, []string{"e1"}, t0))
		tn, _ = opened(t, bestValueDraft(), map[string]int64{"SUP-A": 1, "SUP-B": 2})
		require.NoError(t, AssignEvaluators(cfg, tn, []string{"e2"}, t0.Add(days(40))))
		require.Equal(t, []string{"e2"}, tn.Evaluators)
	})
	t.Run("rejects assigning after the award", func(t *testing.T) {
		tn := awarded(t)
		require.ErrorIs(t, AssignEvaluators(cfg, tn, []string{"e1"}, t0.Add(days(40))), ErrTransition)
	})
}

// panel opens a best-value tender with bids from SUP-A and SUP-B and
// evaluators e1 and e2.
func panel(t *testing.T) (*Tender, []Bid) {
	t.Helper()
	tn, bids := opened(t, bestValueDraft(), map[string]int64{"SUP-A": 80_000_000, "SUP-B": 100_000_000})
	require.NoError(t, AssignEvaluators(DefaultConfig(), tn, []string{"e1", "e2"}, t0.Add(days(38))))
	return tn, bids
}

func TestDeclareConflict(t *testing.T) {
	at := t0.Add(days(38))
	tests := []struct {
		name      string
		evaluator string
		prev      *ConflictDeclaration
		in        DeclarationInput
		field     string
		rule      string
		wantErr   error
		conflict  bool
		version   int64
	}{
		{name: "records no conflict with any bidder", evaluator: "e1", in: DeclarationInput{Statement: "none"}, version: 1},
		{name: "records a conflict with a bidder", evaluator: "e1",
			in: DeclarationInput{ConflictWith: []string{"SUP-B", "SUP-A"}, Statement: "former employer"}, conflict: true, version: 1},
		{name: "turns a no-conflict declaration into a conflict", evaluator: "e1",
			prev: &ConflictDeclaration{Version: 1}, in: DeclarationInput{ConflictWith: []string{"SUP-A"}}, conflict: true, version: 2},
		{name: "rejects withdrawing a declared conflict", evaluator: "e1",
			prev: &ConflictDeclaration{Conflict: true, Version: 1}, in: DeclarationInput{}, wantErr: ErrDuplicate},
		{name: "rejects a second no-conflict declaration", evaluator: "e1",
			prev: &ConflictDeclaration{Version: 1}, in: DeclarationInput{}, wantErr: ErrDuplicate},
		{name: "rejects an evaluator not on the panel", evaluator: "e9", wantErr: ErrNotParticipant},
		{name: "rejects a conflict with a supplier that is not a bidder", evaluator: "e1",
			in: DeclarationInput{ConflictWith: []string{"SUP-Z"}}, field: "conflictWith[0]", rule: RuleNotBidder},
		{name: "rejects a bidder listed twice", evaluator: "e1",
			in: DeclarationInput{ConflictWith: []string{"SUP-A", "SUP-A"}}, field: "conflictWith", rule: validate.RuleDuplicate},
		{name: "rejects a statement with control characters", evaluator: "e1",
			in: DeclarationInput{Statement: "a\x07"}, field: "statement", rule: RuleControlCharacters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn, _ := panel(t)
			d, err := DeclareConflict(tn, tc.prev, tc.evaluator, tc.in, at)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
				return
			case tc.field != "":
				requireField(t, err, tc.field, tc.rule)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.conflict, d.Conflict)
			require.Equal(t, tc.version, d.Version)
			require.True(t, sortedStrings(d.ConflictWith))
			require.Equal(t, at, d.DeclaredAt)
		})
	}
	t.Run("rejects declaring before bid opening", func(t *testing.T) {
		tn := published(t, bestValueDraft())
		_, err := DeclareConflict(tn, nil, "e1", DeclarationInput{}, t0)
		require.ErrorIs(t, err, ErrTransition)
	})
}

func TestScoreBid(t *testing.T) {
	at := t0.Add(days(39))
	clean := &ConflictDeclaration{EvaluatorID: "e1", Version: 1}
	full := []CriterionScore{{CriterionID: "quality", Points: 80}, {CriterionID: "delivery", Points: 70}}
	tests := []struct {
		name      string
		evaluator string
		supplier  string
		decl      *ConflictDeclaration
		prev      *Score
		scores    []CriterionScore
		field     string
		rule      string
		wantErr   error
		version   int64
	}{
		{name: "records scores sorted by criterion", evaluator: "e1", supplier: "SUP-A", decl: clean, scores: full, version: 1},
		{name: "replaces an earlier score with a new version", evaluator: "e1", supplier: "SUP-A", decl: clean,
			prev: &Score{Version: 4}, scores: full, version: 5},
		{name: "rejects an evaluator not on the panel", evaluator: "e9", supplier: "SUP-A", decl: clean, scores: full,
			wantErr: ErrNotParticipant},
		{name: "rejects scoring without a declaration", evaluator: "e1", supplier: "SUP-A", scores: full,
			wantErr: ErrDeclarationMissing},
		{name: "rejects an evaluator with a declared conflict", evaluator: "e1", supplier: "SUP-A",
			decl: &ConflictDeclaration{Conflict: true, ConflictWith: []string{"SUP-B"}}, scores: full, wantErr: ErrConflictOfInterest},
		{name: "rejects scoring a supplier that is not a bidder", evaluator: "e1", supplier: "SUP-Z", decl: clean, scores: full,
			field: "supplierId", rule: RuleNotBidder},
		{name: "rejects scores missing a criterion", evaluator: "e1", supplier: "SUP-A", decl: clean, scores: full[:1],
			field: "scores", rule: RuleCoverage},
		{name: "rejects a score for the price criterion", evaluator: "e1", supplier: "SUP-A", decl: clean,
			scores: []CriterionScore{{CriterionID: "price", Points: 1}, {CriterionID: "quality", Points: 1}},
			field:  "scores[0].criterionId", rule: RuleCoverage},
		{name: "rejects a criterion scored twice", evaluator: "e1", supplier: "SUP-A", decl: clean,
			scores: []CriterionScore{{CriterionID: "quality", Points: 1}, {CriterionID: "quality", Points: 2}},
			field:  "scores[1].criterionId", rule: validate.RuleDuplicate},
		{name: "rejects points above 100", evaluator: "e1", supplier: "SUP-A", decl: clean,
			scores: []CriterionScore{{CriterionID: "quality", Points: 101}, {CriterionID: "delivery", Points: 0}},
			field:  "scores[0].points", rule: validate.RuleRange},
		{name: "rejects negative points", evaluator: "e1", supplier: "SUP-A", decl: clean,
			scores: []CriterionScore{{CriterionID: "quality", Points: 100}, {CriterionID: "delivery", Points: -1}},
			field:  "scores[1].points", rule: validate.RuleRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn, _ := panel(t)
			s, err := ScoreBid(tn, tc.decl, tc.prev, tc.evaluator, tc.supplier, tc.scores, at)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
				return
			case tc.field != "":
				requireField(t, err, tc.field, tc.rule)
				return
			}
			require.NoError(t, err)
			require.Equal(t, Score{TenderID: "T-1", EvaluatorID: "e1", SupplierID: "SUP-A", Version: tc.version, ScoredAt: at,
				Scores: []CriterionScore{{CriterionID: "delivery", Points: 70}, {CriterionID: "quality", Points: 80}}}, *s)
		})
	}
	t.Run("rejects scoring a lowest-price tender", func(t *testing.T) {
		tn, _ := opened(t, lowestPriceDraft(), map[string]int64{"SUP-A": 1, "SUP-B": 2})
		require.NoError(t, AssignEvaluators(DefaultConfig(), tn, []string{"e1"}, at))
		_, err := ScoreBid(tn, clean, nil, "e1", "SUP-A", nil, at)
		require.ErrorIs(t, err, ccerror.ErrPrecondition)
	})
	t.Run("rejects scoring before bid opening", func(t *testing.T) {
		tn := published(t, bestValueDraft())
		_, err := ScoreBid(tn, clean, nil, "e1", "SUP-A", full, at)
		require.ErrorIs(t, err, ErrTransition)
	})
}
