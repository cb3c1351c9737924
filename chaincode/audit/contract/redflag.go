package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Errors of the cross-contract check.
var (
	// ErrTenderNotFound: the procurement contract has no tender with the red
	// flag's ID.
	ErrTenderNotFound = fmt.Errorf("tender: %w", ccerror.ErrNotFound)
	// ErrFlagNotRaised: the tender exists but does not carry the red flag, so
	// the flag is not the procurement contract's.
	ErrFlagNotRaised = fmt.Errorf("red flag not raised on the tender: %w", ccerror.ErrPrecondition)
	// ErrNotResponsible: the tender's buyer is not the engagement's agency.
	ErrNotResponsible = fmt.Errorf("tender bought by another agency: %w", ccerror.ErrPrecondition)
	// ErrProcurement: the procurement chaincode failed or answered with
	// something that is not a tender.
	ErrProcurement = fmt.Errorf("procurement chaincode")
)

// tenderView is the part of the procurement contract's tender that the check
// reads; other fields are ignored.
type tenderView struct {
	ID    string `json:"id"`
	Buyer struct {
		ID string `json:"id"` // the buyer's agency code
	} `json:"buyer"`
	RedFlags []tenderFlag `json:"redFlags"`
}

type tenderFlag struct {
	Kind     string `json:"kind"`
	TenderID string `json:"tenderId"`
}

// OpenRequestFromRedFlag turns a procurement red flag into a request on the
// engagement's agency. flag is an audit.RedFlag as JSON ({"entity":"tender",
// "id":..., "kind":...}, i.e. tenderId and kind of a flag in a procurement
// event's Data.redFlags); the rule table for its kind decides subject, detail
// and due date, and the request ID derives from the flag, so one flag opens at
// most one request per engagement. The tender must exist in the procurement
// chaincode on this channel, carry the flag, and have been bought by the
// engagement's agency (its buyer.id is the buyer's agency code).
func (c *Contract) OpenRequestFromRedFlag(ctx *txn.Context, engagementID, flag string) (*audit.Request, error) {
	return done(openRequestFromRedFlag(ctx, c.cfg, engagementID, flag))
}

func openRequestFromRedFlag(ctx *txn.Context, cfg Config, engagementID, raw string) (audit.Request, error) {
	var flag audit.RedFlag
	if err := validate.DecodeJSON("flag", raw, &flag); err != nil {
		return audit.Request{}, err
	}
	r, err := createRequest(ctx, engagementID, func(e audit.Engagement, now time.Time) (audit.RequestSpec, error) {
		spec, err := audit.RequestFromRedFlag(flag, now)
		if err != nil {
			return audit.RequestSpec{}, err
		}
		// Refuse before the cross-contract call when the engagement cannot
		// take the request anyway.
		if err := e.Accepts(audit.ActionIssueRequest); err != nil {
			return audit.RequestSpec{}, err
		}
		return spec, checkTender(ctx.GetStub(), cfg, flag, e.Agency)
	})
	if err != nil {
		return audit.Request{}, err
	}
	return r, emitRequest(ctx, "issued", flag.Kind, r, requestEvent{Origin: r.Origin})
}

// checkTender asks the procurement chaincode for the flagged tender. The call
// runs in this transaction, so the tender's key joins its read set: if the
// tender changes before commit, the request is invalidated with it.
func checkTender(stub shim.ChaincodeStubInterface, cfg Config, flag audit.RedFlag, agency audit.Agency) error {
	resp := stub.InvokeChaincode(cfg.ProcurementChaincode, [][]byte{[]byte(cfg.GetTenderFunction), []byte(flag.ID)}, "")
	if resp.GetStatus() >= shim.ERRORTHRESHOLD {
		if ce, ok := ccerror.Parse(resp.GetMessage()); ok {
			if ce.Code == ccerror.NotFound {
				return fmt.Errorf("%w: %s", ErrTenderNotFound, flag.ID)
			}
			// Keep procurement's own classification, e.g. PERMISSION_DENIED.
			return fmt.Errorf("%w %s: %w", ErrProcurement, cfg.ProcurementChaincode, ce)
		}
		return fmt.Errorf("%w: %s %s: status %d: %s", ErrProcurement, cfg.ProcurementChaincode, cfg.GetTenderFunction, resp.GetStatus(), resp.GetMessage())
	}
	var t tenderView
	if err := json.Unmarshal(resp.GetPayload(), &t); err != nil || t.ID != flag.ID {
		return fmt.Errorf("%w: %s %s did not return tender %s", ErrProcurement, cfg.ProcurementChaincode, cfg.GetTenderFunction, flag.ID)
	}
	raised := slices.ContainsFunc(t.RedFlags, func(f tenderFlag) bool {
		return f.Kind == flag.Kind && (f.TenderID == "" || f.TenderID == flag.ID)
	})
	if !raised {
		return fmt.Errorf("%w: tender %s has no %s red flag", ErrFlagNotRaised, flag.ID, flag.Kind)
	}
	if t.Buyer.ID != agency.Code {
		return fmt.Errorf("%w: tender %s was bought by %s, the engagement audits %s", ErrNotResponsible, flag.ID, t.Buyer.ID, agency.Code)
	}
	return nil
}
