// Package access decides who may call which contract function.
//
// Each contract declares one Policy table, keyed by function name:
//
//	var policy = access.Policy{
//		"CreateTender": {Write: true, Roles: []access.Grant{{MSPID: "AgencyMSP", Role: "procurement-officer"}}},
//		"GetTender":    {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
//	}
//
// and installs it with txn.Guard, which authorizes every call before the
// function runs. The table fails closed: a function it does not list is
// denied. Write rules never admit RegulatorMSP, whatever the table says: the
// regulator observes, it does not transact.
//
// Identities come from Fabric CA enrollment attributes (role, agency,
// supplierId) embedded in the caller's X.509 certificate.
package access

import (
	"errors"
	"fmt"
	"sort"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/attrmgr"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
)

// RegulatorMSP is the regulator's organisation. It may be granted reads only.
const RegulatorMSP = "RegulatorMSP"

// RoleAuditor is the role regulators' auditors enroll with.
const RoleAuditor = "auditor"

// Wildcards for Grant.
const (
	AnyMSP  = "*" // any organisation (RegulatorMSP still excluded from writes)
	AnyRole = "*" // any role, including none
)

// Certificate attribute names read into Caller.
const (
	AttrRole       = "role"
	AttrAgency     = "agency"
	AttrSupplierID = "supplierId"
)

// ErrDenied is what every *DeniedError unwraps to.
var ErrDenied = fmt.Errorf("access denied: %w", ccerror.ErrPermissionDenied)

// ErrNoIdentity reports a transaction whose creator cannot be read.
var ErrNoIdentity = fmt.Errorf("caller identity: %w", ErrDenied)

// Caller is the identity that submitted the transaction.
type Caller struct {
	MSPID   string            // organisation, e.g. "AgencyMSP"
	ID      string            // cid's unique ID: base64 of "x509::<subject DN>::<issuer DN>"
	Subject string            // certificate subject common name
	Attrs   map[string]string // Fabric CA attributes in the certificate
}

// Role is the "role" attribute, empty when absent.
func (c Caller) Role() string { return c.Attrs[AttrRole] }

// Agency is the "agency" attribute: which public agency a civil servant acts for.
func (c Caller) Agency() string { return c.Attrs[AttrAgency] }

// SupplierID is the "supplierId" attribute: which registered supplier a
// supplier's user represents.
func (c Caller) SupplierID() string { return c.Attrs[AttrSupplierID] }

// NewCaller reads the transaction creator the way a peer sees it.
func NewCaller(stub cid.ChaincodeStubInterface) (Caller, error) {
	id, err := cid.New(stub)
	if err != nil {
		return Caller{}, fmt.Errorf("%w: %w", ErrNoIdentity, err)
	}
	mspID, _ := id.GetMSPID()
	uid, err := id.GetID()
	if err != nil {
		return Caller{}, fmt.Errorf("%w: %w", ErrNoIdentity, err)
	}
	cert, _ := id.GetX509Certificate()
	// cid.New has already parsed these attributes once; reading them again
	// from the certificate gives the whole map, which cid does not expose.
	attrs, err := attrmgr.New().GetAttributesFromCert(cert)
	if err != nil {
		return Caller{}, fmt.Errorf("%w: %w", ErrNoIdentity, err)
	}
	c := Caller{MSPID: mspID, ID: uid, Subject: cert.Subject.CommonName, Attrs: attrs.Attrs}
	if c.Attrs == nil {
		c.Attrs = map[string]string{}
	}
	return c, nil
}

// Grant admits callers of one organisation with one role.
type Grant struct {
	MSPID string // an MSP ID or AnyMSP
	Role  string // a role attribute value or AnyRole
}

func (g Grant) admits(c Caller) bool {
	return (g.MSPID == AnyMSP || g.MSPID == c.MSPID) && (g.Role == AnyRole || g.Role == c.Role())
}

// Rule is the access rule of one function.
type Rule struct {
	Roles []Grant // who may call; empty admits no one
	Write bool    // the function changes state: RegulatorMSP is never admitted
}

// Policy maps contract function names (as declared, e.g. "CreateTender") to
// their rules.
type Policy map[string]Rule

// DeniedError says who was refused what.
type DeniedError struct {
	Function string
	MSPID    string
	Role     string
	Reason   string
}

// Error explains the refusal without revealing the policy table.
func (e *DeniedError) Error() string {
	return fmt.Sprintf("caller (MSP %q, role %q) may not call %s: %s", e.MSPID, e.Role, e.Function, e.Reason)
}

// Unwrap returns ErrDenied.
func (e *DeniedError) Unwrap() error { return ErrDenied }

// ErrorRule implements ccerror.RuleReporter: the denial's rule is the
// function's access policy.
func (e *DeniedError) ErrorRule() string { return "access-policy" }

// Authorize admits c to function or returns a *DeniedError.
func (p Policy) Authorize(function string, c Caller) error {
	deny := func(reason string) error {
		return &DeniedError{Function: function, MSPID: c.MSPID, Role: c.Role(), Reason: reason}
	}
	rule, ok := p[function]
	if !ok {
		return deny("function has no access rule")
	}
	if rule.Write && c.MSPID == RegulatorMSP {
		return deny("the regulator has read-only access")
	}
	for _, g := range rule.Roles {
		if g.admits(c) {
			return nil
		}
	}
	return deny("no grant admits this organisation and role")
}

// ErrPolicy reports a malformed policy table.
var ErrPolicy = errors.New("access policy")

// Reads lists, sorted, the functions whose rule is not a write. A contract
// returns them from GetEvaluateTransactions, so its metadata tags them
// "evaluate" and clients (the gateway, a read-only regulator's included)
// evaluate them instead of submitting them: the table that says who may
// write is also the one place that says what writes.
func (p Policy) Reads() []string {
	var names []string
	for name, rule := range p {
		if !rule.Write {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Validate checks the table itself, for a contract's unit tests: every rule
// has grants, every grant names an organisation and a role, and no write
// rule grants RegulatorMSP (Authorize would ignore it, but the table would
// mislead its readers). Problems are reported in function-name order.
func (p Policy) Validate() error {
	names := make([]string, 0, len(p))
	for name := range p {
		names = append(names, name)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		rule := p[name]
		if len(rule.Roles) == 0 {
			errs = append(errs, fmt.Errorf("%w: %s: no grants, nobody can call it", ErrPolicy, name))
		}
		for i, g := range rule.Roles {
			if g.MSPID == "" || g.Role == "" {
				errs = append(errs, fmt.Errorf("%w: %s: grant %d: MSP ID and role are required (use %q for any)", ErrPolicy, name, i, AnyRole))
			}
			if rule.Write && g.MSPID == RegulatorMSP {
				errs = append(errs, fmt.Errorf("%w: %s: write rule grants %s", ErrPolicy, name, RegulatorMSP))
			}
		}
	}
	return errors.Join(errs...)
}
