package procurement

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Contract is the signed agreement with the awarded supplier and the
// milestones that pay it out.
type Contract struct {
	ID         string      `json:"id"`
	AwardID    string      `json:"awardId"`
	SupplierID string      `json:"supplierId"`
	Value      Money       `json:"value"`
	DateSigned time.Time   `json:"dateSigned"`
	Milestones []Milestone `json:"milestones"`
}

// MilestoneInput defines one milestone at signing. Amounts are minor units
// of the contract currency.
type MilestoneInput struct {
	ID                 string    `json:"id"`
	Title              string    `json:"title"`
	DueDate            time.Time `json:"dueDate"`
	AcceptanceCriteria string    `json:"acceptanceCriteria"`
	Amount             int64     `json:"amount"`
	PenaltyPerDay      int64     `json:"penaltyPerDay"`
	PenaltyCap         int64     `json:"penaltyCap"`
}

// Milestone is one deliverable with its service level and payment. A
// deliverable submitted after DueDate costs PenaltyPerDay per started day
// late, at most PenaltyCap; the payment due is Amount minus that penalty.
type Milestone struct {
	ID                 string          `json:"id"`
	Title              string          `json:"title"`
	DueDate            time.Time       `json:"dueDate"`
	AcceptanceCriteria string          `json:"acceptanceCriteria"`
	Amount             Money           `json:"amount"`
	PenaltyPerDay      int64           `json:"penaltyPerDay"`
	PenaltyCap         int64           `json:"penaltyCap"`
	Status             MilestoneStatus `json:"status"`
	Deliverables       []Deliverable   `json:"deliverables,omitempty" metadata:",optional"` // every submission; the last is current
	DaysLate           int64           `json:"daysLate"`                                    // set at acceptance
	Penalty            int64           `json:"penalty"`                                     // set at acceptance
	PaymentDue         int64           `json:"paymentDue"`                                  // set at acceptance
	Payment            *Payment        `json:"payment,omitempty" metadata:",optional"`
}

// DeliverableStatus is the buyer's verdict on a submitted deliverable.
type DeliverableStatus string

// Deliverable statuses.
const (
	DeliverableSubmitted DeliverableStatus = "submitted"
	DeliverableAccepted  DeliverableStatus = "accepted"
	DeliverableRejected  DeliverableStatus = "rejected"
)

// Deliverable is one submission of a milestone's deliverable document.
type Deliverable struct {
	Version        int64             `json:"version"`
	DocumentSHA256 string            `json:"documentSha256"`
	URI            string            `json:"uri"`
	SubmittedAt    time.Time         `json:"submittedAt"`
	Status         DeliverableStatus `json:"status"`
	Reason         string            `json:"reason,omitempty" metadata:",optional"` // why it was rejected
	DecidedAt      time.Time         `json:"decidedAt,omitzero" metadata:",optional"`
}

// Payment records a payment released by finance.
type Payment struct {
	Reference  string    `json:"reference"`
	Amount     Money     `json:"amount"`
	Penalty    Money     `json:"penalty"`
	ReleasedAt time.Time `json:"releasedAt"`
}

// SignContract signs the contract for the award in force once both the
// standstill period and the challenge window are over and no challenge is
// open. The milestones' amounts must add up to the awarded value.
func SignContract(cfg Config, t *Tender, milestones []MilestoneInput, now time.Time) (*Contract, error) {
	next, err := NextStatus(t.Status, ActionSignContract)
	if err != nil {
		return nil, err
	}
	a := t.CurrentAward()
	opens := a.StandstillEnd
	if a.ChallengeEnd.After(opens) {
		opens = a.ChallengeEnd
	}
	if now.Before(opens) {
		return nil, fmt.Errorf("%w: signing opens at %s, when the standstill period and the challenge window are over", ErrDeadline, stamp(opens))
	}
	if n := t.openChallenges(); n > 0 {
		return nil, fmt.Errorf("%w: %d challenge(s) to award %s are unresolved", ErrOpenChallenge, n, a.ID)
	}
	ms, err := buildMilestones(cfg, milestones, a.Value, now)
	if err != nil {
		return nil, err
	}
	c := &Contract{
		ID: t.ID + "-contract-1", AwardID: a.ID, SupplierID: a.SupplierID, Value: a.Value,
		DateSigned: now.UTC(), Milestones: ms,
	}
	t.Contract = c
	t.Status = next
	t.touch(now)
	return c, nil
}

func buildMilestones(cfg Config, in []MilestoneInput, value Money, now time.Time) ([]Milestone, error) {
	if len(in) == 0 || len(in) > cfg.MaxMilestones {
		return nil, fieldErr("milestones", validate.RuleRange, "must hold 1 to %d milestones", cfg.MaxMilestones)
	}
	seen := make(map[string]bool, len(in))
	out := make([]Milestone, 0, len(in))
	var total int64
	for i, m := range in {
		f := fmt.Sprintf("milestones[%d]", i)
		if err := checkID(f+".id", m.ID); err != nil {
			return nil, err
		}
		if seen[m.ID] {
			return nil, fieldErr(f+".id", validate.RuleDuplicate, "duplicates milestone %q", m.ID)
		}
		seen[m.ID] = true
		if err := checkText(f+".title", m.Title, maxTitle, true); err != nil {
			return nil, err
		}
		if err := checkTime(f+".dueDate", m.DueDate); err != nil {
			return nil, err
		}
		if !m.DueDate.After(now) {
			return nil, fieldErr(f+".dueDate", RuleFuture, "must be after the signing time %s", stamp(now))
		}
		if err := checkText(f+".acceptanceCriteria", m.AcceptanceCriteria, maxText, true); err != nil {
			return nil, err
		}
		switch {
		case m.Amount <= 0:
			return nil, fieldErr(f+".amount", validate.RulePositive, "must be positive (minor units)")
		case m.Amount > value.Amount-total:
			return nil, fieldErr(f+".amount", RuleTotal, "brings the milestones above the awarded value %d %s", value.Amount, value.Currency)
		case m.PenaltyPerDay < 0:
			return nil, fieldErr(f+".penaltyPerDay", validate.RuleRange, "must not be negative")
		case m.PenaltyCap < 0 || m.PenaltyCap > m.Amount:
			return nil, fieldErr(f+".penaltyCap", validate.RuleRange, "must be between 0 and the milestone amount")
		}
		total += m.Amount
		out = append(out, Milestone{
			ID: m.ID, Title: m.Title, DueDate: m.DueDate.UTC(), AcceptanceCriteria: m.AcceptanceCriteria,
			Amount: Money{Amount: m.Amount, Currency: value.Currency}, PenaltyPerDay: m.PenaltyPerDay,
			PenaltyCap: m.PenaltyCap, Status: MilestoneScheduled,
		})
	}
	if total != value.Amount {
		return nil, fieldErr("milestones", RuleTotal, "amounts add up to %d, not the awarded value %d %s", total, value.Amount, value.Currency)
	}
	return out, nil
}

// milestone finds a milestone of the signed contract and checks action
// against both transition tables.
func (t *Tender) milestone(id string, a Action) (*Milestone, MilestoneStatus, error) {
	if _, err := NextStatus(t.Status, a); err != nil {
		return nil, "", err
	}
	for i := range t.Contract.Milestones {
		if m := &t.Contract.Milestones[i]; m.ID == id {
			next, err := NextMilestoneStatus(m.Status, a)
			return m, next, err
		}
	}
	return nil, "", fmt.Errorf("%w: milestone %q in contract %s", ErrNotFound, id, t.Contract.ID)
}

// SubmitDeliverable records the contracted supplier's deliverable for a
// milestone: the SHA-256 of the document and where it is published. A
// rejected deliverable may be submitted again.
func SubmitDeliverable(t *Tender, supplierID, milestoneID, documentSHA256, uri string, now time.Time) (*Milestone, error) {
	m, next, err := t.milestone(milestoneID, ActionSubmitDeliverable)
	if err != nil {
		return nil, err
	}
	if supplierID != t.Contract.SupplierID {
		return nil, fmt.Errorf("%w: %s is not the contracted supplier", ErrNotParticipant, supplierID)
	}
	if err := checkDigest("documentSha256", documentSHA256); err != nil {
		return nil, err
	}
	if err := checkURI("uri", uri); err != nil {
		return nil, err
	}
	m.Deliverables = append(m.Deliverables, Deliverable{
		Version: int64(len(m.Deliverables) + 1), DocumentSHA256: documentSHA256, URI: uri,
		SubmittedAt: now.UTC(), Status: DeliverableSubmitted,
	})
	m.Status = next
	t.touch(now)
	return m, nil
}

// DaysLate counts the started days between due and submitted: zero when on
// or before time, one for up to 24 hours late, and so on.
func DaysLate(due, submitted time.Time) int64 {
	if !submitted.After(due) {
		return 0
	}
	late := submitted.Sub(due)
	return int64((late + Day - 1) / Day)
}

// AcceptDeliverable accepts the submitted deliverable and fixes the payment
// due: amount − min(daysLate × penaltyPerDay, penaltyCap), lateness being
// measured at submission.
func AcceptDeliverable(t *Tender, milestoneID string, now time.Time) (*Milestone, error) {
	m, next, err := t.milestone(milestoneID, ActionAcceptDeliverable)
	if err != nil {
		return nil, err
	}
	d := &m.Deliverables[len(m.Deliverables)-1]
	d.Status, d.DecidedAt = DeliverableAccepted, now.UTC()
	m.DaysLate = DaysLate(m.DueDate, d.SubmittedAt)
	m.Penalty = mulCapped(m.DaysLate, m.PenaltyPerDay, m.PenaltyCap)
	m.PaymentDue = m.Amount.Amount - m.Penalty
	m.Status = next
	t.touch(now)
	return m, nil
}

// RejectDeliverable rejects the submitted deliverable with a reason; the
// supplier may submit again.
func RejectDeliverable(t *Tender, milestoneID, reason string, now time.Time) (*Milestone, error) {
	m, next, err := t.milestone(milestoneID, ActionRejectDeliverable)
	if err != nil {
		return nil, err
	}
	if err := checkText("reason", reason, maxText, true); err != nil {
		return nil, err
	}
	d := &m.Deliverables[len(m.Deliverables)-1]
	d.Status, d.Reason, d.DecidedAt = DeliverableRejected, reason, now.UTC()
	m.Status = next
	t.touch(now)
	return m, nil
}

// ReleasePayment records finance's release of an accepted milestone's
// payment due under the payment reference. When it is the last milestone
// the tender is completed.
func ReleasePayment(t *Tender, milestoneID, reference string, now time.Time) (*Milestone, error) {
	m, next, err := t.milestone(milestoneID, ActionReleasePayment)
	if err != nil {
		return nil, err
	}
	if err := checkText("reference", reference, 100, true); err != nil {
		return nil, err
	}
	cur := m.Amount.Currency
	m.Payment = &Payment{
		Reference: reference, Amount: Money{Amount: m.PaymentDue, Currency: cur},
		Penalty: Money{Amount: m.Penalty, Currency: cur}, ReleasedAt: now.UTC(),
	}
	m.Status = next
	done := true
	for _, o := range t.Contract.Milestones {
		done = done && o.Status == MilestonePaid
	}
	if done {
		if err := t.move(ActionComplete); err != nil {
			return nil, err
		}
	}
	t.touch(now)
	return m, nil
}
