package benefits

import (
	"bytes"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
	"github.com/stretchr/testify/require"
)

var (
	t0       = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	salt     = bytes.Repeat([]byte{0x33}, identity.MinSaltLen)
	secret   = bytes.Repeat([]byte{0x44}, identity.MinSubjectSecretLen)
	eurMonth = Money{Minor: 45000, Currency: "EUR"}
)

func subjectOf(t *testing.T, nationalID string) identity.Subject {
	t.Helper()
	s, err := identity.SubjectID(secret, nationalID)
	require.NoError(t, err)
	return s
}

func programmeSpec() ProgrammeSpec {
	return ProgrammeSpec{
		ID: "housing-support", Name: "Housing support", Rule: exampleRule,
		Sources: []ClaimSource{
			{Claim: "residency", Kind: "ResidencyCredential"}, {Claim: "ageOver18", Kind: "ResidencyCredential"},
			{Claim: "incomeBand", Kind: "IncomeCredential"}, {Claim: "employed", Kind: "IncomeCredential"},
		},
		MinAssurance: identity.AssuranceSubstantial, Purpose: "benefits-eligibility",
		Benefit:          Benefit{Amount: eurMonth, Schedule: ScheduleMonthly, Months: 12},
		ExclusivityGroup: "housing",
	}
}

func newProgramme(t *testing.T) *Programme {
	t.Helper()
	p, err := NewProgramme(programmeSpec(), "SSA", t0)
	require.NoError(t, err)
	return p
}

func issuer(t *testing.T) *identity.Issuer {
	t.Helper()
	iss, err := identity.Accredit("SSA", []string{"IncomeCredential", "ResidencyCredential"}, "ACC", t0.AddDate(-1, 0, 0))
	require.NoError(t, err)
	return iss
}

type claim struct {
	name  string
	value identity.Value
}

// attest builds an attestation of kind committing claims with the shared salt
// and returns it with the matching disclosures.
func attest(t *testing.T, id, kind string, subject identity.Subject, claims ...claim) (*identity.Attestation, []Disclosure) {
	t.Helper()
	var commits []identity.ClaimCommitment
	var disclosures []Disclosure
	for _, c := range claims {
		d, err := identity.Commit(c.name, c.value, salt)
		require.NoError(t, err)
		commits = append(commits, identity.ClaimCommitment{Name: c.name, Digest: d})
		disclosures = append(disclosures, Disclosure{Claim: c.name, Value: c.value, Salt: salt})
	}
	a, err := identity.NewAttestation(identity.AttestationSpec{
		ID: id, Kind: kind, Issuer: "SSA", Subject: subject,
		ValidFrom: t0.AddDate(0, -1, 0), ValidUntil: t0.AddDate(1, 0, 0),
		Assurance: identity.AssuranceHigh, StatusIndex: 7, Claims: commits,
	})
	require.NoError(t, err)
	return a, disclosures
}

// eligibleEvidence is evidence that passes the example rule for subject.
func eligibleEvidence(t *testing.T, subject identity.Subject) []Evidence {
	t.Helper()
	iss := issuer(t)
	res, resD := attest(t, "att-res", "ResidencyCredential", subject,
		claim{"residency", identity.StringValue("resident")}, claim{"ageOver18", identity.BoolValue(true)})
	inc, incD := attest(t, "att-inc", "IncomeCredential", subject,
		claim{"incomeBand", identity.NumberValue(2)}, claim{"employed", identity.BoolValue(true)})
	return []Evidence{
		{Attestation: res, Issuer: iss, Disclosures: resD},
		{Attestation: inc, Issuer: iss, Disclosures: incD},
	}
}
