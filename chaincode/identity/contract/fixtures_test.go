package contract_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/identity/contract"
	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// People of network/topology.yaml, plus a few the topology lacks so that
// every refusal can be shown.
var (
	accreditor         = memstub.NewIdentity("SocialServicesMSP", "accreditor1", map[string]string{"role": "accreditor", "agency": "SSA"})
	issuerSSA          = memstub.NewIdentity("SocialServicesMSP", "issuer1", map[string]string{"role": "issuer", "agency": "SSA"})
	issuerMUNI         = memstub.NewIdentity("SocialServicesMSP", "issuer9", map[string]string{"role": "issuer", "agency": "MUNI"})
	caseSSA            = memstub.NewIdentity("SocialServicesMSP", "caseworker1", map[string]string{"role": "caseworker", "agency": "SSA"})
	caseMUNI           = memstub.NewIdentity("SocialServicesMSP", "caseworker2", map[string]string{"role": "caseworker", "agency": "MUNI"})
	finance            = memstub.NewIdentity("SocialServicesMSP", "finance1", map[string]string{"role": "finance", "agency": "SSA"})
	noAgency           = memstub.NewIdentity("SocialServicesMSP", "caseworker0", map[string]string{"role": "caseworker"})
	noAgencyAccreditor = memstub.NewIdentity("SocialServicesMSP", "accreditor0", map[string]string{"role": "accreditor"})
	auditor            = memstub.NewIdentity("AuditOfficeMSP", "auditor1", map[string]string{"role": "auditor", "agency": "SAI"})
	regulator          = memstub.NewIdentity("RegulatorMSP", "regulator1", map[string]string{"role": "regulator", "agency": "REG"})
	regAsCase          = memstub.NewIdentity("RegulatorMSP", "regulator2", map[string]string{"role": "caseworker", "agency": "REG"})
	buyer              = memstub.NewIdentity("ProcurementMSP", "buyer1", map[string]string{"role": "buyer", "agency": "MOF"})
	hospitalCW         = memstub.NewIdentity("HospitalMSP", "caseworker3", map[string]string{"role": "caseworker", "agency": "HOSP1"})
	testSalt           = bytes.Repeat([]byte{0x21}, identity.MinSaltLen)
	nationalKey        = bytes.Repeat([]byte{0x7a}, identity.MinSubjectSecretLen)
)

const (
	kindResidency = "ResidencyCredential"
	kindIncome    = "IncomeCredential"
	purpose       = "benefits-eligibility"
	day           = 24 * time.Hour
)

type fixture struct {
	t   *testing.T
	net *memstub.Network
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cc, err := contract.Chaincode()
	require.NoError(t, err)
	return &fixture{t: t, net: memstub.New(cc)}
}

func (f *fixture) now() time.Time { return f.net.Ledger.Now() }

func (f *fixture) submit(id memstub.Identity, fn string, out any, args ...string) *memstub.Result {
	f.t.Helper()
	res, err := f.net.Submit(id, "identity:"+fn, args...)
	require.NoError(f.t, err, fn)
	if out != nil {
		require.NoError(f.t, res.JSON(out))
	}
	return res
}

func (f *fixture) evaluate(id memstub.Identity, fn string, out any, args ...string) {
	f.t.Helper()
	res, err := f.net.Evaluate(id, "identity:"+fn, args...)
	require.NoError(f.t, err, fn)
	require.NoError(f.t, res.JSON(out))
}

// fail runs fn as id, expects a chaincode error and returns it parsed.
func (f *fixture) fail(id memstub.Identity, fn string, args ...string) *ccerror.Error {
	f.t.Helper()
	_, err := f.net.Submit(id, "identity:"+fn, args...)
	require.Error(f.t, err, fn)
	var ce *ccerror.Error
	require.ErrorAs(f.t, err, &ce, "not a chaincode error: %v", err)
	return ce
}

func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func parseEvent(t *testing.T, res *memstub.Result) event.Event {
	t.Helper()
	require.NotNil(t, res.Event)
	e, err := event.Parse(res.Event.Payload)
	require.NoError(t, err)
	require.Equal(t, e.Name(), res.Event.EventName)
	return e
}

func subject(t *testing.T, nationalID string) identity.Subject {
	t.Helper()
	s, err := identity.SubjectID(nationalKey, nationalID)
	require.NoError(t, err)
	return s
}

func (f *fixture) accredit(agency string, kinds ...string) {
	f.t.Helper()
	f.submit(accreditor, "AccreditIssuer", nil, js(f.t, contract.AccreditInput{Agency: agency, Kinds: kinds}))
}

func commitment(t *testing.T, name string, v identity.Value) identity.ClaimCommitment {
	t.Helper()
	d, err := identity.Commit(name, v, testSalt)
	require.NoError(t, err)
	return identity.ClaimCommitment{Name: name, Digest: d}
}

func (f *fixture) attestInput(id string, s identity.Subject, index uint32) contract.AttestInput {
	return contract.AttestInput{
		ID: id, Kind: kindResidency, Subject: s, ValidFrom: f.now().Add(-day), ValidUntil: f.now().AddDate(1, 0, 0),
		Assurance: identity.AssuranceHigh, StatusIndex: index,
		Claims: []identity.ClaimCommitment{commitment(f.t, identity.ClaimResidency, identity.StringValue("resident"))},
	}
}

func (f *fixture) attest(id string, s identity.Subject, index uint32) identity.Attestation {
	f.t.Helper()
	var a identity.Attestation
	f.submit(issuerSSA, "Attest", &a, js(f.t, f.attestInput(id, s, index)))
	return a
}

func (f *fixture) grant(by memstub.Identity, id string, s identity.Subject, grantee, kind string, until time.Time) identity.Consent {
	f.t.Helper()
	var c identity.Consent
	f.submit(by, "GrantConsent", &c, js(f.t, contract.ConsentInput{
		ID: id, Subject: s, Grantee: grantee, Kind: kind, Purpose: purpose, ValidUntil: until,
	}))
	return c
}
