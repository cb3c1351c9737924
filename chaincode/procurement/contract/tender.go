package contract

import (
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/govledger/govledger/chaincode/procurement"
)

// done converts a failure into the wire error every function returns.
func done[T any](v *T, err error) (*T, error) {
	if err != nil {
		return nil, ccerror.From(err)
	}
	return v, nil
}

// CreateTender records a tender in planning from a procurement.TenderDraft
// (JSON). buyer.id defaults to, and must equal, the caller's agency.
func (c *Contract) CreateTender(ctx *txn.Context, draft string) (*procurement.Tender, error) {
	return done(c.createTender(ctx, draft))
}

func (c *Contract) createTender(ctx *txn.Context, raw string) (*procurement.Tender, error) {
	x, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	var d procurement.TenderDraft
	if err := validate.DecodeJSON("draft", raw, &d); err != nil {
		return nil, err
	}
	if d.Buyer.ID == "" {
		d.Buyer.ID = x.caller.Agency()
	}
	t, err := procurement.NewTender(c.cfg, d, x.now)
	if err != nil {
		return nil, err
	}
	if err := t.CheckBuyer(x.caller.Agency()); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objTender, t.ID)
	if err != nil {
		return nil, err
	}
	if err := ledger.Create(x.stub, key, t); err != nil {
		return nil, err
	}
	if err := byBuyer.Put(x.stub, t.Buyer.ID, t.ID); err != nil {
		return nil, err
	}
	if err := byStatus.Put(x.stub, string(t.Status), t.ID); err != nil {
		return nil, err
	}
	return t, x.emit(entityTender, t.ID, "created", t, eventData{}, nil)
}

// buyerChange loads a tender, admits only its buyer agency, applies change
// and saves the tender.
func (c *Contract) buyerChange(ctx *txn.Context, tenderID string,
	change func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error)) (*tx, *procurement.Tender, []procurement.RedFlag, error) {
	x, err := begin(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := x.loadTender(tenderID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := t.CheckBuyer(x.caller.Agency()); err != nil {
		return nil, nil, nil, err
	}
	was := t.Status
	flags, err := change(x, t)
	if err != nil {
		return nil, nil, nil, err
	}
	return x, t, flags, x.saveTender(t, was)
}

// PublishTender publishes a tender in planning and locks its criteria. A
// tender period below the legal minimum raises a shortTenderPeriod red flag
// on the event.
func (c *Contract) PublishTender(ctx *txn.Context, tenderID string) (*procurement.Tender, error) {
	x, t, flags, err := c.buyerChange(ctx, tenderID, func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error) {
		return procurement.Publish(c.cfg, t, x.now)
	})
	if err == nil {
		err = x.emit(entityTender, t.ID, "published", t, eventData{}, flags)
	}
	return done(t, err)
}

// AmendTender replaces an active tender's notice with draft (a full
// procurement.TenderDraft as JSON) for the stated rationale. Criteria stay
// locked; the submission deadline is extended when too little time would
// remain.
func (c *Contract) AmendTender(ctx *txn.Context, tenderID, draft, rationale string) (*procurement.Tender, error) {
	var d procurement.TenderDraft
	if err := validate.DecodeJSON("draft", draft, &d); err != nil {
		return done[procurement.Tender](nil, err)
	}
	var amendment *procurement.Amendment
	x, t, _, err := c.buyerChange(ctx, tenderID, func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error) {
		if d.Buyer.ID == "" {
			d.Buyer.ID = t.Buyer.ID
		}
		var err error
		amendment, err = procurement.Amend(c.cfg, t, d, rationale, x.now)
		return nil, err
	})
	if err == nil {
		err = x.emit(entityTender, t.ID, "amended", t, eventData{Version: amendment.Version}, nil)
	}
	return done(t, err)
}

// AssignEvaluators sets the evaluation panel from a JSON array of evaluator
// ids: the common names of the evaluators' certificates.
func (c *Contract) AssignEvaluators(ctx *txn.Context, tenderID, evaluatorIDs string) (*procurement.Tender, error) {
	var ids []string
	if err := validate.DecodeJSON("evaluatorIds", evaluatorIDs, &ids); err != nil {
		return done[procurement.Tender](nil, err)
	}
	x, t, _, err := c.buyerChange(ctx, tenderID, func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error) {
		return nil, procurement.AssignEvaluators(c.cfg, t, ids, x.now)
	})
	if err == nil {
		err = x.emit(entityTender, t.ID, "evaluators-assigned", t, eventData{}, nil)
	}
	return done(t, err)
}

// OpenBids opens the bids once the reveal period is over. The first
// declaration, score or award opens them anyway; this lets the buyer open
// them explicitly (a single bid raises a singleBid red flag; no revealed
// bid makes the tender unsuccessful).
func (c *Contract) OpenBids(ctx *txn.Context, tenderID string) (*procurement.Tender, error) {
	x, t, flags, err := c.buyerChange(ctx, tenderID, func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error) {
		if _, err := procurement.NextStatus(t.Status, procurement.ActionOpenBids); err != nil {
			return nil, err
		}
		bids, err := all[procurement.Bid](x.stub, objBid, t.ID)
		if err != nil {
			return nil, err
		}
		return procurement.OpenBids(t, bids, x.now)
	})
	if err == nil {
		err = x.emit(entityTender, t.ID, "opened", t, eventData{}, flags)
	}
	return done(t, err)
}
