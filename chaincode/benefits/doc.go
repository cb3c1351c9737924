// Package benefits is the domain model of GovLedger's benefits delivery:
// versioned programmes with declarative eligibility rules over attested
// claims, applications and their explained decisions, entitlements,
// disbursements, appeals, duplicate-benefit prevention across agencies, and
// a fraud flag for payout accounts shared by too many subjects.
//
// Eligibility is a [Rule] in a small language parsed by [ParseRule], e.g.
//
//	all(residency == "resident", ageOver18 == true,
//	    any(incomeBand <= 2, not(employed == true)))
//
// Evaluation is deterministic and three-valued (see [Outcome]) and yields an
// [Explanation] tree saying which condition held or failed and why, without
// ever repeating a claim value. Claim values come from disclosures checked
// against an attestation's commitments ([Programme.Assess]); only the
// decision, the explanation and the identifiers of the attestations relied
// on are kept.
//
// Like package identity, nothing here stores personal data: subjects are
// pseudonymous DIDs and payout accounts are keyed hashes ([HashPayoutAccount]).
package benefits
