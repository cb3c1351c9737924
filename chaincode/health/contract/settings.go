package contract

import (
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// GetSettings returns the privacy policy in force (revision 0: the defaults).
func (c *Contract) GetSettings(ctx *txn.Context) (*health.Settings, error) {
	s, err := loadSettings(ctx.GetStub())
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &s, nil
}

// UpdateSettings replaces the privacy policy with a health.Config as JSON.
// Every field is required, the suppression list included ([] for none), so
// that omitting a field never silently clears it.
func (c *Contract) UpdateSettings(ctx *txn.Context, input string) (*health.Settings, error) {
	s, err := updateSettings(ctx, input)
	return s, ccerror.From(err)
}

func updateSettings(ctx *txn.Context, input string) (*health.Settings, error) {
	stub := ctx.GetStub()
	var cfg health.Config
	if err := validate.DecodeJSON("input", input, &cfg); err != nil {
		return nil, err
	}
	if cfg.SmallPopulationPrefixes == nil {
		return nil, validate.Fail("smallPopulationPrefixes", validate.RuleRequired, "must be listed; [] for none")
	}
	before, err := loadSettings(stub)
	if err != nil {
		return nil, err
	}
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	now, err := ctx.Now()
	if err != nil {
		return nil, err
	}
	after, err := before.Update(cfg, a.actor(), now)
	if err != nil {
		return nil, err
	}
	key, err := ledger.Key(objSettings, Name)
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, key, after); err != nil {
		return nil, err
	}
	return &after, ctx.Emit("settings", Name, "updated", "", after)
}
