package procurement

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
)

var allStatuses = []Status{
	StatusPlanning, StatusActive, StatusEvaluation, StatusAwarded, StatusContracted, StatusCompleted, StatusUnsuccessful,
}

var allActions = []Action{
	ActionPublish, ActionAmend, ActionCommitBid, ActionRevealBid, ActionOpenBids, ActionCloseUnsuccessful,
	ActionAssignEvaluators, ActionDeclareConflict, ActionScoreBid, ActionAward, ActionFileChallenge,
	ActionDismissChallenge, ActionUpholdChallenge, ActionSignContract, ActionSubmitDeliverable,
	ActionAcceptDeliverable, ActionRejectDeliverable, ActionReleasePayment, ActionComplete,
}

func TestNextStatusCoversEveryPair(t *testing.T) {
	// The lifecycle written out independently of the implementation's table.
	allowed := map[Status]map[Action]Status{
		StatusPlanning: {ActionPublish: StatusActive, ActionAssignEvaluators: StatusPlanning},
		StatusActive: {
			ActionAmend: StatusActive, ActionCommitBid: StatusActive, ActionRevealBid: StatusActive,
			ActionAssignEvaluators: StatusActive, ActionOpenBids: StatusEvaluation, ActionCloseUnsuccessful: StatusUnsuccessful,
		},
		StatusEvaluation: {
			ActionAssignEvaluators: StatusEvaluation, ActionDeclareConflict: StatusEvaluation,
			ActionScoreBid: StatusEvaluation, ActionAward: StatusAwarded,
		},
		StatusAwarded: {
			ActionFileChallenge: StatusAwarded, ActionDismissChallenge: StatusAwarded,
			ActionUpholdChallenge: StatusEvaluation, ActionSignContract: StatusContracted,
		},
		StatusContracted: {
			ActionSubmitDeliverable: StatusContracted, ActionAcceptDeliverable: StatusContracted,
			ActionRejectDeliverable: StatusContracted, ActionReleasePayment: StatusContracted, ActionComplete: StatusCompleted,
		},
	}
	for _, s := range allStatuses {
		for _, a := range allActions {
			want, ok := allowed[s][a]
			if ok {
				t.Run(fmt.Sprintf("allows %s in %s, moving to %s", a, s, want), func(t *testing.T) {
					got, err := NextStatus(s, a)
					require.NoError(t, err)
					require.Equal(t, want, got)
				})
				continue
			}
			t.Run(fmt.Sprintf("rejects %s in %s", a, s), func(t *testing.T) {
				got, err := NextStatus(s, a)
				require.ErrorIs(t, err, ErrTransition)
				require.ErrorIs(t, err, ccerror.ErrPrecondition)
				var te *TransitionError
				require.ErrorAs(t, err, &te)
				require.Equal(t, &TransitionError{Entity: "tender", Status: string(s), Action: a}, te)
				require.Equal(t, s, got, "a rejected action leaves the status alone")
				require.Contains(t, err.Error(), string(a))
			})
		}
	}
}

func TestNextMilestoneStatusCoversEveryPair(t *testing.T) {
	allowed := map[MilestoneStatus]map[Action]MilestoneStatus{
		MilestoneScheduled: {ActionSubmitDeliverable: MilestoneSubmitted},
		MilestoneRejected:  {ActionSubmitDeliverable: MilestoneSubmitted},
		MilestoneSubmitted: {ActionAcceptDeliverable: MilestoneAccepted, ActionRejectDeliverable: MilestoneRejected},
		MilestoneAccepted:  {ActionReleasePayment: MilestonePaid},
	}
	statuses := []MilestoneStatus{MilestoneScheduled, MilestoneSubmitted, MilestoneAccepted, MilestoneRejected, MilestonePaid}
	for _, s := range statuses {
		for _, a := range allActions {
			want, ok := allowed[s][a]
			name := fmt.Sprintf("rejects %s on a %s milestone", a, s)
			if ok {
				name = fmt.Sprintf("allows %s on a %s milestone, moving to %s", a, s, want)
			}
			t.Run(name, func(t *testing.T) {
				got, err := NextMilestoneStatus(s, a)
				if ok {
					require.NoError(t, err)
					require.Equal(t, want, got)
					return
				}
				require.ErrorIs(t, err, ErrTransition)
				var te *TransitionError
				require.ErrorAs(t, err, &te)
				require.Equal(t, "milestone", te.Entity)
			})
		}
	}
}
