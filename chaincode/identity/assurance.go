package identity

// AssuranceLevel is the eIDAS level of assurance with which the issuer
// established the subject's identity (Regulation (EU) 2015/1502). It is kept in
// the clear on the attestation, not as a commitment: it describes the issuer's
// proofing process, not the person, and verifiers must be able to check a
// minimum level without a disclosure.
type AssuranceLevel string

// eIDAS levels of assurance, lowest first.
const (
	AssuranceLow         AssuranceLevel = "low"
	AssuranceSubstantial AssuranceLevel = "substantial"
	AssuranceHigh        AssuranceLevel = "high"
)

// rank orders the levels; zero marks an unknown level.
func (l AssuranceLevel) rank() int {
	switch l {
	case AssuranceLow:
		return 1
	case AssuranceSubstantial:
		return 2
	case AssuranceHigh:
		return 3
	default:
		return 0
	}
}

// Validate checks that l is one of the three eIDAS levels.
func (l AssuranceLevel) Validate(field string) error {
	if l.rank() == 0 {
		return invalid(field, "must be one of low, substantial, high")
	}
	return nil
}

// AtLeast reports whether l meets min. An unknown level meets nothing.
func (l AssuranceLevel) AtLeast(min AssuranceLevel) bool {
	return l.rank() != 0 && l.rank() >= min.rank()
}
