// Package contract is the audit office's chaincode: engagements, requests for
// information and their responses, findings with multi-party sign-off, and
// follow-up, on top of the pure domain package audit.
//
// The audit office (AuditOfficeMSP, roles auditor and audit-manager) makes
// every write except two: responses to requests and management responses to
// findings are filed by the audited agency's own users (their MSP and agency
// attribute must match the engagement's agency). The regulator reads
// everything and writes nothing; an agency reads only its own engagements.
//
// Findings and reports that complete their sign-off are put under key-level
// endorsement by AuditOfficeMSP peers, so no other organisation's peers can
// endorse a change to them.
//
// Every write emits one event "<entity>.<action>". Requests escalate when past
// their due date: every transaction that touches a request applies
// audit.Escalate first, and SweepDeadlines escalates a bounded batch of the
// longest-overdue requests nobody has touched.
package contract

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/txn"
)

// Organisation and roles of the audit office.
const (
	AuditOfficeMSP   = "AuditOfficeMSP"
	RoleAuditor      = "auditor"
	RoleAuditManager = "audit-manager"
)

// Name is the contract name clients prefix functions with ("audit:GetEngagement").
const Name = "audit"

var (
	managers  = []access.Grant{{MSPID: AuditOfficeMSP, Role: RoleAuditManager}}
	auditors  = []access.Grant{{MSPID: AuditOfficeMSP, Role: RoleAuditor}, {MSPID: AuditOfficeMSP, Role: RoleAuditManager}}
	oversight = []access.Grant{
		{MSPID: AuditOfficeMSP, Role: RoleAuditor}, {MSPID: AuditOfficeMSP, Role: RoleAuditManager},
		{MSPID: access.RegulatorMSP, Role: access.AnyRole},
	}
	// Agency users reach these functions; the function itself then checks that
	// the caller belongs to the engagement's agency.
	anyUser = []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}
)

// policy is the contract's one access table.
var policy = access.Policy{
	"OpenEngagement":     {Write: true, Roles: managers},
	"WithdrawEngagement": {Write: true, Roles: managers},
	"CloseEngagement":    {Write: true, Roles: managers},
	"DraftReport":        {Write: true, Roles: auditors},
	"ReviseReport":       {Write: true, Roles: auditors},
	"SignReport":         {Write: true, Roles: auditors},

	"IssueRequest":           {Write: true, Roles: auditors},
	"OpenRequestFromRedFlag": {Write: true, Roles: auditors},
	"ExtendRequest":          {Write: true, Roles: auditors},
	"ReopenRequest":          {Write: true, Roles: auditors},
	"AcceptResponse":         {Write: true, Roles: auditors},
	"WithdrawRequest":        {Write: true, Roles: auditors},
	"FileResponse":           {Write: true, Roles: anyUser},
	"SweepDeadlines":         {Write: true, Roles: auditors},

	"RaiseFinding":     {Write: true, Roles: auditors},
	"ReviseFinding":    {Write: true, Roles: auditors},
	"SignFinding":      {Write: true, Roles: auditors},
	"WithdrawFinding":  {Write: true, Roles: auditors},
	"RespondToFinding": {Write: true, Roles: anyUser},
	"RecordFollowUp":   {Write: true, Roles: auditors},
	"CloseFinding":     {Write: true, Roles: auditors},

	"GetEngagement":           {Roles: anyUser},
	"GetRequest":              {Roles: anyUser},
	"GetFinding":              {Roles: anyUser},
	"ListEngagementsByAgency": {Roles: anyUser},
	"ListEngagementsByStatus": {Roles: oversight},
	"ListRequests":            {Roles: anyUser},
	"ListOverdueRequests":     {Roles: oversight},
	"ListFindings":            {Roles: anyUser},
	"ListResponses":           {Roles: anyUser},
}

// Config names the procurement chaincode that OpenRequestFromRedFlag consults.
// Every endorsing peer must run with the same Config, or they will disagree.
type Config struct {
	// ProcurementChaincode is the procurement chaincode's name on this channel.
	ProcurementChaincode string
	// GetTenderFunction returns a tender as JSON given its ID.
	GetTenderFunction string
}

// DefaultConfig is the deployment in network/topology.yaml.
func DefaultConfig() Config {
	return Config{ProcurementChaincode: "procurement", GetTenderFunction: "procurement:GetTender"}
}

// Contract is the audit contract. Its exported methods are the chaincode's
// transactions.
type Contract struct {
	txn.Contract
	cfg Config
}

// New returns the contract wired to the platform: GovLedger's transaction
// context and the access policy guard.
func New(cfg Config) *Contract {
	return &Contract{Contract: txn.NewContract(Name, policy), cfg: cfg}
}

// Chaincode returns the audit chaincode with DefaultConfig, ready to serve.
func Chaincode() (*contractapi.ContractChaincode, error) {
	return NewChaincode(DefaultConfig())
}

// NewChaincode returns the audit chaincode with cfg.
func NewChaincode(cfg Config) (*contractapi.ContractChaincode, error) {
	if cfg.ProcurementChaincode == "" || cfg.GetTenderFunction == "" {
		return nil, fmt.Errorf("audit chaincode: procurement chaincode and GetTender function are required")
	}
	cc, err := contractapi.NewChaincode(New(cfg))
	if err != nil {
		return nil, fmt.Errorf("audit chaincode: %w", err)
	}
	cc.Info.Title = "GovLedger audit"
	cc.Info.Version = "1.0.0"
	return cc, nil
}
