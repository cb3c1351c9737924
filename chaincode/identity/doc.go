// Package identity is the domain model of GovLedger's identity services:
// accredited issuers, pseudonymous subjects, attestations whose claims are
// salted hash commitments, a bitstring revocation list, and subject consent
// for agencies to use attestations.
//
// Nothing in this package puts personal data on a ledger. A subject is known
// only by a pseudonymous DID ([SubjectID] derives it at the gateway from a
// national identifier and a secret the ledger never sees). Claims are stored
// only as commitments; the claim value and its salt travel off-ledger to the
// party that needs them, which checks them with [VerifyDisclosure].
//
// # Claim commitments
//
// [Commit] computes the lowercase hex SHA-256 digest of
//
//	"govledger.claim-commitment.v1" 0x00
//	u32be(len(name))  name
//	u32be(len(value)) value
//	u32be(len(salt))  salt
//
// where name is the claim name in UTF-8, value is one kind byte ('s' string,
// 'n' number, 'b' boolean) followed by the value's canonical text (the UTF-8
// string itself; the base-10 integer with a leading '-' when negative and no
// leading zeros; "true" or "false"), and salt is 16 to 64 random bytes chosen by the issuer
// per claim. Length prefixes make the encoding injective, so no two different
// (name, value, salt) triples share a preimage; the kind byte stops the string
// "2" from opening a commitment to the number 2; the per-claim salt stops a
// verifier from confirming a guessed value by hashing candidates.
//
// # Revocation
//
// Each issuer has its own status list, a bitstring in the W3C Bitstring Status
// List layout (index 0 is the most significant bit of the first byte). The list
// is cut into [StatusChunkBits]-bit chunks stored separately, so revoking two
// attestations in different chunks never touches the same ledger key.
// Issuers choose the status index when they attest; the contract refuses an
// index already taken, so there is no shared counter to contend on.
package identity
