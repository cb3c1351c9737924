// Package contract is GovLedger's benefits chaincode: versioned programmes
// with declarative eligibility rules, applications decided against attested
// claims with an explanation, entitlements, disbursements with a
// shared-account fraud flag, and appeals.
//
// Roles are Fabric CA attributes of SocialServicesMSP users. Finance defines
// programmes (they set what is paid) and disburses; caseworkers file and
// reassess applications, manage entitlements and handle appeals. The audit
// office's auditors and the regulator read everything and write nothing.
// An agency acts only on what it owns: the programme's agency revises,
// closes and pays it; the filing agency manages its applications and
// entitlements.
//
// # How attestations are checked
//
// An application names the attestations it relies on and discloses the
// claims the programme's rule reads, in the transient map (never in
// arguments, which the ledger records). For each attestation the contract
// calls the identity chaincode's AccessAttestation through InvokeChaincode
// on the same channel, as the caller. That one call checks the subject's
// consent for the caller's agency, the kind and the programme's purpose;
// writes the access record; and returns the attestation with its issuer's
// accreditation and revocation bit. The contract then checks each disclosure
// against the attestation's commitment itself.
//
// This split was chosen over asking the identity chaincode to evaluate the
// claims because the identity chaincode then never sees a claim value, the
// consent check and its access record cannot be skipped or separated from
// the decision that used them, and every identity key read (consent,
// status-list chunk, issuer) joins this transaction's read set: a consent or
// attestation revoked concurrently invalidates the decision at commit.
//
// # Events
//
// Every write emits one event "<entity>.<action>": programme.created,
// programme.revised, programme.closed, entitlement.granted or
// application.rejected for a decision, entitlement.suspended,
// entitlement.resumed, entitlement.ended, disbursement.paid (with any fraud
// flag under "redFlags" in its data), appeal.filed, appeal.reviewed,
// appeal.upheld, appeal.dismissed and appeal.withdrawn.
package contract

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/txn"
)

// Organisations and roles of benefits delivery.
const (
	SocialServicesMSP = "SocialServicesMSP"
	AuditOfficeMSP    = "AuditOfficeMSP"

	RoleAccreditor = "accreditor"
	RoleIssuer     = "issuer"
	RoleCaseworker = "caseworker"
	RoleFinance    = "finance"
	RoleAuditor    = "auditor"
	RoleRegulator  = "regulator"
)

// Name is the contract name clients prefix functions with ("benefits:GetProgramme").
const Name = "benefits"

var (
	finance     = []access.Grant{{MSPID: SocialServicesMSP, Role: RoleFinance}}
	caseworkers = []access.Grant{{MSPID: SocialServicesMSP, Role: RoleCaseworker}}
	readers     = []access.Grant{
		{MSPID: SocialServicesMSP, Role: RoleCaseworker}, {MSPID: SocialServicesMSP, Role: RoleFinance},
		{MSPID: AuditOfficeMSP, Role: RoleAuditor}, {MSPID: access.RegulatorMSP, Role: RoleRegulator},
	}
	// programmeReaders adds the identity agency's other roles: programme
	// rules are public policy.
	programmeReaders = append([]access.Grant{
		{MSPID: SocialServicesMSP, Role: RoleAccreditor}, {MSPID: SocialServicesMSP, Role: RoleIssuer},
	}, readers...)
)

// policy is the contract's one access table.
var policy = access.Policy{
	"CreateProgramme":       {Write: true, Roles: finance},
	"ReviseProgramme":       {Write: true, Roles: finance},
	"CloseProgramme":        {Write: true, Roles: finance},
	"GetProgramme":          {Roles: programmeReaders},
	"GetProgrammeVersion":   {Roles: programmeReaders},
	"ListProgrammes":        {Roles: programmeReaders},
	"ListProgrammeVersions": {Roles: programmeReaders},

	"SubmitApplication":   {Write: true, Roles: caseworkers},
	"ReassessApplication": {Write: true, Roles: caseworkers},
	"GetApplication":      {Roles: readers},
	"ListApplications":    {Roles: readers},

	"SuspendEntitlement": {Write: true, Roles: caseworkers},
	"ResumeEntitlement":  {Write: true, Roles: caseworkers},
	"EndEntitlement":     {Write: true, Roles: caseworkers},
	"GetEntitlement":     {Roles: readers},
	"ListEntitlements":   {Roles: readers},

	"Disburse":          {Write: true, Roles: finance},
	"ListDisbursements": {Roles: readers},
	"GetFraudFlag":      {Roles: readers},

	"FileAppeal":     {Write: true, Roles: caseworkers},
	"ReviewAppeal":   {Write: true, Roles: caseworkers},
	"UpholdAppeal":   {Write: true, Roles: caseworkers},
	"DismissAppeal":  {Write: true, Roles: caseworkers},
	"WithdrawAppeal": {Write: true, Roles: caseworkers},
	"GetAppeal":      {Roles: readers},
	"ListAppeals":    {Roles: readers},
}

// Config names the identity chaincode the contract consults and sets the
// fraud threshold. Every endorsing peer must run with the same Config, or
// they will disagree.
type Config struct {
	// IdentityChaincode is the identity chaincode's name on this channel.
	IdentityChaincode string
	// AccessFunction is its consent-checked attestation read, called with
	// the attestation ID and the programme's consent purpose.
	AccessFunction string
	// MaxSubjectsPerAccount is N of the fraud flag: a payout account paid to
	// more than N distinct subjects is flagged.
	MaxSubjectsPerAccount int
}

// DefaultConfig is the deployment in network/topology.yaml.
func DefaultConfig() Config {
	return Config{
		IdentityChaincode:     "identity",
		AccessFunction:        "identity:AccessAttestation",
		MaxSubjectsPerAccount: benefits.DefaultMaxSubjectsPerAccount,
	}
}

// Contract is the benefits contract. Its exported methods are the
// chaincode's transactions.
type Contract struct {
	txn.Contract
	cfg Config
}

// New returns the contract wired to the platform: GovLedger's transaction
// context and the access policy guard.
func New(cfg Config) *Contract {
	return &Contract{Contract: txn.NewContract(Name, policy), cfg: cfg}
}

// Chaincode returns the benefits chaincode with DefaultConfig, ready to serve.
func Chaincode() (*contractapi.ContractChaincode, error) {
	return NewChaincode(DefaultConfig())
}

// NewChaincode returns the benefits chaincode with cfg.
func NewChaincode(cfg Config) (*contractapi.ContractChaincode, error) {
	if cfg.IdentityChaincode == "" || cfg.AccessFunction == "" || cfg.MaxSubjectsPerAccount < 1 {
		return nil, fmt.Errorf("benefits chaincode: identity chaincode, access function and a positive account limit are required")
	}
	cc, err := contractapi.NewChaincode(New(cfg))
	if err != nil {
		return nil, fmt.Errorf("benefits chaincode: %w", err)
	}
	cc.Info.Title = "GovLedger benefits"
	cc.Info.Version = "1.0.0"
	return cc, nil
}
