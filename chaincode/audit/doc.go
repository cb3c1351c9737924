// Package audit is the audit office's domain model: engagements opened on an
// audited agency, requests for information with due dates, the agency's
// responses and their evidence, findings with the standard elements
// (criteria, condition, cause, effect, recommendation), management responses
// and follow-up until closure.
//
// Everything here is a pure function of its inputs. Callers pass the
// transaction timestamp as "now", so the same transaction yields the same
// result on every endorsing peer; values are returned, never mutated in place.
// Each entity's life cycle is an explicit transition table (see machine.go),
// and anything the table does not list is refused with a *TransitionError.
//
// Findings and reports become final only through a multi-party sign-off: N of
// M named signers must sign, which keeps the four-eyes principle of audit
// standards in the data rather than in convention.
package audit
