// Package contract is the public-health chaincode: hospitals report
// de-identified cases into a private data collection, the public-health
// agency reads them, watches aggregates and manages outbreak alerts, and
// everyone else sees hashes and suppressed aggregates. The domain rules live
// in chaincode/health; this package stores and guards them.
//
// # Who does what
//
// HospitalMSP reporters submit reports; HospitalMSP clinicians read the
// records their own hospital (certificate attribute agency) submitted.
// PublicHealthMSP epidemiologists read every record, manage alert rules and
// acknowledge and close alerts; its health-admins manage rules, settings
// (k, duplicate window, retention, the gate's suppression list) and run the
// retention purge. Other organisations and RegulatorMSP read public traces
// only: record references and hash checks, suppressed aggregates, rules,
// alerts, settings; the regulator also reads the access receipts.
//
// # Where the data lives
//
// A report travels only in the transient map (key "report"), never in
// arguments, which the ledger records; SubmitCaseReport refuses arguments
// outright. It must pass the deid gate, then the record is written to the
// private data collection Collection under caserecord/<record id>, the record
// id derived from the transaction ID. Public state gets a CaseRef (identifier,
// SHA-256 of the private value, submitter, time, status) and, if the record
// counts, a delta key agg/<condition>/<region>/<week>/<txid> holding 1. No
// counter key is read-modify-written, so reports into the same cell do not
// collide; GetAggregate sums the cell's keys with a bounded range scan
// (MaxCellKeys; CompactAggregate folds a cell's deltas into one rollup key).
// Duplicate suppression keeps its state, keyed by patient key and condition,
// in the collection too.
//
// # What this does not hide
//
// Stated plainly so nobody relies on more than there is:
//
//   - The aggregate delta keys are public world state. A gateway client
//     outside the health organisations gets "<5", but any organisation that
//     runs a peer on the channel can count the keys of a cell in its own
//     state database. Small-cell suppression protects API readers, not peer
//     operators. Each delta key also names its transaction, so the cell of
//     every counted record (condition, region, week) and, by its absence,
//     that a record did not count (a duplicate or a non-case), are visible to
//     every peer, alongside the submitting hospital, which every transaction
//     reveals by its creator.
//   - Fabric writes the hash of every private key a transaction reads or
//     writes into the block. The episode key of a patient and condition is the
//     same each time, so channel members can tell that two submissions
//     concern the same (patient, condition) pair, though not who it is. That
//     is inherent to de-duplicating on a ledger; the patient key itself never
//     appears outside the collection.
//
// # Reading a record leaves a receipt
//
// A submitted transaction's response payload is written into the block that
// every channel member receives, so a function that both logs the read and
// returns the record would publish the record. And a bare evaluation (or an
// endorsement the client never sends for ordering) cannot be forced to log
// anything. Reading is therefore two calls, which is what the gateway's read
// path does:
//
//  1. ReadCaseReport(recordId, purpose), submitted: records a public
//     AccessReceipt (who, when, purpose from a closed vocabulary, which
//     record) and returns it, with no private data.
//  2. GetCaseReport(recordId, receiptId), evaluated: returns the record's
//     stored bytes (their SHA-256 is the CaseRef hash) only to the identity
//     the committed receipt names, within health.ReceiptValidity of it.
//
// The validity window is checked against the evaluation's proposal
// timestamp, which the client sets; so a receipt proves that its holder read
// the record at least once around that time, not that every read was logged.
//
// # Alerts and contention
//
// A counted report evaluates the enabled rules of its condition and region
// (health.Rule) against the cell's running count and, for EARS, the baseline
// weeks. An alert is raised at most once per rule, region and week; its
// transaction's one event is alert.raised (OutbreakAlert), otherwise it is
// caserecord.submitted. Only reports into a cell with an enabled rule and no
// alert yet read the cell's range, and two such reports committed in the same
// block conflict (PHANTOM_READ_CONFLICT) and must be resubmitted, as gateway
// clients do; cells without rules never conflict.
package contract

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Organisations and roles of the health contract.
const (
	PublicHealthMSP    = "PublicHealthMSP"
	HospitalMSP        = "HospitalMSP"
	RoleReporter       = "reporter"
	RoleClinician      = "clinician"
	RoleEpidemiologist = "epidemiologist"
	RoleHealthAdmin    = "health-admin"
)

// Collection is the private data collection of case records. It must be
// declared with exactly CollectionMembers, memberOnlyRead and memberOnlyWrite,
// an endorsement policy requiring both organisations' peers, and a
// blockToLive backstop (counted in blocks) well beyond the retention period,
// so that PurgeExpired, not the backstop, normally removes records.
const Collection = "healthRecords"

// CollectionMembers are the organisations of Collection.
func CollectionMembers() []string { return []string{PublicHealthMSP, HospitalMSP} }

// Name is the contract name clients prefix functions with ("health:GetAggregate").
const Name = "health"

// TransientReport is the transient-map key that carries a case report.
const TransientReport = "report"

var (
	reporters      = []access.Grant{{MSPID: HospitalMSP, Role: RoleReporter}}
	recordReaders  = []access.Grant{{MSPID: HospitalMSP, Role: RoleClinician}, {MSPID: PublicHealthMSP, Role: RoleEpidemiologist}}
	epidemiologist = []access.Grant{{MSPID: PublicHealthMSP, Role: RoleEpidemiologist}}
	admins         = []access.Grant{{MSPID: PublicHealthMSP, Role: RoleHealthAdmin}}
	ruleManagers   = []access.Grant{{MSPID: PublicHealthMSP, Role: RoleEpidemiologist}, {MSPID: PublicHealthMSP, Role: RoleHealthAdmin}}
	oversight      = []access.Grant{
		{MSPID: PublicHealthMSP, Role: RoleEpidemiologist}, {MSPID: PublicHealthMSP, Role: RoleHealthAdmin},
		{MSPID: access.RegulatorMSP, Role: access.AnyRole},
	}
	// Public traces: hashes, suppressed aggregates, rules, alerts, settings.
	anyone = []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}
)

// policy is the contract's one access table.
var policy = access.Policy{
	"SubmitCaseReport":   {Write: true, Roles: reporters},
	"ReadCaseReport":     {Write: true, Roles: recordReaders},
	"GetCaseReport":      {Roles: recordReaders},
	"GetCaseRef":         {Roles: anyone},
	"VerifyRecordHash":   {Roles: anyone},
	"ListAccessReceipts": {Roles: oversight},
	"PurgeExpired":       {Write: true, Roles: admins},

	"GetAggregate":     {Roles: anyone},
	"CompactAggregate": {Write: true, Roles: ruleManagers},

	"CreateAlertRule": {Write: true, Roles: ruleManagers},
	"UpdateAlertRule": {Write: true, Roles: ruleManagers},
	"DeleteAlertRule": {Write: true, Roles: ruleManagers},
	"GetAlertRule":    {Roles: anyone},
	"ListAlertRules":  {Roles: anyone},

	"GetAlert":         {Roles: anyone},
	"ListAlerts":       {Roles: anyone},
	"GetAlertHistory":  {Roles: anyone},
	"AcknowledgeAlert": {Write: true, Roles: epidemiologist},
	"CloseAlert":       {Write: true, Roles: epidemiologist},

	"GetSettings":    {Roles: anyone},
	"UpdateSettings": {Write: true, Roles: admins},
}

// Contract is the health contract. Its exported methods are the chaincode's
// transactions.
type Contract struct {
	txn.Contract
}

// New returns the contract wired to the platform: GovLedger's transaction
// context, the access policy guard, and the refusal of reports in arguments.
func New() *Contract {
	c := &Contract{Contract: txn.NewContract(Name, policy)}
	c.BeforeTransaction = before(txn.Guard(policy))
	return c
}

// before runs the guard, then refuses arguments to SubmitCaseReport before
// contractapi parses them: a report sent as an argument is already on its
// way into the block, and the sender must hear that it was refused for that
// reason, not for a parameter count.
func before(guard func(*txn.Context) error) func(*txn.Context) error {
	return func(ctx *txn.Context) error {
		if err := guard(ctx); err != nil {
			return err
		}
		fn, params := ctx.GetStub().GetFunctionAndParameters()
		if txn.FunctionName(fn) == "SubmitCaseReport" && len(params) > 0 {
			return ccerror.From(validate.Fail("args", "transient-only",
				"a case report travels only in the transient map under \""+TransientReport+"\"; arguments are recorded on the ledger"))
		}
		return nil
	}
}

// Chaincode returns the health chaincode, ready to serve.
func Chaincode() (*contractapi.ContractChaincode, error) {
	cc, err := contractapi.NewChaincode(New())
	if err != nil {
		return nil, fmt.Errorf("health chaincode: %w", err)
	}
	cc.Info.Title = "GovLedger public health"
	cc.Info.Version = "1.0.0"
	return cc, nil
}
