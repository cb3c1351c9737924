package procurement

// Status is where a tender is in its life.
type Status string

// Tender statuses. Terminal: completed, unsuccessful.
const (
	StatusPlanning     Status = "planning"     // created, not yet published
	StatusActive       Status = "active"       // published: enquiries, sealed bids, reveals
	StatusEvaluation   Status = "evaluation"   // bids opened: declarations, scoring
	StatusAwarded      Status = "awarded"      // award made: standstill and challenge window
	StatusContracted   Status = "contracted"   // contract signed: milestones under way
	StatusCompleted    Status = "completed"    // every milestone paid
	StatusUnsuccessful Status = "unsuccessful" // no bid was revealed
)

// Action is something done to a tender; the transition table decides in
// which statuses it is allowed and what status follows.
type Action string

// Tender actions.
const (
	ActionPublish           Action = "publish"
	ActionAmend             Action = "amend"
	ActionCommitBid         Action = "commitBid"
	ActionRevealBid         Action = "revealBid"
	ActionOpenBids          Action = "openBids"
	ActionCloseUnsuccessful Action = "closeUnsuccessful"
	ActionAssignEvaluators  Action = "assignEvaluators"
	ActionDeclareConflict   Action = "declareConflict"
	ActionScoreBid          Action = "scoreBid"
	ActionAward             Action = "award"
	ActionFileChallenge     Action = "fileChallenge"
	ActionDismissChallenge  Action = "dismissChallenge"
	ActionUpholdChallenge   Action = "upholdChallenge"
	ActionSignContract      Action = "signContract"
	ActionSubmitDeliverable Action = "submitDeliverable"
	ActionAcceptDeliverable Action = "acceptDeliverable"
	ActionRejectDeliverable Action = "rejectDeliverable"
	ActionReleasePayment    Action = "releasePayment"
	ActionComplete          Action = "complete"
)

type transition[S ~string] struct {
	from   S
	action Action
	to     S
}

// tenderTransitions is the whole tender state machine: a pair not listed is
// refused. Time windows (deadlines, standstill) are checked on top of it by
// the domain functions.
var tenderTransitions = []transition[Status]{
	{StatusPlanning, ActionPublish, StatusActive},
	{StatusPlanning, ActionAssignEvaluators, StatusPlanning},

	{StatusActive, ActionAmend, StatusActive},
	{StatusActive, ActionCommitBid, StatusActive},
	{StatusActive, ActionRevealBid, StatusActive},
	{StatusActive, ActionAssignEvaluators, StatusActive},
	{StatusActive, ActionOpenBids, StatusEvaluation},
	{StatusActive, ActionCloseUnsuccessful, StatusUnsuccessful},

	{StatusEvaluation, ActionAssignEvaluators, StatusEvaluation},
	{StatusEvaluation, ActionDeclareConflict, StatusEvaluation},
	{StatusEvaluation, ActionScoreBid, StatusEvaluation},
	{StatusEvaluation, ActionAward, StatusAwarded},

	{StatusAwarded, ActionFileChallenge, StatusAwarded},
	{StatusAwarded, ActionDismissChallenge, StatusAwarded},
	{StatusAwarded, ActionUpholdChallenge, StatusEvaluation},
	{StatusAwarded, ActionSignContract, StatusContracted},

	{StatusContracted, ActionSubmitDeliverable, StatusContracted},
	{StatusContracted, ActionAcceptDeliverable, StatusContracted},
	{StatusContracted, ActionRejectDeliverable, StatusContracted},
	{StatusContracted, ActionReleasePayment, StatusContracted},
	{StatusContracted, ActionComplete, StatusCompleted},
}

// MilestoneStatus is where a contract milestone is in delivery and payment.
type MilestoneStatus string

// Milestone statuses.
const (
	MilestoneScheduled MilestoneStatus = "scheduled"
	MilestoneSubmitted MilestoneStatus = "submitted"
	MilestoneAccepted  MilestoneStatus = "accepted"
	MilestoneRejected  MilestoneStatus = "rejected"
	MilestonePaid      MilestoneStatus = "paid"
)

// milestoneTransitions is the milestone state machine. A rejected
// deliverable may be resubmitted; payment follows acceptance only.
var milestoneTransitions = []transition[MilestoneStatus]{
	{MilestoneScheduled, ActionSubmitDeliverable, MilestoneSubmitted},
	{MilestoneRejected, ActionSubmitDeliverable, MilestoneSubmitted},
	{MilestoneSubmitted, ActionAcceptDeliverable, MilestoneAccepted},
	{MilestoneSubmitted, ActionRejectDeliverable, MilestoneRejected},
	{MilestoneAccepted, ActionReleasePayment, MilestonePaid},
}

func next[S ~string](table []transition[S], entity string, from S, a Action) (S, error) {
	for _, t := range table {
		if t.from == from && t.action == a {
			return t.to, nil
		}
	}
	return from, &TransitionError{Entity: entity, Status: string(from), Action: a}
}

// NextStatus returns the status a tender in status s moves to by action a,
// or a *TransitionError when the table does not allow it.
func NextStatus(s Status, a Action) (Status, error) {
	return next(tenderTransitions, "tender", s, a)
}

// NextMilestoneStatus returns the status a milestone in status s moves to by
// action a, or a *TransitionError when the table does not allow it.
func NextMilestoneStatus(s MilestoneStatus, a Action) (MilestoneStatus, error) {
	return next(milestoneTransitions, "milestone", s, a)
}
