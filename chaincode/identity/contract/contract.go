// Package contract is GovLedger's identity chaincode: the registry of
// accredited issuers, attestations (commitments only) with their revocation
// lists, subject consent, and consent-checked access to attestations that
// leaves an access record every time.
//
// Roles are Fabric CA attributes of SocialServicesMSP users: the accreditor
// accredits, suspends, reinstates and revokes issuers; an issuer attests and
// revokes its own agency's attestations; a caseworker records and withdraws
// consent on a subject's behalf and reads attestations under consent. The
// audit office's auditors and the regulator read the registry, attestations
// and access records but write nothing.
//
// Caseworkers never read an attestation directly: AccessAttestation checks
// the subject's consent for the caller's agency, the attestation's kind and
// the stated purpose, and records the access in the same transaction. The
// benefits chaincode calls it through InvokeChaincode for every attestation
// an application cites.
//
// Every write emits one event "<entity>.<action>": issuer.accredited,
// issuer.amended, issuer.suspended, issuer.reinstated, issuer.revoked,
// attestation.issued, attestation.revoked, consent.granted, consent.revoked
// and access.recorded.
package contract

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/txn"
)

// Organisations and roles of the identity services.
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

// Name is the contract name clients prefix functions with ("identity:GetIssuer").
const Name = "identity"

var (
	accreditors = []access.Grant{{MSPID: SocialServicesMSP, Role: RoleAccreditor}}
	issuers     = []access.Grant{{MSPID: SocialServicesMSP, Role: RoleIssuer}}
	caseworkers = []access.Grant{{MSPID: SocialServicesMSP, Role: RoleCaseworker}}
	oversight   = []access.Grant{
		{MSPID: AuditOfficeMSP, Role: RoleAuditor},
		{MSPID: access.RegulatorMSP, Role: RoleRegulator},
	}
	// registryReaders may see who is accredited for what: every role of the
	// identity agency, plus oversight.
	registryReaders = append([]access.Grant{
		{MSPID: SocialServicesMSP, Role: RoleAccreditor}, {MSPID: SocialServicesMSP, Role: RoleIssuer},
		{MSPID: SocialServicesMSP, Role: RoleCaseworker}, {MSPID: SocialServicesMSP, Role: RoleFinance},
	}, oversight...)
	// attestationReaders see attestations without consent: the issuer (its
	// own, checked in the function) and oversight. Caseworkers go through
	// AccessAttestation instead.
	attestationReaders = append([]access.Grant{{MSPID: SocialServicesMSP, Role: RoleIssuer}}, oversight...)
	// subjectReaders see consents and access records about a subject:
	// caseworkers, who answer the subject's questions, and oversight.
	subjectReaders = append([]access.Grant{{MSPID: SocialServicesMSP, Role: RoleCaseworker}}, oversight...)
)

// policy is the contract's one access table.
var policy = access.Policy{
	"AccreditIssuer":  {Write: true, Roles: accreditors},
	"AmendIssuer":     {Write: true, Roles: accreditors},
	"SuspendIssuer":   {Write: true, Roles: accreditors},
	"ReinstateIssuer": {Write: true, Roles: accreditors},
	"RevokeIssuer":    {Write: true, Roles: accreditors},
	"GetIssuer":       {Roles: registryReaders},
	"ListIssuers":     {Roles: registryReaders},

	"Attest":               {Write: true, Roles: issuers},
	"RevokeAttestation":    {Write: true, Roles: issuers},
	"GetAttestation":       {Roles: attestationReaders},
	"GetAttestationStatus": {Roles: registryReaders},
	"ListAttestations":     {Roles: attestationReaders},

	"GrantConsent":      {Write: true, Roles: caseworkers},
	"RevokeConsent":     {Write: true, Roles: caseworkers},
	"GetConsent":        {Roles: subjectReaders},
	"ListConsents":      {Roles: subjectReaders},
	"AccessAttestation": {Write: true, Roles: caseworkers},
	"ListAccessRecords": {Roles: subjectReaders},
}

// Contract is the identity contract. Its exported methods are the
// chaincode's transactions.
type Contract struct {
	txn.Contract
}

// New returns the contract wired to the platform: GovLedger's transaction
// context and the access policy guard.
func New() *Contract {
	return &Contract{Contract: txn.NewContract(Name, policy)}
}

// Chaincode returns the identity chaincode, ready to serve.
func Chaincode() (*contractapi.ContractChaincode, error) {
	cc, err := contractapi.NewChaincode(New())
	if err != nil {
		return nil, fmt.Errorf("identity chaincode: %w", err)
	}
	cc.Info.Title = "GovLedger identity"
	cc.Info.Version = "1.0.0"
	return cc, nil
}
