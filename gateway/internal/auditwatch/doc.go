// Package auditwatch opens audit requests from procurement red flags without
// anyone calling OpenRequestFromRedFlag by hand. On an AuditOfficeMSP gateway
// it follows the procurement chaincode's events from a checkpoint and, for each
// red flag an event carries in data.redFlags (see the procurement contract's
// package doc), submits audit OpenRequestFromRedFlag on the engagement
// responsible for the tender's buying agency, as a configured auditor.
//
// # Delivery
//
// At least once, in ledger order. The checkpoint moves past an event only
// once every flag it carries is settled, so a crash or restart replays at most
// the events since the last save. Replays are harmless: the request id derives
// from the flag, and the audit contract refuses a second request for it with
// ALREADY_EXISTS, which counts as done. The checkpoint is a JSON file in the
// Fabric Gateway SDK's FileCheckpointer format ({"blockNumber",
// "transactionId"}: the block the next event is in and the last event handled
// in it), but replaced atomically, so a crash leaves the old position or the
// new one, never a torn file.
//
// A flag is settled when its request is opened, already exists, or is parked.
// Network trouble (no peer, timeouts, outcomes not known yet, read conflicts)
// is retried with backoff for as long as it takes, holding the stream: nothing
// behind the flag is skipped. A refusal (the chaincode's own error, a network
// ACL or policy refusal, no engagement for the agency, an answer that does not
// parse) is retried Settings.RefusalAttempts times, since an endorsing peer a
// block behind the event may not know the tender yet, and then parked: one
// JSON line with the flag, the request id it would open and the reason,
// appended and synced to Settings.ParkedFile before the checkpoint moves, and
// logged. No flag is dropped silently; an operator opens the missing
// engagement and files the request from the parked line.
//
// # Which engagement
//
// The tender's buying agency is its buyer.id from procurement GetTender (the
// field the audit contract checks too). Settings.Engagements names the
// engagement per agency code; for an agency not listed, with
// Settings.Standing, the agency's newest engagement that still takes requests
// (open or reporting) is used.
package auditwatch
