package contract

import (
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// CreateAlertRule creates a rule from a health.RuleInput as JSON.
func (c *Contract) CreateAlertRule(ctx *txn.Context, input string) (*health.Rule, error) {
	r, err := createAlertRule(ctx, input)
	return r, ccerror.From(err)
}

func createAlertRule(ctx *txn.Context, input string) (*health.Rule, error) {
	stub := ctx.GetStub()
	var in health.RuleInput
	if err := validate.DecodeJSON("input", input, &in); err != nil {
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
	r, err := health.NewRule(in, a.actor(), now)
	if err != nil {
		return nil, err
	}
	existing, err := indexEntries(stub, rulesByCell, []string{r.Condition, r.Region}, MaxRulesPerCell)
	if err != nil {
		return nil, err
	}
	if len(existing) >= MaxRulesPerCell {
		return nil, ccerror.Precondition("rule-limit",
			"a condition and region may have at most 10 rules; every report in the cell evaluates them")
	}
	key, err := ledger.Key(objRule, r.ID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(stub, key, r); err != nil {
		return nil, err
	}
	if err := rulesByCell.Put(stub, r.Condition, r.Region, r.ID); err != nil {
		return nil, err
	}
	return &r, ctx.Emit("alertrule", r.ID, "created", "", r)
}

// UpdateAlertRule changes a rule's threshold, floor or enabled flag from a
// health.RuleInput as JSON naming the rule's unchanged condition, region and
// method.
func (c *Contract) UpdateAlertRule(ctx *txn.Context, input string) (*health.Rule, error) {
	r, err := updateAlertRule(ctx, input)
	return r, ccerror.From(err)
}

func updateAlertRule(ctx *txn.Context, input string) (*health.Rule, error) {
	stub := ctx.GetStub()
	var in health.RuleInput
	if err := validate.DecodeJSON("input", input, &in); err != nil {
		return nil, err
	}
	before, key, err := getRule(stub, in.ID)
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
	after, err := before.Update(in, a.actor(), now)
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(stub, key, after); err != nil {
		return nil, err
	}
	return &after, ctx.Emit("alertrule", after.ID, "updated", "", after)
}

// DeleteAlertRule removes a rule. Alerts it raised stay.
func (c *Contract) DeleteAlertRule(ctx *txn.Context, ruleID string) error {
	return ccerror.From(deleteAlertRule(ctx, ruleID))
}

func deleteAlertRule(ctx *txn.Context, ruleID string) error {
	stub := ctx.GetStub()
	r, key, err := getRule(stub, ruleID)
	if err != nil {
		return err
	}
	if err := ledger.Delete(stub, key); err != nil {
		return err
	}
	if err := rulesByCell.Delete(stub, r.Condition, r.Region, r.ID); err != nil {
		return err
	}
	return ctx.Emit("alertrule", r.ID, "deleted", "", nil)
}

// GetAlertRule returns a rule.
func (c *Contract) GetAlertRule(ctx *txn.Context, ruleID string) (*health.Rule, error) {
	r, _, err := getRule(ctx.GetStub(), ruleID)
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &r, nil
}

// RulePage is one page of alert rules.
type RulePage struct {
	ledger.Page[health.Rule]
}

// ListAlertRules lists the rules on condition ("" for all rules, by ID).
func (c *Contract) ListAlertRules(ctx *txn.Context, condition string, size int32, bookmark string) (*RulePage, error) {
	req := ledger.PageRequest{Size: size, Bookmark: bookmark}
	var (
		p   ledger.Page[health.Rule]
		err error
	)
	if condition == "" {
		p, err = ledger.List[health.Rule](ctx.GetStub(), objRule, nil, req)
	} else {
		if err := health.ValidateCondition("condition", condition); err != nil {
			return nil, ccerror.From(err)
		}
		p, err = ledger.ListIndex[health.Rule](ctx.GetStub(), rulesByCell, []string{condition}, req,
			func(v []string) (string, error) { return ledger.Key(objRule, v[2]) })
	}
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &RulePage{p}, nil
}
