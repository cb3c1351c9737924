package audit

// Action is something done to an engagement, request or finding. The
// transition tables below decide, per status, which actions are allowed and
// the status each leads to.
type Action string

// Actions across the three life cycles.
const (
	ActionIssueRequest Action = "issue-request"
	ActionRaiseFinding Action = "raise-finding"
	ActionDraftReport  Action = "draft-report"
	ActionReviseReport Action = "revise-report"
	ActionSign         Action = "sign"
	ActionIssue        Action = "issue"
	ActionClose        Action = "close"
	ActionWithdraw     Action = "withdraw"
	ActionRespond      Action = "respond"
	ActionEscalate     Action = "escalate"
	ActionAccept       Action = "accept"
	ActionReopen       Action = "reopen"
	ActionExtend       Action = "extend"
	ActionRevise       Action = "revise"
	ActionFollowUp     Action = "follow-up"
)

// transitions is a state machine as an explicit table: for each status, the
// actions allowed in it and the status each leads to. Self-loops mark actions
// that are allowed without changing status (e.g. issuing a request while an
// engagement is open).
type transitions[S ~string] map[S]map[Action]S

func (t transitions[S]) next(entity, id string, from S, a Action) (S, error) {
	if to, ok := t[from][a]; ok {
		return to, nil
	}
	return from, &TransitionError{Entity: entity, ID: id, From: string(from), Action: a}
}
