package contract

import (
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
)

// Object types of primary keys.
const (
	objProgramme    = "programme"    // id: the current version
	objProgrammeVer = "programmever" // id, version: every version, immutable once superseded
	objApplication  = "application"  // id
	objEntitlement  = "entitlement"  // id
	objExclusive    = "exclusive"    // subject, group: the entitlement held in the group
	objDisbursement = "disbursement" // entitlement, period: at most one payment per period
	objPayout       = "payout"       // account, subject: who has been paid into an account
	objFraudFlag    = "fraudflag"    // account
	objAppeal       = "appeal"       // id
)

// Secondary indexes.
var (
	applicationsBySubject = ledger.Index{Name: "application~subject~id", Attrs: []string{"subject", "id"}}
	entitlementsBySubject = ledger.Index{Name: "entitlement~subject~id", Attrs: []string{"subject", "id"}}
	appealsByApplication  = ledger.Index{Name: "appeal~application~id", Attrs: []string{"application", "id"}}
)

// payoutMarker is the value of a payout key; the key is the information.
type payoutMarker struct {
	Subject identity.Subject `json:"subject"`
}

// exclusivePointer is the value of an exclusive key. Duplicate-benefit
// checks read this one key per subject and group: a point read, no range,
// and no key shared by different subjects.
type exclusivePointer struct {
	Entitlement string `json:"entitlement"`
}

func versionAttr(v uint32) string { return fmt.Sprintf("%010d", v) }

func get[T any](stub shim.ChaincodeStubInterface, field, id, objectType string) (*T, error) {
	if err := identity.ValidateID(field, id); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objectType, id)
	if err != nil {
		return nil, err
	}
	v, err := ledger.Get[T](stub, key)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func getProgramme(stub shim.ChaincodeStubInterface, id string) (*benefits.Programme, error) {
	return get[benefits.Programme](stub, "programmeId", id, objProgramme)
}

func getProgrammeVersion(stub shim.ChaincodeStubInterface, id string, version uint32) (*benefits.Programme, error) {
	if err := identity.ValidateID("programmeId", id); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objProgrammeVer, id, versionAttr(version))
	if err != nil {
		return nil, err
	}
	p, err := ledger.Get[benefits.Programme](stub, key)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// putProgramme writes p as the current version and as its own version record.
func putProgramme(stub shim.ChaincodeStubInterface, p *benefits.Programme) error {
	cur, err := ledger.Key(objProgramme, p.ID)
	if err != nil {
		return err
	}
	if err := ledger.Put(stub, cur, p); err != nil {
		return err
	}
	ver, err := ledger.Key(objProgrammeVer, p.ID, versionAttr(p.Version))
	if err != nil {
		return err
	}
	return ledger.Put(stub, ver, p)
}

func getApplication(stub shim.ChaincodeStubInterface, id string) (*benefits.Application, error) {
	return get[benefits.Application](stub, "applicationId", id, objApplication)
}

func getEntitlement(stub shim.ChaincodeStubInterface, id string) (*benefits.Entitlement, error) {
	return get[benefits.Entitlement](stub, "entitlementId", id, objEntitlement)
}

func getAppeal(stub shim.ChaincodeStubInterface, id string) (*benefits.Appeal, error) {
	return get[benefits.Appeal](stub, "appealId", id, objAppeal)
}

func put(stub shim.ChaincodeStubInterface, objectType, id string, v any) error {
	key, err := ledger.Key(objectType, id)
	if err != nil {
		return err
	}
	return ledger.Put(stub, key, v)
}

// heldInGroup returns the entitlement recorded for subject in group, or nil.
func heldInGroup(stub shim.ChaincodeStubInterface, subject identity.Subject, group string) (*benefits.Entitlement, error) {
	key, err := ledger.Key(objExclusive, string(subject), group)
	if err != nil {
		return nil, err
	}
	ptr, err := ledger.Get[exclusivePointer](stub, key)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return getEntitlement(stub, ptr.Entitlement)
}

// holdGroup records e as the subject's entitlement in its group.
func holdGroup(stub shim.ChaincodeStubInterface, e *benefits.Entitlement) error {
	key, err := ledger.Key(objExclusive, string(e.Subject), e.Group)
	if err != nil {
		return err
	}
	return ledger.Put(stub, key, exclusivePointer{Entitlement: e.ID})
}

// releaseGroup frees the subject's group when e has ended. Only the ended
// entitlement's own pointer is removed; reading it first keeps a concurrent
// grant in the same group from being erased.
func releaseGroup(stub shim.ChaincodeStubInterface, e *benefits.Entitlement) error {
	if e.Status != benefits.EntitlementEnded {
		return nil
	}
	key, err := ledger.Key(objExclusive, string(e.Subject), e.Group)
	if err != nil {
		return err
	}
	ptr, err := ledger.Get[exclusivePointer](stub, key)
	if errors.Is(err, ledger.ErrNotFound) || (err == nil && ptr.Entitlement != e.ID) {
		return nil
	}
	if err != nil {
		return err
	}
	return ledger.Delete(stub, key)
}

// callerAgency returns the caller and its agency attribute, which every
// write of this contract acts for. A certificate without one is refused.
func callerAgency(ctx *txn.Context) (access.Caller, error) {
	c, err := ctx.Caller()
	if err != nil {
		return c, err
	}
	if err := identity.ValidateAgency("agency", c.Agency()); err != nil {
		return c, ccerror.New(ccerror.PermissionDenied, "caller certificate has no valid agency attribute")
	}
	return c, nil
}

// requireAgency refuses a caller acting on a record another agency owns.
func requireAgency(caller access.Caller, owner, what string) error {
	if caller.Agency() != owner {
		return ccerror.New(ccerror.PermissionDenied, fmt.Sprintf("%s belongs to agency %s", what, owner))
	}
	return nil
}
