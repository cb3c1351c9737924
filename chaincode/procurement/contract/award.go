package contract

import (
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/govledger/govledger/chaincode/procurement"
)

// Award ranks the opened bids and awards the tender. supplierID "" awards
// the top-ranked bid; naming another ranked bidder needs a justification and
// raises an awardNotTopRanked red flag. Direct awards are checked for
// contract splitting against the buyer's earlier direct awards.
func (c *Contract) Award(ctx *txn.Context, tenderID, supplierID, justification string) (*procurement.Award, error) {
	if supplierID != "" {
		if err := validate.ID("supplierId", supplierID); err != nil {
			return done[procurement.Award](nil, err)
		}
	}
	var a *procurement.Award
	x, t, flags, err := c.buyerChange(ctx, tenderID, func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error) {
		opening, err := x.openIfDue(t)
		if err != nil {
			return nil, err
		}
		if _, err := procurement.NextStatus(t.Status, procurement.ActionAward); err != nil {
			return nil, err
		}
		in := procurement.AwardInput{SupplierID: supplierID, Justification: justification}
		if in.Bids, err = all[procurement.Bid](x.stub, objBid, t.ID); err != nil {
			return nil, err
		}
		if in.Declarations, err = all[procurement.ConflictDeclaration](x.stub, objDeclaration, t.ID); err != nil {
			return nil, err
		}
		if in.Scores, err = all[procurement.Score](x.stub, objScore, t.ID); err != nil {
			return nil, err
		}
		if t.Method == procurement.MethodDirect {
			for _, s := range t.Opening.Bidders {
				prior, err := x.priorDirectAwards(c.cfg, t.Buyer.ID, s)
				if err != nil {
					return nil, err
				}
				in.PriorDirectAwards = append(in.PriorDirectAwards, prior...)
			}
		}
		var flags []procurement.RedFlag
		if a, flags, err = procurement.MakeAward(c.cfg, t, in, x.now); err != nil {
			return nil, err
		}
		if rec, ok := t.DirectAwardRecord(); ok {
			key, err := directAwardKey(rec)
			if err != nil {
				return nil, err
			}
			if err := ledger.Put(x.stub, key, rec); err != nil {
				return nil, err
			}
		}
		return append(opening, flags...), nil
	})
	if err == nil {
		err = x.emit(entityTender, t.ID, "awarded", t, eventData{SupplierID: a.SupplierID, Amount: &a.Value}, flags)
	}
	return done(a, err)
}

// FileChallenge records a challenge by supplierID, the caller's own
// supplier and an unsuccessful bidder, to the award in force.
func (c *Contract) FileChallenge(ctx *txn.Context, tenderID, supplierID, grounds string) (*procurement.Challenge, error) {
	return done(c.fileChallenge(ctx, tenderID, supplierID, grounds))
}

func (c *Contract) fileChallenge(ctx *txn.Context, tenderID, supplierID, grounds string) (*procurement.Challenge, error) {
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
	was := t.Status
	ch, err := procurement.FileChallenge(t, supplierID, grounds, x.now)
	if err != nil {
		return nil, err
	}
	if err := x.saveTender(t, was); err != nil {
		return nil, err
	}
	return ch, x.emit(entityChallenge, ch.ID, "filed", t, eventData{SupplierID: supplierID}, nil)
}

// ResolveChallenge records the buyer's outcome ("upheld" or "dismissed")
// for a challenge. Upholding cancels the award and returns the tender to
// evaluation.
func (c *Contract) ResolveChallenge(ctx *txn.Context, tenderID, challengeID, outcome, resolution string) (*procurement.Challenge, error) {
	var ch *procurement.Challenge
	x, t, _, err := c.buyerChange(ctx, tenderID, func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error) {
		rec, direct := t.DirectAwardRecord()
		var err error
		if ch, err = procurement.ResolveChallenge(t, challengeID, procurement.ChallengeOutcome(outcome), resolution, x.now); err != nil {
			return nil, err
		}
		if direct && ch.Status == procurement.ChallengeUpheld {
			// A cancelled award no longer counts towards contract splitting.
			key, err := directAwardKey(rec)
			if err != nil {
				return nil, err
			}
			return nil, ledger.Delete(x.stub, key)
		}
		return nil, nil
	})
	if err == nil {
		err = x.emit(entityChallenge, ch.ID, "resolved", t, eventData{SupplierID: ch.SupplierID, Outcome: outcome}, nil)
	}
	return done(ch, err)
}

// SignContract signs the contract for the award in force with its
// milestones (a JSON array of procurement.MilestoneInput) once the
// standstill and challenge windows are over and no challenge is open.
func (c *Contract) SignContract(ctx *txn.Context, tenderID, milestones string) (*procurement.Contract, error) {
	var in []procurement.MilestoneInput
	if err := validate.DecodeJSON("milestones", milestones, &in); err != nil {
		return done[procurement.Contract](nil, err)
	}
	var k *procurement.Contract
	x, t, _, err := c.buyerChange(ctx, tenderID, func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error) {
		var err error
		k, err = procurement.SignContract(c.cfg, t, in, x.now)
		return nil, err
	})
	if err == nil {
		err = x.emit(entityContract, k.ID, "signed", t, eventData{SupplierID: k.SupplierID, Amount: &k.Value}, nil)
	}
	return done(k, err)
}
