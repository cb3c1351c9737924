package contract_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/audit/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/procurement"
)

const day = 24 * time.Hour

// People of network/topology.yaml.
var (
	manager   = memstub.NewIdentity("AuditOfficeMSP", "auditmanager1", map[string]string{"role": "audit-manager", "agency": "SAI"})
	auditor1  = memstub.NewIdentity("AuditOfficeMSP", "auditor1", map[string]string{"role": "auditor", "agency": "SAI"})
	auditor2  = memstub.NewIdentity("AuditOfficeMSP", "auditor2", map[string]string{"role": "auditor", "agency": "SAI"})
	officeAdm = memstub.NewIdentity("AuditOfficeMSP", "admin", nil)
	buyer     = memstub.NewIdentity("ProcurementMSP", "buyer1", map[string]string{"role": "buyer", "agency": "MOF"})
	otherAgcy = memstub.NewIdentity("ProcurementMSP", "clerk9", map[string]string{"role": "buyer", "agency": "MOH"})
	reporter  = memstub.NewIdentity("HospitalMSP", "reporter1", map[string]string{"role": "reporter", "agency": "MOF"})
	regulator = memstub.NewIdentity("RegulatorMSP", "regulator1", map[string]string{"role": "regulator", "agency": "REG"})
)

const engID = "ENG-1"

// tenders is what the fake procurement chaincode knows: tender ID to the red
// flags it carries. T-4 was bought by another agency.
var tenders = map[string][]procurement.FlagKind{
	"T-1": {procurement.FlagSingleBid},
	"T-2": {procurement.FlagSingleBid, procurement.FlagAwardNotTopRanked},
	"T-3": {},
	"T-4": {procurement.FlagSingleBid},
}

// procurement answers GetTender like the procurement contract: the tender
// (the domain type the real contract returns) as JSON, or a NOT_FOUND
// chaincode error.
func procurementCC(args [][]byte) *peer.Response {
	if len(args) != 2 || string(args[0]) != "procurement:GetTender" {
		return shim.Error(ccerror.New(ccerror.InvalidArgument, "unexpected call").Error())
	}
	id := string(args[1])
	kinds, ok := tenders[id]
	if !ok {
		return shim.Error(ccerror.New(ccerror.NotFound, "tender "+id+": not found").Error())
	}
	t := procurement.Tender{ID: id, Title: "Tender " + id, Buyer: procurement.Party{ID: "MOF", Name: "Ministry of Finance"}}
	if id == "T-4" {
		t.Buyer.ID = "MOH"
	}
	for _, k := range kinds {
		t.RedFlags = append(t.RedFlags, procurement.RedFlag{Kind: k, TenderID: id, Detail: "raised"})
	}
	b, err := json.Marshal(t)
	if err != nil {
		return shim.Error(err.Error())
	}
	return shim.Success(b)
}

type fixture struct {
	t   *testing.T
	net *memstub.Network
}

// chaincode is built once: it holds no state, and building it (contractapi
// reflects over every function) is the slow part of a fixture.
var chaincode = sync.OnceValues(contract.Chaincode)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cc, err := chaincode()
	require.NoError(t, err)
	net := memstub.New(cc)
	net.Ledger.RegisterChaincode("procurement", procurementCC)
	return &fixture{t: t, net: net}
}

// submit commits fn as id and decodes the result into out (when not nil).
func (f *fixture) submit(id memstub.Identity, fn string, out any, args ...string) *memstub.Result {
	f.t.Helper()
	res, err := f.net.Submit(id, "audit:"+fn, args...)
	require.NoError(f.t, err, fn)
	if out != nil {
		require.NoError(f.t, res.JSON(out))
	}
	return res
}

func (f *fixture) evaluate(id memstub.Identity, fn string, out any, args ...string) {
	f.t.Helper()
	res, err := f.net.Evaluate(id, "audit:"+fn, args...)
	require.NoError(f.t, err, fn)
	require.NoError(f.t, res.JSON(out))
}

// fail runs fn as id, expects a chaincode error and returns it parsed.
func (f *fixture) fail(id memstub.Identity, fn string, args ...string) *ccerror.Error {
	f.t.Helper()
	_, err := f.net.Submit(id, "audit:"+fn, args...)
	require.Error(f.t, err, fn)
	var ce *ccerror.Error
	require.ErrorAs(f.t, err, &ce, "not a chaincode error: %v", err)
	return ce
}

// identity is how the contract sees id: MSP and cid's unique ID.
func (f *fixture) identity(id memstub.Identity) audit.Identity {
	f.t.Helper()
	c, err := access.NewCaller(f.net.Ledger.Begin(memstub.TxOptions{Creator: id}))
	require.NoError(f.t, err)
	return audit.Identity{MSPID: c.MSPID, ID: c.ID}
}

func (f *fixture) now() time.Time { return f.net.Ledger.Now() }

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

func (f *fixture) openEngagement() audit.Engagement {
	f.t.Helper()
	var e audit.Engagement
	f.submit(manager, "OpenEngagement", &e, js(f.t, audit.EngagementSpec{
		ID: engID, Agency: audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"},
		Title: "Procurement compliance 2025", Scope: "Tenders above the EU threshold.",
	}))
	return e
}

func (f *fixture) issueRequest(id string, due time.Duration) audit.Request {
	f.t.Helper()
	var r audit.Request
	f.submit(auditor1, "IssueRequest", &r, engID, js(f.t, map[string]any{
		"id": id, "subject": "Evaluation report", "detail": "Provide the evaluation report of T-1.",
		"dueAt": f.now().Add(due),
	}))
	return r
}

func (f *fixture) quorum() audit.Quorum {
	return audit.Quorum{Required: 2, Signers: []audit.Identity{f.identity(auditor1), f.identity(auditor2), f.identity(manager)}}
}

func (f *fixture) findingSpec(id string) audit.FindingSpec {
	return audit.FindingSpec{
		ID: id, Title: "Award without evaluation", Severity: audit.SeverityHigh,
		Criteria: "Procurement Act s.42.", Condition: "T-1 awarded without an evaluation report.",
		Cause: "Committee not convened.", Effect: "Value for money not shown.",
		Recommendation: "Convene committees.", Requests: []string{}, Quorum: f.quorum(),
	}
}

func (f *fixture) raiseFinding(id string) audit.Finding {
	f.t.Helper()
	var fd audit.Finding
	f.submit(auditor1, "RaiseFinding", &fd, engID, js(f.t, f.findingSpec(id)))
	return fd
}

func (f *fixture) issueFinding(id string) audit.Finding {
	f.t.Helper()
	f.raiseFinding(id)
	var fd audit.Finding
	f.submit(auditor1, "SignFinding", nil, engID, id)
	f.submit(auditor2, "SignFinding", &fd, engID, id)
	require.Equal(f.t, audit.FindingIssued, fd.Status)
	return fd
}

func responseSpec() string {
	return `{"statement":"Attached.","evidence":[{"description":"Evaluation report",` +
		`"documentSha256":"` + strings.Repeat("ab", 32) + `","uri":"https://docs.mof.example/T-1/eval.pdf",` +
		`"ledgerRefs":[{"channel":"public-services","chaincode":"procurement","txId":"` + strings.Repeat("0f", 32) + `"}]}]}`
}
