package contract_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// People of network/topology.yaml, plus the callers every rule must refuse.
var (
	reporter1  = memstub.NewIdentity("HospitalMSP", "reporter1", map[string]string{"role": "reporter", "agency": "HOSP1"})
	reporter2  = memstub.NewIdentity("HospitalMSP", "reporter2", map[string]string{"role": "reporter", "agency": "HOSP2"})
	clinician1 = memstub.NewIdentity("HospitalMSP", "clinician1", map[string]string{"role": "clinician", "agency": "HOSP1"})
	clinician2 = memstub.NewIdentity("HospitalMSP", "clinician2", map[string]string{"role": "clinician", "agency": "HOSP2"})
	epi        = memstub.NewIdentity("PublicHealthMSP", "epidemiologist1", map[string]string{"role": "epidemiologist", "agency": "NPHA"})
	epi2       = memstub.NewIdentity("PublicHealthMSP", "epidemiologist2", map[string]string{"role": "epidemiologist", "agency": "NPHA"})
	admin      = memstub.NewIdentity("PublicHealthMSP", "healthadmin1", map[string]string{"role": "health-admin", "agency": "NPHA"})
	regulator  = memstub.NewIdentity("RegulatorMSP", "regulator1", map[string]string{"role": "regulator", "agency": "REG"})
	buyer      = memstub.NewIdentity("ProcurementMSP", "buyer1", map[string]string{"role": "buyer", "agency": "MOF"})
	// Right role, wrong organisation; right organisation, wrong role.
	phReporter     = memstub.NewIdentity("PublicHealthMSP", "phreporter", map[string]string{"role": "reporter", "agency": "NPHA"})
	hospEpi        = memstub.NewIdentity("HospitalMSP", "hospepi", map[string]string{"role": "epidemiologist", "agency": "HOSP1"})
	hospAdmin      = memstub.NewIdentity("HospitalMSP", "hospadmin", map[string]string{"role": "health-admin", "agency": "HOSP1"})
	agencylessRep  = memstub.NewIdentity("HospitalMSP", "reporter9", map[string]string{"role": "reporter"})
	regulatorAsEpi = memstub.NewIdentity("RegulatorMSP", "regulator2", map[string]string{"role": "epidemiologist", "agency": "REG"})
)

// start is Friday of ISO week 2026-W10.
var start = time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC)

var secret = []byte("govledger-health-contract-test-secret-01")

// chaincode is built once: it holds no state and building it reflects over
// every type.
var chaincode = func() *contractapi.ContractChaincode {
	cc, err := contract.Chaincode()
	if err != nil {
		panic(err)
	}
	return cc
}()

type fixture struct {
	t   testing.TB
	net *memstub.Network
}

func newFixture(t testing.TB) *fixture {
	l := memstub.NewLedger(memstub.Config{Start: start})
	l.DefineCollection(memstub.Collection{Name: contract.Collection, Members: contract.CollectionMembers(),
		MemberOnlyRead: true, MemberOnlyWrite: true})
	return &fixture{t: t, net: memstub.Connect(l, chaincode)}
}

func patient(n int) string { return deid.Pseudonym(secret, fmt.Sprintf("mrn|%d", n)) }

// caseReport is a measles report unless edited.
func caseReport(p int, onset string) deid.Report {
	return deid.Report{
		Condition:  &deid.Condition{System: deid.SystemICD10, Code: "B05.9"},
		OnsetWeek:  onset,
		AgeBand:    "5-9",
		Sex:        deid.SexMale,
		Region:     "021",
		PatientKey: patient(p),
	}
}

func (f *fixture) submitRaw(id memstub.Identity, raw []byte) (*memstub.Result, error) {
	return f.net.WithTransient(map[string][]byte{contract.TransientReport: raw}).Submit(id, "health:SubmitCaseReport")
}

func (f *fixture) submit(id memstub.Identity, r deid.Report) (*memstub.Result, error) {
	b, err := json.Marshal(r)
	require.NoError(f.t, err)
	return f.submitRaw(id, b)
}

func (f *fixture) mustSubmit(id memstub.Identity, r deid.Report) contract.SubmitResult {
	f.t.Helper()
	res, err := f.submit(id, r)
	require.NoError(f.t, err)
	var out contract.SubmitResult
	require.NoError(f.t, res.JSON(&out))
	return out
}

// call submits (write) or evaluates and decodes the payload into out.
func (f *fixture) call(write bool, id memstub.Identity, fn string, out any, args ...string) error {
	f.t.Helper()
	var (
		res *memstub.Result
		err error
	)
	if write {
		res, err = f.net.Submit(id, "health:"+fn, args...)
	} else {
		res, err = f.net.Evaluate(id, "health:"+fn, args...)
	}
	if err != nil {
		return err
	}
	if out != nil {
		require.NoError(f.t, res.JSON(out))
	}
	return nil
}

func (f *fixture) must(write bool, id memstub.Identity, fn string, out any, args ...string) {
	f.t.Helper()
	require.NoError(f.t, f.call(write, id, fn, out, args...))
}

func (f *fixture) aggregate(id memstub.Identity, condition, region, week string) contract.Aggregate {
	f.t.Helper()
	var a contract.Aggregate
	f.must(false, id, "GetAggregate", &a, condition, region, week)
	return a
}

func (f *fixture) createRule(in health.RuleInput) health.Rule {
	f.t.Helper()
	b, err := json.Marshal(in)
	require.NoError(f.t, err)
	var r health.Rule
	f.must(true, epi, "CreateAlertRule", &r, string(b))
	return r
}

func (f *fixture) updateSettings(edit func(c *health.Config)) {
	f.t.Helper()
	c := health.DefaultConfig()
	edit(&c)
	b, err := json.Marshal(c)
	require.NoError(f.t, err)
	f.must(true, admin, "UpdateSettings", nil, string(b))
}

func decodeEvent(t testing.TB, res *memstub.Result) event.Event {
	t.Helper()
	require.NotNil(t, res.Event)
	var e event.Event
	require.NoError(t, json.Unmarshal(res.Event.GetPayload(), &e))
	require.Equal(t, e.Entity+"."+e.Action, res.Event.GetEventName())
	return e
}

// requireCode asserts a chaincode error's code, and its field and rule when
// given.
func requireCode(t testing.TB, err error, code ccerror.Code, fieldAndRule ...string) {
	t.Helper()
	require.Error(t, err)
	var ce *ccerror.Error
	require.ErrorAs(t, err, &ce, "not a chaincode error: %v", err)
	require.Equal(t, code, ce.Code, ce.Message)
	if len(fieldAndRule) > 0 {
		require.Equal(t, fieldAndRule[0], ce.Field)
	}
	if len(fieldAndRule) > 1 {
		require.Equal(t, fieldAndRule[1], ce.Rule)
	}
}

// requireNoPrivateData asserts that bytes that leave the collection (a
// response written into the block, an event) hold neither the report's
// patient key nor a hash of it.
func requireNoPrivateData(t testing.TB, b []byte, r deid.Report) {
	t.Helper()
	for _, secret := range secretForms(r.PatientKey) {
		require.NotContains(t, string(b), secret)
	}
}

func secretForms(s string) []string {
	sum := sha256.Sum256([]byte(s))
	return []string{s, hex.EncodeToString(sum[:])}
}

// requirePublicStateFree scans every public key and value, composite and
// simple, for the secrets and their hashes.
func requirePublicStateFree(t testing.TB, f *fixture, secrets ...string) {
	t.Helper()
	stub := f.net.Ledger.Begin(memstub.TxOptions{Creator: regulator})
	check := func(it shim.StateQueryIteratorInterface) {
		defer it.Close()
		for it.HasNext() {
			kv, err := it.Next()
			require.NoError(t, err)
			for _, s := range secrets {
				for _, form := range secretForms(s) {
					require.NotContains(t, kv.GetKey(), form)
					require.NotContains(t, string(kv.GetValue()), form)
				}
			}
		}
	}
	it, _, err := stub.GetAllStatesCompositeKeyWithPagination(0, "")
	require.NoError(t, err)
	check(it)
	simple, err := stub.GetStateByRange("", "")
	require.NoError(t, err)
	check(simple)
}
