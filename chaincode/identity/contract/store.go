package contract

import (
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
)

// Object types of primary keys.
const (
	objIssuer       = "issuer"       // agency
	objAttestation  = "attestation"  // id
	objStatusIndex  = "statusindex"  // issuer, index: which attestation holds a status-list bit
	objStatusChunk  = "statuschunk"  // issuer, chunk
	objConsent      = "consent"      // id
	objConsentScope = "consentscope" // subject, grantee, kind, purpose: the consent currently in force
	objAccess       = "access"       // subject, time, txId, attestation
)

// Secondary indexes.
var (
	attestationsByIssuer = ledger.Index{Name: "attestation~issuer~id", Attrs: []string{"issuer", "id"}}
	consentsBySubject    = ledger.Index{Name: "consent~subject~id", Attrs: []string{"subject", "id"}}
)

// timeLayout renders times so that key byte order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func timeAttr(t time.Time) string { return t.UTC().Format(timeLayout) }

// numberAttr renders a number so that key byte order is numeric order.
func numberAttr(n uint32) string { return fmt.Sprintf("%010d", n) }

// statusSlot is the value of a statusindex key.
type statusSlot struct {
	Attestation string `json:"attestation"`
}

// scopePointer is the value of a consentscope key. Looking consent up by
// scope is a point read, so AccessAttestation needs no range query and the
// scope key joins the read set: a concurrent revocation invalidates the access.
type scopePointer struct {
	Consent string `json:"consent"`
}

func issuerKey(agency string) (string, error) { return ledger.Key(objIssuer, agency) }

func getIssuer(stub shim.ChaincodeStubInterface, agency string) (*identity.Issuer, error) {
	if err := identity.ValidateAgency("agency", agency); err != nil {
		return nil, err
	}
	key, err := issuerKey(agency)
	if err != nil {
		return nil, err
	}
	iss, err := ledger.Get[identity.Issuer](stub, key)
	if err != nil {
		return nil, err
	}
	return &iss, nil
}

func getAttestation(stub shim.ChaincodeStubInterface, id string) (*identity.Attestation, error) {
	if err := identity.ValidateID("id", id); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objAttestation, id)
	if err != nil {
		return nil, err
	}
	a, err := ledger.Get[identity.Attestation](stub, key)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func getConsent(stub shim.ChaincodeStubInterface, id string) (*identity.Consent, error) {
	if err := identity.ValidateID("id", id); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objConsent, id)
	if err != nil {
		return nil, err
	}
	c, err := ledger.Get[identity.Consent](stub, key)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// statusChunk reads the chunk holding index, or a fresh one if no bit in it
// was ever set.
func statusChunk(stub shim.ChaincodeStubInterface, issuer string, index uint32) (*identity.StatusChunk, string, error) {
	chunk, _ := identity.StatusLocation(index)
	key, err := ledger.Key(objStatusChunk, issuer, numberAttr(chunk))
	if err != nil {
		return nil, "", err
	}
	c, err := ledger.Get[identity.StatusChunk](stub, key)
	if errors.Is(err, ledger.ErrNotFound) {
		return identity.NewStatusChunk(issuer, chunk), key, nil
	}
	if err != nil {
		return nil, "", err
	}
	return &c, key, nil
}

// revoked reports whether a's bit is set in its issuer's status list.
func revoked(stub shim.ChaincodeStubInterface, a *identity.Attestation) (bool, error) {
	c, _, err := statusChunk(stub, a.Issuer, a.CredentialStatus.Index)
	if err != nil {
		return false, err
	}
	return c.Revoked(a.CredentialStatus.Index)
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
