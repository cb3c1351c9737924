// Package contract is the procurement chaincode: a thin contractapi layer
// over package procurement. Each transaction decodes and validates its
// arguments, is authorized by the one access.Policy table below (plus the
// per-tender checks only the state can answer: the buyer's agency, the
// supplier's own id, the assigned evaluator), calls one domain function,
// writes state and secondary indexes, and emits exactly one event.
//
// # State
//
//	tender/<tenderId>                          procurement.Tender (one writer at a time: buyer actions)
//	bid/<tenderId>/<supplierId>                procurement.Bid (each supplier writes only its own)
//	declaration/<tenderId>/<evaluatorId>       procurement.ConflictDeclaration
//	score/<tenderId>/<evaluatorId>/<supplierId> procurement.Score
//	performance/<supplierId>                   procurement.Performance
//	directaward/<buyer>/<supplier>/<YYYY-MM>/<date>/<tenderId>  procurement.DirectAward
//
// Indexes (composite keys, empty values): tender~buyer~id, tender~status~id
// (moved on every status change), tender~supplier~id (added with a
// supplier's first commitment). Suppliers and evaluators never write the
// tender key, except when their action is the one that opens the bids, so
// concurrent bids and scores do not conflict; there are no global counters.
//
// # Events
//
// Every transaction emits one event named "<entity>.<action>" (see
// internal/event), e.g. tender.published, bid.committed, tender.awarded,
// payment.released. Fabric keeps only one event per transaction, so red
// flags ride on the event of the action that raised them: its Data has
// "redFlags": [{"event":"redflag.<kind>","kind":...,"tenderId":...,
// "detail":...,"raisedAt":...}], where "redflag.<kind>" (kinds in kebab
// case: single-bid, short-tender-period, award-not-top-ranked,
// contract-splitting) is the name the flag has as an event of its own.
// Consumers watching for red flags check Data.redFlags of every event.
package contract

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/procurement"
)

// Name is the contract name: clients call "procurement:<Function>".
const Name = "procurement"

// Organisations and roles (certificate attribute "role") of the contract.
const (
	ProcurementMSP = "ProcurementMSP"
	AuditOfficeMSP = "AuditOfficeMSP"

	RoleBuyer     = "buyer"
	RoleEvaluator = "evaluator"
	RoleFinance   = "finance"
	RoleSupplier  = "supplier" // with attribute supplierId: a supplier acts only as itself
)

func procurementRole(roles ...string) []access.Grant {
	g := make([]access.Grant, len(roles))
	for i, r := range roles {
		g[i] = access.Grant{MSPID: ProcurementMSP, Role: r}
	}
	return g
}

// readers may call every query: the procurement roles (public procurement
// is public), the audit office and the regulator.
var readers = append(procurementRole(RoleBuyer, RoleEvaluator, RoleFinance, RoleSupplier),
	access.Grant{MSPID: AuditOfficeMSP, Role: "auditor"},
	access.Grant{MSPID: AuditOfficeMSP, Role: "audit-manager"},
	access.Grant{MSPID: access.RegulatorMSP, Role: "regulator"},
	access.Grant{MSPID: access.RegulatorMSP, Role: access.RoleAuditor},
)

func write(roles ...string) access.Rule {
	return access.Rule{Write: true, Roles: procurementRole(roles...)}
}

var read = access.Rule{Roles: readers}

// policy is the contract's whole access table. Rules that depend on the
// tender (the buyer's agency, the supplier's own id, the assigned
// evaluator) are checked in the functions.
var policy = access.Policy{
	"CreateTender":        write(RoleBuyer),
	"PublishTender":       write(RoleBuyer),
	"AmendTender":         write(RoleBuyer),
	"AssignEvaluators":    write(RoleBuyer),
	"OpenBids":            write(RoleBuyer),
	"SubmitBidCommitment": write(RoleSupplier),
	"RevealBid":           write(RoleSupplier),
	"DeclareConflict":     write(RoleEvaluator),
	"ScoreBid":            write(RoleEvaluator),
	"Award":               write(RoleBuyer),
	"FileChallenge":       write(RoleSupplier),
	"ResolveChallenge":    write(RoleBuyer),
	"SignContract":        write(RoleBuyer),
	"SubmitDeliverable":   write(RoleSupplier),
	"AcceptDeliverable":   write(RoleBuyer),
	"RejectDeliverable":   write(RoleBuyer),
	"ReleasePayment":      write(RoleFinance),

	"GetTender":              read,
	"ListTendersByBuyer":     read,
	"ListTendersByStatus":    read,
	"ListTendersBySupplier":  read,
	"GetTenderHistory":       read,
	"GetSupplierPerformance": read,
	"GetOCDSReleasePackage":  read,
	"GetOCDSRecord":          read,
}

// Contract is the procurement contract. Its exported methods are the
// chaincode's transactions.
type Contract struct {
	txn.Contract
	cfg procurement.Config
}

// New returns the contract for the procurement regime cfg, which must be
// valid (see procurement.Config.Validate).
func New(cfg procurement.Config) *Contract {
	c := &Contract{Contract: txn.NewContract(Name, policy), cfg: cfg}
	c.Info.Title = "GovLedger public procurement"
	c.Info.Version = "1.0.0"
	return c
}

// Chaincode returns the procurement chaincode with the default regime
// (procurement.DefaultConfig), ready to serve.
func Chaincode() (*contractapi.ContractChaincode, error) {
	return NewChaincode(procurement.DefaultConfig())
}

// NewChaincode returns the procurement chaincode for the regime cfg.
func NewChaincode(cfg procurement.Config) (*contractapi.ContractChaincode, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cc, err := contractapi.NewChaincode(New(cfg))
	if err != nil {
		return nil, fmt.Errorf("procurement chaincode: %w", err)
	}
	cc.Info.Title = "GovLedger procurement"
	cc.Info.Version = "1.0.0"
	return cc, nil
}
