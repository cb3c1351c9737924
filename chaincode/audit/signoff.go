package audit

import (
	"slices"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// MinSigners is the smallest quorum a sign-off may require: audit standards
// want at least a second person to review before anything is final.
const MinSigners = 2

// SignOff is a quorum of named signers: it is complete once Required of the
// Signers have signed. Signatures are kept in signing order.
type SignOff struct {
	Required   int         `json:"required"`
	Signers    []Identity  `json:"signers"`
	Signatures []Signature `json:"signatures"`
}

// Signature records who signed and when (the transaction time).
type Signature struct {
	Signer   Identity  `json:"signer"`
	SignedAt time.Time `json:"signedAt"`
}

// Quorum names who may sign and how many signatures make a sign-off complete.
type Quorum struct {
	Required int        `json:"required"`
	Signers  []Identity `json:"signers"`
}

// Validate checks the quorum: at least MinSigners and at most the number of
// signers are required; signers are distinct and at most MaxSigners.
func (q Quorum) Validate() error {
	required, signers := q.Required, q.Signers
	if len(signers) == 0 {
		return fieldErr("signers", validate.RuleRequired, "must name at least one signer")
	}
	if err := checkCount("signers", len(signers), MaxSigners); err != nil {
		return err
	}
	for i, s := range signers {
		if err := s.Validate(); err != nil {
			return within(indexed("signers", i), err)
		}
		if slices.Contains(signers[:i], s) {
			return fieldErr(indexed("signers", i), RuleUnique, "must not repeat a signer")
		}
	}
	return validate.InRange("required", required, MinSigners, len(signers))
}

// NewSignOff starts an unsigned sign-off for a valid quorum.
func NewSignOff(q Quorum) (SignOff, error) {
	if err := q.Validate(); err != nil {
		return SignOff{}, err
	}
	return q.unsigned(), nil
}

// unsigned is a fresh sign-off for a quorum already validated.
func (q Quorum) unsigned() SignOff {
	return SignOff{Required: q.Required, Signers: slices.Clone(q.Signers), Signatures: []Signature{}}
}

// Complete reports whether the quorum has signed.
func (s SignOff) Complete() bool { return len(s.Signatures) >= s.Required }

// Signed reports whether signer has already signed.
func (s SignOff) Signed(signer Identity) bool {
	return slices.ContainsFunc(s.Signatures, func(sig Signature) bool { return sig.Signer == signer })
}

// Sign adds signer's signature. It rejects signers not named on the sign-off
// (ErrUnnamedSigner) and second signatures (ErrDuplicateSignature).
func (s SignOff) Sign(signer Identity, now time.Time) (SignOff, error) {
	if !slices.Contains(s.Signers, signer) {
		return s, ErrUnnamedSigner
	}
	if s.Signed(signer) {
		return s, ErrDuplicateSignature
	}
	out := s
	out.Signatures = append(slices.Clone(s.Signatures), Signature{Signer: signer, SignedAt: now.UTC()})
	return out, nil
}
