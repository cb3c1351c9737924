package contract

import (
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/govledger/govledger/chaincode/procurement"
)

// SubmitBidCommitment records (or replaces, raising its version) the sealed
// commitment of supplierID, the caller's own supplier, before the
// submission deadline. commitment is procurement.BidContent.Commitment of
// the bid the supplier keeps until the reveal.
func (c *Contract) SubmitBidCommitment(ctx *txn.Context, tenderID, supplierID, commitment string) (*procurement.Bid, error) {
	return done(c.submitBidCommitment(ctx, tenderID, supplierID, commitment))
}

func (c *Contract) submitBidCommitment(ctx *txn.Context, tenderID, supplierID, commitment string) (*procurement.Bid, error) {
	x, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := x.actAs(supplierID); err != nil {
		return nil, err
	}
	t, err := x.loadTender(tenderID)
	if err != nil {
		return nil, err
	}
	key, err := ledger.Key(objBid, t.ID, supplierID)
	if err != nil {
		return nil, err
	}
	prev, err := getOptional[procurement.Bid](x.stub, key)
	if err != nil {
		return nil, err
	}
	b, err := procurement.CommitBid(t, prev, supplierID, commitment, x.now)
	if err != nil {
		return nil, err
	}
	if err := ledger.Put(x.stub, key, b); err != nil {
		return nil, err
	}
	if prev == nil {
		if err := bySupplier.Put(x.stub, supplierID, t.ID); err != nil {
			return nil, err
		}
	}
	return b, x.emit(entityBid, t.ID+"/"+supplierID, "committed", t, eventData{SupplierID: supplierID, Version: b.Version}, nil)
}

// RevealBid opens the caller's sealed bid with its content (a
// procurement.BidContent as JSON) between the submission deadline and the
// reveal end. The content must hash to the commitment.
func (c *Contract) RevealBid(ctx *txn.Context, tenderID, content string) (*procurement.Bid, error) {
	return done(c.revealBid(ctx, tenderID, content))
}

func (c *Contract) revealBid(ctx *txn.Context, tenderID, raw string) (*procurement.Bid, error) {
	x, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	var in procurement.BidContent
	if err := validate.DecodeJSON("content", raw, &in); err != nil {
		return nil, err
	}
	if err := x.actAs(in.SupplierID); err != nil {
		return nil, err
	}
	t, err := x.loadTender(tenderID)
	if err != nil {
		return nil, err
	}
	key, err := ledger.Key(objBid, t.ID, in.SupplierID)
	if err != nil {
		return nil, err
	}
	b, err := ledger.Get[procurement.Bid](x.stub, key)
	if err != nil {
		return nil, err
	}
	if err := procurement.RevealBid(t, &b, in, x.now); err != nil {
		return nil, err
	}
	if err := ledger.Put(x.stub, key, b); err != nil {
		return nil, err
	}
	return &b, x.emit(entityBid, t.ID+"/"+in.SupplierID, "revealed", t, eventData{SupplierID: in.SupplierID, Version: b.Version}, nil)
}

// evaluatorChange runs an evaluator's action: it opens the bids first when
// they are due, and saves the tender only when the opening changed it.
func (c *Contract) evaluatorChange(ctx *txn.Context, tenderID string,
	act func(x *tx, t *procurement.Tender, evaluatorID string) error) (*tx, *procurement.Tender, []procurement.RedFlag, error) {
	x, err := begin(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := x.loadTender(tenderID)
	if err != nil {
		return nil, nil, nil, err
	}
	was, rev := t.Status, t.Revision
	flags, err := x.openIfDue(t)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := act(x, t, x.caller.Subject); err != nil {
		return nil, nil, nil, err
	}
	if t.Revision != rev {
		if err := x.saveTender(t, was); err != nil {
			return nil, nil, nil, err
		}
	}
	return x, t, flags, nil
}

// DeclareConflict files the calling evaluator's conflict-of-interest
// declaration (a procurement.DeclarationInput as JSON) after bid opening.
// The evaluator is identified by the common name of its certificate.
func (c *Contract) DeclareConflict(ctx *txn.Context, tenderID, declaration string) (*procurement.ConflictDeclaration, error) {
	var in procurement.DeclarationInput
	if err := validate.DecodeJSON("declaration", declaration, &in); err != nil {
		return done[procurement.ConflictDeclaration](nil, err)
	}
	var d *procurement.ConflictDeclaration
	x, t, flags, err := c.evaluatorChange(ctx, tenderID, func(x *tx, t *procurement.Tender, evaluatorID string) error {
		key, err := ledger.Key(objDeclaration, t.ID, evaluatorID)
		if err != nil {
			return err
		}
		prev, err := getOptional[procurement.ConflictDeclaration](x.stub, key)
		if err != nil {
			return err
		}
		if d, err = procurement.DeclareConflict(t, prev, evaluatorID, in, x.now); err != nil {
			return err
		}
		return ledger.Put(x.stub, key, d)
	})
	if err == nil {
		err = x.emit(entityDeclaration, t.ID+"/"+d.EvaluatorID, "filed", t,
			eventData{EvaluatorID: d.EvaluatorID, Version: d.Version}, flags)
	}
	return done(d, err)
}

// ScoreBid records the calling evaluator's points for supplierID's opened
// bid: a JSON array of procurement.CriterionScore covering every technical
// criterion.
func (c *Contract) ScoreBid(ctx *txn.Context, tenderID, supplierID, scores string) (*procurement.Score, error) {
	var in []procurement.CriterionScore
	if err := validate.All(validate.ID("supplierId", supplierID), validate.DecodeJSON("scores", scores, &in)); err != nil {
		return done[procurement.Score](nil, err)
	}
	var s *procurement.Score
	x, t, flags, err := c.evaluatorChange(ctx, tenderID, func(x *tx, t *procurement.Tender, evaluatorID string) error {
		declKey, err := ledger.Key(objDeclaration, t.ID, evaluatorID)
		if err != nil {
			return err
		}
		decl, err := getOptional[procurement.ConflictDeclaration](x.stub, declKey)
		if err != nil {
			return err
		}
		key, err := ledger.Key(objScore, t.ID, evaluatorID, supplierID)
		if err != nil {
			return err
		}
		prev, err := getOptional[procurement.Score](x.stub, key)
		if err != nil {
			return err
		}
		if s, err = procurement.ScoreBid(t, decl, prev, evaluatorID, supplierID, in, x.now); err != nil {
			return err
		}
		return ledger.Put(x.stub, key, s)
	})
	if err == nil {
		err = x.emit(entityBid, t.ID+"/"+supplierID, "scored", t,
			eventData{SupplierID: supplierID, EvaluatorID: s.EvaluatorID, Version: s.Version}, flags)
	}
	return done(s, err)
}
