package procurement

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// AssignEvaluators sets the tender's evaluation panel (replacing any earlier
// one) before the award. Scores and declarations of evaluators no longer on
// the panel are ignored by the ranking.
func AssignEvaluators(cfg Config, t *Tender, evaluatorIDs []string, now time.Time) error {
	if err := t.move(ActionAssignEvaluators); err != nil {
		return err
	}
	if len(evaluatorIDs) == 0 || len(evaluatorIDs) > cfg.MaxEvaluators {
		return fieldErr("evaluatorIds", validate.RuleRange, "must hold 1 to %d evaluators", cfg.MaxEvaluators)
	}
	ids := slices.Clone(evaluatorIDs)
	for i, id := range ids {
		if err := checkID(fmt.Sprintf("evaluatorIds[%d]", i), id); err != nil {
			return err
		}
	}
	slices.Sort(ids)
	if i := firstDuplicate(ids); i >= 0 {
		return fieldErr("evaluatorIds", validate.RuleDuplicate, "lists %q twice", ids[i])
	}
	t.Evaluators = ids
	t.touch(now)
	return nil
}

// firstDuplicate returns the index of the first repeated entry of a sorted
// slice, or -1.
func firstDuplicate(sorted []string) int {
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return i
		}
	}
	return -1
}

func (t *Tender) isEvaluator(id string) bool {
	_, found := slices.BinarySearch(t.Evaluators, id)
	return found
}

// ConflictDeclaration is an evaluator's conflict-of-interest statement
// about the opened bidders. A declared conflict excludes the evaluator from
// the whole evaluation and cannot be withdrawn.
type ConflictDeclaration struct {
	TenderID     string    `json:"tenderId"`
	EvaluatorID  string    `json:"evaluatorId"`
	Conflict     bool      `json:"conflict"`
	ConflictWith []string  `json:"conflictWith,omitempty" metadata:",optional"` // sorted bidder ids
	Statement    string    `json:"statement,omitempty" metadata:",optional"`
	Version      int64     `json:"version"`
	DeclaredAt   time.Time `json:"declaredAt"`
}

// DeclarationInput is what an evaluator declares: the bidders they have a
// conflict with (none means no conflict with any bidder) and a statement.
type DeclarationInput struct {
	ConflictWith []string `json:"conflictWith"`
	Statement    string   `json:"statement"`
}

// DeclareConflict files evaluatorID's declaration after bid opening. prev
// is the evaluator's earlier declaration or nil: a no-conflict declaration
// may later be turned into a conflict, never the other way round.
func DeclareConflict(t *Tender, prev *ConflictDeclaration, evaluatorID string, in DeclarationInput, now time.Time) (*ConflictDeclaration, error) {
	if _, err := NextStatus(t.Status, ActionDeclareConflict); err != nil {
		return nil, err
	}
	if !t.isEvaluator(evaluatorID) {
		return nil, fmt.Errorf("%w: %s is not an assigned evaluator", ErrNotParticipant, evaluatorID)
	}
	if err := checkText("statement", in.Statement, maxText, false); err != nil {
		return nil, err
	}
	with := slices.Clone(in.ConflictWith)
	for i, s := range with {
		if !t.isBidder(s) {
			return nil, fieldErr(fmt.Sprintf("conflictWith[%d]", i), RuleNotBidder, "%q is not an opened bidder", s)
		}
	}
	slices.Sort(with)
	if i := firstDuplicate(with); i >= 0 {
		return nil, fieldErr("conflictWith", validate.RuleDuplicate, "lists %q twice", with[i])
	}
	d := &ConflictDeclaration{
		TenderID: t.ID, EvaluatorID: evaluatorID, Conflict: len(with) > 0, ConflictWith: with,
		Statement: in.Statement, Version: 1, DeclaredAt: now.UTC(),
	}
	if prev != nil {
		if prev.Conflict {
			return nil, fmt.Errorf("%w: %s declared a conflict, which cannot be withdrawn or changed", ErrDuplicate, evaluatorID)
		}
		if !d.Conflict {
			return nil, fmt.Errorf("%w: %s already declared no conflict", ErrDuplicate, evaluatorID)
		}
		d.Version = prev.Version + 1
	}
	return d, nil
}

// CriterionScore is one evaluator's points for one technical criterion.
type CriterionScore struct {
	CriterionID string `json:"criterionId"`
	Points      int64  `json:"points"` // 0..100
}

// Score is one evaluator's scores for one bid on every technical criterion.
// Rescoring replaces it and raises Version.
type Score struct {
	TenderID    string           `json:"tenderId"`
	EvaluatorID string           `json:"evaluatorId"`
	SupplierID  string           `json:"supplierId"`
	Scores      []CriterionScore `json:"scores"` // sorted by criterion id
	Version     int64            `json:"version"`
	ScoredAt    time.Time        `json:"scoredAt"`
}

// ScoreBid records evaluatorID's scores for supplierID's opened bid on a
// best-value tender. The evaluator must be on the panel and have declared no
// conflict; the scores must cover every technical criterion exactly once
// with 0..100 points. prev is the evaluator's earlier score for the bid or nil.
func ScoreBid(t *Tender, decl *ConflictDeclaration, prev *Score, evaluatorID, supplierID string, scores []CriterionScore, now time.Time) (*Score, error) {
	if _, err := NextStatus(t.Status, ActionScoreBid); err != nil {
		return nil, err
	}
	if t.AwardMethod != AwardBestValue {
		return nil, fmt.Errorf("%w: tender %s awards on lowest price; bids are not scored", ErrPrecondition, t.ID)
	}
	if !t.isEvaluator(evaluatorID) {
		return nil, fmt.Errorf("%w: %s is not an assigned evaluator", ErrNotParticipant, evaluatorID)
	}
	if decl == nil {
		return nil, fmt.Errorf("%w: %s must declare before scoring", ErrDeclarationMissing, evaluatorID)
	}
	if decl.Conflict {
		return nil, fmt.Errorf("%w: %s is excluded from tender %s", ErrConflictOfInterest, evaluatorID, t.ID)
	}
	if !t.isBidder(supplierID) {
		return nil, fieldErr("supplierId", RuleNotBidder, "%q is not an opened bidder", supplierID)
	}
	technical := make(map[string]bool, len(t.Criteria))
	for _, c := range t.Criteria {
		if c.Kind == CriterionTechnical {
			technical[c.ID] = true
		}
	}
	if len(scores) != len(technical) {
		return nil, fieldErr("scores", RuleCoverage, "must score each of the %d technical criteria exactly once", len(technical))
	}
	sorted := slices.Clone(scores)
	seen := make(map[string]bool, len(sorted))
	for i, s := range sorted {
		f := fmt.Sprintf("scores[%d]", i)
		if seen[s.CriterionID] {
			return nil, fieldErr(f+".criterionId", validate.RuleDuplicate, "scores criterion %q twice", s.CriterionID)
		}
		if !technical[s.CriterionID] {
			return nil, fieldErr(f+".criterionId", RuleCoverage, "%q is not a technical criterion of this tender", s.CriterionID)
		}
		seen[s.CriterionID] = true
		if s.Points < 0 || s.Points > 100 {
			return nil, fieldErr(f+".points", validate.RuleRange, "must be between 0 and 100")
		}
	}
	slices.SortFunc(sorted, func(a, b CriterionScore) int { return strings.Compare(a.CriterionID, b.CriterionID) })
	sc := &Score{
		TenderID: t.ID, EvaluatorID: evaluatorID, SupplierID: supplierID, Scores: sorted, Version: 1, ScoredAt: now.UTC(),
	}
	if prev != nil {
		sc.Version = prev.Version + 1
	}
	return sc, nil
}
