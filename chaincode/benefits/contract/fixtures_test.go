package contract_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	idcontract "github.com/govledger/govledger/chaincode/identity/contract"
	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// People of network/topology.yaml, plus a few the topology lacks so that
// every refusal can be shown.
var (
	accreditor   = memstub.NewIdentity("SocialServicesMSP", "accreditor1", map[string]string{"role": "accreditor", "agency": "SSA"})
	issuer       = memstub.NewIdentity("SocialServicesMSP", "issuer1", map[string]string{"role": "issuer", "agency": "SSA"})
	caseSSA      = memstub.NewIdentity("SocialServicesMSP", "caseworker1", map[string]string{"role": "caseworker", "agency": "SSA"})
	caseMUNI     = memstub.NewIdentity("SocialServicesMSP", "caseworker2", map[string]string{"role": "caseworker", "agency": "MUNI"})
	financeSSA   = memstub.NewIdentity("SocialServicesMSP", "finance1", map[string]string{"role": "finance", "agency": "SSA"})
	financeMUN   = memstub.NewIdentity("SocialServicesMSP", "finance2", map[string]string{"role": "finance", "agency": "MUNI"})
	noAgency     = memstub.NewIdentity("SocialServicesMSP", "finance0", map[string]string{"role": "finance"})
	noAgencyCase = memstub.NewIdentity("SocialServicesMSP", "caseworker0", map[string]string{"role": "caseworker"})
	auditor      = memstub.NewIdentity("AuditOfficeMSP", "auditor1", map[string]string{"role": "auditor", "agency": "SAI"})
	regulator    = memstub.NewIdentity("RegulatorMSP", "regulator1", map[string]string{"role": "regulator", "agency": "REG"})
	regAsCase    = memstub.NewIdentity("RegulatorMSP", "regulator2", map[string]string{"role": "caseworker", "agency": "REG"})
	buyer        = memstub.NewIdentity("ProcurementMSP", "buyer1", map[string]string{"role": "buyer", "agency": "MOF"})
	hospCase     = memstub.NewIdentity("HospitalMSP", "caseworker3", map[string]string{"role": "caseworker", "agency": "HOSP1"})

	salt      = bytes.Repeat([]byte{0x19}, identity.MinSaltLen)
	nationKey = bytes.Repeat([]byte{0x5e}, identity.MinSubjectSecretLen)
	payoutKey = bytes.Repeat([]byte{0x6f}, benefits.MinAccountSecretLen)
)

const (
	kindResidency = "ResidencyCredential"
	kindIncome    = "IncomeCredential"
	purpose       = "benefits-eligibility"
	day           = 24 * time.Hour
	eligibility   = `all(residency == "resident", ageOver18 == true, any(incomeBand <= 2, not(employed == true)))`
)

// fixture runs the benefits chaincode and the real identity chaincode on two
// ledgers of one channel. InvokeChaincode("identity", ...) from benefits is
// answered by submitting to the identity ledger as the caller of the
// benefits transaction, the creator Fabric would pass on. Unlike Fabric, the
// identity writes commit even if the benefits transaction later fails; no
// test depends on that.
type fixture struct {
	t     *testing.T
	ben   *memstub.Network
	id    *memstub.Network
	actor memstub.Identity
	index uint32 // last status-list index used
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, contract.DefaultConfig())
}

func newFixtureWith(t *testing.T, cfg contract.Config) *fixture {
	t.Helper()
	bcc, err := contract.NewChaincode(cfg)
	require.NoError(t, err)
	icc, err := idcontract.Chaincode()
	require.NoError(t, err)
	f := &fixture{t: t, ben: memstub.New(bcc), id: memstub.New(icc)}
	f.ben.Ledger.RegisterChaincode("identity", f.callIdentity)
	return f
}

func (f *fixture) callIdentity(args [][]byte) *peer.Response {
	rest := make([]string, 0, len(args)-1)
	for _, a := range args[1:] {
		rest = append(rest, string(a))
	}
	res, err := f.id.Submit(f.actor, string(args[0]), rest...)
	var te *memstub.TxError
	if errors.As(err, &te) {
		return shim.Error(te.Message)
	}
	if err != nil {
		return shim.Error(err.Error())
	}
	return shim.Success(res.Payload)
}

func (f *fixture) now() time.Time { return f.ben.Ledger.Now() }

// advance moves both ledgers' clocks, which stand for one channel's time.
func (f *fixture) advance(d time.Duration) {
	f.ben.Ledger.Advance(d)
	f.id.Ledger.Advance(d)
}

func (f *fixture) call(id memstub.Identity, evidence []contract.EvidenceInput, fn string, args ...string) (*memstub.Result, error) {
	f.actor = id
	net := f.ben
	if evidence != nil {
		net = net.WithTransient(map[string][]byte{contract.TransientEvidence: []byte(js(f.t, evidence))})
	}
	return net.Submit(id, "benefits:"+fn, args...)
}

func (f *fixture) submit(id memstub.Identity, fn string, out any, args ...string) *memstub.Result {
	f.t.Helper()
	return f.submitWith(id, nil, fn, out, args...)
}

func (f *fixture) submitWith(id memstub.Identity, evidence []contract.EvidenceInput, fn string, out any, args ...string) *memstub.Result {
	f.t.Helper()
	res, err := f.call(id, evidence, fn, args...)
	require.NoError(f.t, err, fn)
	if out != nil {
		require.NoError(f.t, res.JSON(out))
	}
	return res
}

func (f *fixture) evaluate(id memstub.Identity, fn string, out any, args ...string) {
	f.t.Helper()
	res, err := f.ben.Evaluate(id, "benefits:"+fn, args...)
	require.NoError(f.t, err, fn)
	require.NoError(f.t, res.JSON(out))
}

func (f *fixture) fail(id memstub.Identity, fn string, args ...string) *ccerror.Error {
	f.t.Helper()
	return f.failWith(id, nil, fn, args...)
}

func (f *fixture) failWith(id memstub.Identity, evidence []contract.EvidenceInput, fn string, args ...string) *ccerror.Error {
	f.t.Helper()
	_, err := f.call(id, evidence, fn, args...)
	require.Error(f.t, err, fn)
	var ce *ccerror.Error
	require.ErrorAs(f.t, err, &ce, "not a chaincode error: %v", err)
	return ce
}

func (f *fixture) idSubmit(id memstub.Identity, fn string, out any, args ...string) {
	f.t.Helper()
	res, err := f.id.Submit(id, "identity:"+fn, args...)
	require.NoError(f.t, err, fn)
	if out != nil {
		require.NoError(f.t, res.JSON(out))
	}
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
	s, err := identity.SubjectID(nationKey, nationalID)
	require.NoError(t, err)
	return s
}

func account(t *testing.T, number string) benefits.AccountHash {
	t.Helper()
	h, err := benefits.HashPayoutAccount(payoutKey, number)
	require.NoError(t, err)
	return h
}

type claim struct {
	name  string
	value identity.Value
}

// person is a subject with attestations on the identity ledger and the
// disclosures their wallet holds.
type person struct {
	subject   identity.Subject
	residency contract.EvidenceInput
	income    contract.EvidenceInput
}

func (p person) evidence() []contract.EvidenceInput {
	return []contract.EvidenceInput{p.residency, p.income}
}

// attest records an attestation of kind by the SSA issuer and returns the
// evidence that discloses all its claims.
func (f *fixture) attest(id, kind string, s identity.Subject, index uint32, claims ...claim) contract.EvidenceInput {
	f.t.Helper()
	in := idcontract.AttestInput{
		ID: id, Kind: kind, Subject: s, ValidFrom: f.now().Add(-day), ValidUntil: f.now().AddDate(1, 0, 0),
		Assurance: identity.AssuranceSubstantial, StatusIndex: index,
	}
	ev := contract.EvidenceInput{Attestation: id}
	for _, c := range claims {
		d, err := identity.Commit(c.name, c.value, salt)
		require.NoError(f.t, err)
		in.Claims = append(in.Claims, identity.ClaimCommitment{Name: c.name, Digest: d})
		ev.Disclosures = append(ev.Disclosures, benefits.Disclosure{Claim: c.name, Value: c.value, Salt: salt})
	}
	f.idSubmit(issuer, "Attest", nil, js(f.t, in))
	return ev
}

// consent records, via an SSA caseworker, that grantee may use the
// subject's attestations of kind for benefits eligibility.
func (f *fixture) consent(id string, s identity.Subject, grantee, kind string) {
	f.t.Helper()
	f.idSubmit(caseSSA, "GrantConsent", nil, js(f.t, idcontract.ConsentInput{
		ID: id, Subject: s, Grantee: grantee, Kind: kind, Purpose: purpose, ValidUntil: f.now().AddDate(0, 6, 0),
	}))
}

// eligiblePerson attests an eligible subject and gives both agencies consent.
func (f *fixture) eligiblePerson(name string) person {
	f.t.Helper()
	p := person{subject: subject(f.t, name)}
	f.index += 2
	p.residency = f.attest("res-"+name, kindResidency, p.subject, f.index,
		claim{identity.ClaimResidency, identity.StringValue("resident")}, claim{identity.ClaimAgeOver18, identity.BoolValue(true)})
	p.income = f.attest("inc-"+name, kindIncome, p.subject, f.index+1,
		claim{identity.ClaimIncomeBand, identity.NumberValue(1)}, claim{"employed", identity.BoolValue(true)})
	for _, agency := range []string{"SSA", "MUNI"} {
		f.consent("c-res-"+agency+"-"+name, p.subject, agency, kindResidency)
		f.consent("c-inc-"+agency+"-"+name, p.subject, agency, kindIncome)
	}
	return p
}

// setup accredits the SSA issuer on the identity ledger.
func (f *fixture) setup() {
	f.t.Helper()
	f.idSubmit(accreditor, "AccreditIssuer", nil, js(f.t, idcontract.AccreditInput{Agency: "SSA", Kinds: []string{kindResidency, kindIncome}}))
}

func programmeSpec(id, group string, b benefits.Benefit) benefits.ProgrammeSpec {
	return benefits.ProgrammeSpec{
		ID: id, Name: "Programme " + id, Rule: eligibility,
		Sources: []benefits.ClaimSource{
			{Claim: "residency", Kind: kindResidency}, {Claim: "ageOver18", Kind: kindResidency},
			{Claim: "incomeBand", Kind: kindIncome}, {Claim: "employed", Kind: kindIncome},
		},
		MinAssurance: identity.AssuranceSubstantial, Purpose: purpose, Benefit: b, ExclusivityGroup: group,
	}
}

var monthly = benefits.Benefit{Amount: benefits.Money{Minor: 45000, Currency: "EUR"}, Schedule: benefits.ScheduleMonthly, Months: 6}

func (f *fixture) programme(by memstub.Identity, id, group string, b benefits.Benefit) benefits.Programme {
	f.t.Helper()
	var p benefits.Programme
	f.submit(by, "CreateProgramme", &p, js(f.t, programmeSpec(id, group, b)))
	return p
}

func (f *fixture) apply(by memstub.Identity, id, programme string, p person) benefits.Application {
	f.t.Helper()
	var app benefits.Application
	f.submitWith(by, p.evidence(), "SubmitApplication", &app,
		js(f.t, contract.ApplicationInput{ID: id, ProgrammeID: programme, Subject: p.subject}))
	return app
}
