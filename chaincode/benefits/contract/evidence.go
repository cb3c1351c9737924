package contract

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	idcontract "github.com/govledger/govledger/chaincode/identity/contract"
)

// TransientEvidence is the transient-map key of an application's evidence.
const TransientEvidence = "evidence"

// EvidenceInput names one attestation and discloses the claims of it the
// programme reads. It travels in the transient map under TransientEvidence
// as a JSON array, because disclosures are personal data.
type EvidenceInput struct {
	Attestation string                `json:"attestation"`
	Disclosures []benefits.Disclosure `json:"disclosures"`
}

// errIdentity marks an identity chaincode that answered with something other
// than a classified error or the attestation asked for: a deployment fault.
var errIdentity = errors.New("identity chaincode")

// gather reads each cited attestation through the identity chaincode, which
// checks consent and records the access, and pairs it with its disclosures.
func (c *Contract) gather(stub shim.ChaincodeStubInterface, p *benefits.Programme, items []EvidenceInput) ([]benefits.Evidence, error) {
	if len(items) > benefits.MaxEvidence {
		return nil, &identity.FieldError{Field: "transient.evidence", Rule: fmt.Sprintf("must cite at most %d attestations", benefits.MaxEvidence)}
	}
	out := make([]benefits.Evidence, 0, len(items))
	for i, it := range items {
		field := fmt.Sprintf("transient.evidence[%d]", i)
		if err := identity.ValidateID(field+".attestation", it.Attestation); err != nil {
			return nil, err
		}
		acc, err := c.access(stub, it.Attestation, p.Purpose)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		out = append(out, benefits.Evidence{
			Attestation: &acc.Attestation, Issuer: &acc.Issuer, Revoked: acc.Revoked, Disclosures: it.Disclosures,
		})
	}
	return out, nil
}

// access calls the identity chaincode's AccessAttestation in this
// transaction, as this transaction's creator.
func (c *Contract) access(stub shim.ChaincodeStubInterface, attestationID, purpose string) (*idcontract.AttestationAccess, error) {
	resp := stub.InvokeChaincode(c.cfg.IdentityChaincode,
		[][]byte{[]byte(c.cfg.AccessFunction), []byte(attestationID), []byte(purpose)}, "")
	if resp.GetStatus() >= shim.ERRORTHRESHOLD {
		if ce, ok := ccerror.Parse(resp.GetMessage()); ok {
			// Keep the identity chaincode's classification, e.g. a consent
			// refusal stays PERMISSION_DENIED.
			return nil, ce
		}
		return nil, fmt.Errorf("%w %s: status %d: %s", errIdentity, c.cfg.IdentityChaincode, resp.GetStatus(), resp.GetMessage())
	}
	var acc idcontract.AttestationAccess
	if err := json.Unmarshal(resp.GetPayload(), &acc); err != nil || acc.Attestation.ID != attestationID {
		return nil, fmt.Errorf("%w %s did not return attestation %s", errIdentity, c.cfg.IdentityChaincode, attestationID)
	}
	if err := acc.Attestation.Validate(); err != nil {
		// The validation error is not wrapped: it would classify the fault
		// as the client's INVALID_ARGUMENT, where it is the deployment's.
		return nil, fmt.Errorf("%w %s returned a malformed attestation %s: %v", errIdentity, c.cfg.IdentityChaincode, attestationID, err) //nolint:errorlint // not wrapped on purpose, see above
	}
	return &acc, nil
}
