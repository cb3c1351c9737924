package contract

import (
	"fmt"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/benefits"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// DisbursementInput is the argument of Disburse. Account is the keyed hash
// of the payout account (benefits.HashPayoutAccount at the gateway).
type DisbursementInput struct {
	Entitlement string               `json:"entitlement"`
	Period      string               `json:"period"`
	Account     benefits.AccountHash `json:"account"`
}

// FraudFlagRecord is the latest shared-account flag raised on an account.
type FraudFlagRecord struct {
	benefits.FraudFlag
	RaisedAt     time.Time `json:"raisedAt"`
	Disbursement string    `json:"disbursement"` // the payment that raised it
	Entitlement  string    `json:"entitlement"`
}

// DisbursementPage is a page of disbursements.
type DisbursementPage struct {
	ledger.Page[benefits.Disbursement]
}

// Disburse records a payment for one period of an entitlement. Only the
// programme's agency pays, and each period once. When the payout account has
// now been paid to more distinct subjects than the configured limit, a fraud
// flag is stored and carried in the event; the payment itself stands.
func (c *Contract) Disburse(ctx *txn.Context, input string) (*benefits.Disbursement, error) {
	d, err := c.disburse(ctx, input)
	return d, ccerror.From(err)
}

func (c *Contract) disburse(ctx *txn.Context, input string) (*benefits.Disbursement, error) {
	var in DisbursementInput
	if err := validate.DecodeJSON("input", input, &in); err != nil {
		return nil, err
	}
	caller, err := callerAgency(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	e, err := getEntitlement(stub, in.Entitlement)
	if err != nil {
		return nil, err
	}
	p, err := getProgramme(stub, e.ProgrammeID)
	if err != nil {
		return nil, err
	}
	if err := requireAgency(caller, p.Agency, "programme "+p.ID); err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	d, err := e.Disburse(stub.GetTxID(), in.Period, in.Account, caller.Agency(), now)
	if err != nil {
		return nil, err
	}
	key, err := ledger.Key(objDisbursement, e.ID, d.Period)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, key, d); err != nil {
		return nil, err
	}
	if err := put(stub, objEntitlement, e.ID, e); err != nil {
		return nil, err
	}
	if err := releaseGroup(stub, e); err != nil {
		return nil, err
	}
	flag, err := c.checkAccount(stub, d, now)
	if err != nil {
		return nil, err
	}
	data := map[string]any{
		"entitlement": e.ID, "subject": e.Subject, "period": d.Period, "amount": d.Amount,
		"entitlementStatus": e.Status,
	}
	rule := ""
	if flag != nil {
		data["redFlags"] = []any{flag}
		rule = "shared-payout-account"
	}
	return d, ctx.Emit("disbursement", d.ID, "paid", rule, data)
}

// checkAccount records that d's subject was paid into d's account and
// raises a flag when the account now serves more subjects than the limit.
// It reads at most limit+1 payout entries, so the cost does not grow with
// the number of subjects on an account.
func (c *Contract) checkAccount(stub shim.ChaincodeStubInterface, d *benefits.Disbursement, now time.Time) (*benefits.FraudFlag, error) {
	marker, err := ledger.Key(objPayout, string(d.Account), string(d.Subject))
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, marker, payoutMarker{Subject: d.Subject}); err != nil {
		return nil, err
	}
	limit := c.cfg.MaxSubjectsPerAccount
	it, err := stub.GetStateByPartialCompositeKey(objPayout, []string{string(d.Account)})
	if err != nil {
		return nil, fmt.Errorf("payout entries of an account: %w", err)
	}
	defer it.Close()
	// Reads see committed state only, so the subject paid now is counted
	// separately unless an earlier payment already recorded it.
	seen, others := false, 0
	for it.HasNext() && others <= limit {
		kv, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("payout entries of an account: %w", err)
		}
		_, attrs, err := ledger.SplitKey(kv.GetKey())
		if err != nil {
			return nil, err
		}
		if len(attrs) == 2 && attrs[1] == string(d.Subject) {
			seen = true
			continue
		}
		others++
	}
	subjects := others
	if !seen {
		subjects++
	}
	subjects = min(subjects, limit+1)
	flag := benefits.CheckSharedAccount(d.Account, subjects, limit)
	if flag == nil {
		return nil, nil
	}
	rec := FraudFlagRecord{FraudFlag: *flag, RaisedAt: now, Disbursement: d.ID, Entitlement: d.Entitlement}
	if err := put(stub, objFraudFlag, string(d.Account), rec); err != nil {
		return nil, err
	}
	return flag, nil
}

// ListDisbursements pages through an entitlement's payments, by period.
func (c *Contract) ListDisbursements(ctx *txn.Context, entitlementID string, size int32, bookmark string) (*DisbursementPage, error) {
	if err := identity.ValidateID("entitlementId", entitlementID); err != nil {
		return nil, ccerror.From(err)
	}
	p, err := ledger.List[benefits.Disbursement](ctx.GetStub(), objDisbursement, []string{entitlementID},
		ledger.PageRequest{Size: size, Bookmark: bookmark})
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &DisbursementPage{p}, nil
}

// GetFraudFlag returns the latest flag raised on a payout account.
func (c *Contract) GetFraudFlag(ctx *txn.Context, account string) (*FraudFlagRecord, error) {
	if err := benefits.AccountHash(account).Validate("account"); err != nil {
		return nil, ccerror.From(err)
	}
	key, err := ledger.Key(objFraudFlag, account)
	if err != nil {
		return nil, ccerror.From(err)
	}
	rec, err := ledger.Get[FraudFlagRecord](ctx.GetStub(), key)
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &rec, nil
}
