// Package procurement is the domain of a public purchase as the Open
// Contracting Data Standard (OCDS 1.1) models it, in plain Go: no Fabric
// types, no clock, no randomness. Every function takes the transaction
// timestamp as now and returns the new state plus any red flags; the
// contract layer stores the state and publishes the flags.
//
// # Life of a tender
//
//	planning --publish--> active --openBids--> evaluation --award--> awarded --signContract--> contracted --complete--> completed
//	                        \--closeUnsuccessful (no revealed bid)--> unsuccessful
//	awarded --upholdChallenge--> evaluation (the award is cancelled)
//
// The full table is tenderTransitions (NextStatus); milestones have their own
// (NextMilestoneStatus). On top of the table, time windows apply:
//
//   - commitments strictly before Deadlines.SubmissionDeadline;
//   - reveals from SubmissionDeadline until strictly before RevealEnd;
//   - bid opening from RevealEnd (NeedsOpening tells the caller to open
//     before any evaluation action);
//   - challenges until the award's ChallengeEnd; signing from the later of
//     StandstillEnd and ChallengeEnd with no open challenge.
//
// # Sealed bids
//
// A supplier first records only a commitment, the hex SHA-256 defined by
// BidContent.Commitment, and keeps the content. After the submission
// deadline it reveals the content, which must hash to the commitment.
//
// # Money and scores
//
// Money is int64 minor units plus an ISO 4217 code; scores are int64
// micro-points (PointScale). Nothing in state is a float.
//
// # Errors
//
// Input errors are *validate.FieldError (field + rule). State, time and
// evaluation rules wrap ErrPrecondition (ccerror FAILED_PRECONDITION) through
// a specific sentinel (ErrDeadline, ErrTransition, ...); ErrNotParticipant is
// PERMISSION_DENIED, ErrDuplicate ALREADY_EXISTS, ErrNotFound NOT_FOUND.
// ccerror.From carries each sentinel's rule name to the client.
package procurement
