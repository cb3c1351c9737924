package procurement

import (
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// ChallengeStatus is where a bidder's challenge to an award is.
type ChallengeStatus string

// Challenge statuses. Superseded: another challenge was upheld and the
// contested award no longer exists.
const (
	ChallengeOpen       ChallengeStatus = "open"
	ChallengeUpheld     ChallengeStatus = "upheld"
	ChallengeDismissed  ChallengeStatus = "dismissed"
	ChallengeSuperseded ChallengeStatus = "superseded"
)

// Challenge is a losing bidder's formal objection to an award.
type Challenge struct {
	ID         string          `json:"id"`
	AwardID    string          `json:"awardId"`
	SupplierID string          `json:"supplierId"`
	Grounds    string          `json:"grounds"`
	FiledAt    time.Time       `json:"filedAt"`
	Status     ChallengeStatus `json:"status"`
	Resolution string          `json:"resolution,omitempty" metadata:",optional"`
	ResolvedAt time.Time       `json:"resolvedAt,omitzero" metadata:",optional"`
}

// FileChallenge records supplierID's challenge to the award in force,
// before the challenge window ends. Only an opened bidder other than the
// awarded supplier may challenge, once per award. An open challenge blocks
// signing until the buyer resolves it.
func FileChallenge(t *Tender, supplierID, grounds string, now time.Time) (*Challenge, error) {
	if _, err := NextStatus(t.Status, ActionFileChallenge); err != nil {
		return nil, err
	}
	a := t.CurrentAward()
	if !now.Before(a.ChallengeEnd) {
		return nil, fmt.Errorf("%w: challenges closed at %s", ErrDeadline, stamp(a.ChallengeEnd))
	}
	if !t.isBidder(supplierID) || supplierID == a.SupplierID {
		return nil, fmt.Errorf("%w: %s is not an unsuccessful bidder of tender %s", ErrNotParticipant, supplierID, t.ID)
	}
	for _, c := range t.Challenges {
		if c.AwardID == a.ID && c.SupplierID == supplierID {
			return nil, fmt.Errorf("%w: %s already challenged award %s (%s)", ErrDuplicate, supplierID, a.ID, c.ID)
		}
	}
	if err := checkText("grounds", grounds, maxText, true); err != nil {
		return nil, err
	}
	c := Challenge{
		ID: fmt.Sprintf("%s-challenge-%d", t.ID, len(t.Challenges)+1), AwardID: a.ID, SupplierID: supplierID,
		Grounds: grounds, FiledAt: now.UTC(), Status: ChallengeOpen,
	}
	t.Challenges = append(t.Challenges, c)
	t.touch(now)
	return &c, nil
}

// ChallengeOutcome is the buyer's decision on a challenge.
type ChallengeOutcome string

// Challenge outcomes.
const (
	OutcomeUpheld    ChallengeOutcome = "upheld"
	OutcomeDismissed ChallengeOutcome = "dismissed"
)

// ResolveChallenge records the buyer's decision on an open challenge.
// Dismissed: the award stands. Upheld: the award is cancelled, the tender
// returns to evaluation (evaluators may rescore, the buyer awards again) and
// the award's other open challenges are superseded.
func ResolveChallenge(t *Tender, challengeID string, outcome ChallengeOutcome, resolution string, now time.Time) (*Challenge, error) {
	var action Action
	switch outcome {
	case OutcomeUpheld:
		action = ActionUpholdChallenge
	case OutcomeDismissed:
		action = ActionDismissChallenge
	default:
		return nil, fieldErr("outcome", validate.RuleOneOf, "must be upheld or dismissed")
	}
	next, err := NextStatus(t.Status, action)
	if err != nil {
		return nil, err
	}
	idx := -1
	for i := range t.Challenges {
		if t.Challenges[i].ID == challengeID {
			idx = i
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("%w: challenge %q on tender %s", ErrNotFound, challengeID, t.ID)
	}
	c := &t.Challenges[idx]
	if c.Status != ChallengeOpen {
		return nil, fmt.Errorf("%w: challenge %s is already %s", ErrDuplicate, c.ID, c.Status)
	}
	if err := checkText("resolution", resolution, maxText, true); err != nil {
		return nil, err
	}
	c.Resolution, c.ResolvedAt = resolution, now.UTC()
	if outcome == OutcomeDismissed {
		c.Status = ChallengeDismissed
	} else {
		c.Status = ChallengeUpheld
		t.CurrentAward().Status = AwardCancelled
		for i := range t.Challenges {
			if o := &t.Challenges[i]; o.Status == ChallengeOpen {
				o.Status, o.ResolvedAt = ChallengeSuperseded, now.UTC()
				o.Resolution = fmt.Sprintf("award %s cancelled by upheld challenge %s", c.AwardID, c.ID)
			}
		}
	}
	t.Status = next
	t.touch(now)
	out := *c
	return &out, nil
}

func (t *Tender) openChallenges() int {
	n := 0
	for _, c := range t.Challenges {
		if c.Status == ChallengeOpen {
			n++
		}
	}
	return n
}
