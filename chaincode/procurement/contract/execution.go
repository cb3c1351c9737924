package contract

import (
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/govledger/govledger/chaincode/procurement"
)

// SubmitDeliverable records the contracted supplier's deliverable for a
// milestone: the document's SHA-256 and where it is published.
func (c *Contract) SubmitDeliverable(ctx *txn.Context, tenderID, milestoneID, supplierID, documentSha256, uri string) (*procurement.Milestone, error) {
	return done(c.submitDeliverable(ctx, tenderID, milestoneID, supplierID, documentSha256, uri))
}

func (c *Contract) submitDeliverable(ctx *txn.Context, tenderID, milestoneID, supplierID, documentSha256, uri string) (*procurement.Milestone, error) {
	x, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := validate.ID("milestoneId", milestoneID); err != nil {
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
	m, err := procurement.SubmitDeliverable(t, supplierID, milestoneID, documentSha256, uri, x.now)
	if err != nil {
		return nil, err
	}
	if err := x.saveTender(t, was); err != nil {
		return nil, err
	}
	return m, x.emit(entityDeliverable, t.Contract.ID+"/"+m.ID, "submitted", t,
		eventData{SupplierID: supplierID, MilestoneID: m.ID, Version: int64(len(m.Deliverables))}, nil)
}

// milestoneChange runs a buyer-agency action on a milestone and updates the
// supplier's performance record with record.
func (c *Contract) milestoneChange(ctx *txn.Context, tenderID, milestoneID string,
	act func(x *tx, t *procurement.Tender) (*procurement.Milestone, error),
	record func(p *procurement.Performance, m *procurement.Milestone, x *tx)) (*tx, *procurement.Tender, *procurement.Milestone, error) {
	if err := validate.ID("milestoneId", milestoneID); err != nil {
		return nil, nil, nil, err
	}
	var m *procurement.Milestone
	x, t, _, err := c.buyerChange(ctx, tenderID, func(x *tx, t *procurement.Tender) ([]procurement.RedFlag, error) {
		var err error
		if m, err = act(x, t); err != nil {
			return nil, err
		}
		p, key, err := performance(x.stub, t.Contract.SupplierID)
		if err != nil {
			return nil, err
		}
		record(&p, m, x)
		return nil, ledger.Put(x.stub, key, p)
	})
	return x, t, m, err
}

// AcceptDeliverable accepts a milestone's submitted deliverable and fixes
// the payment due after late-delivery penalties.
func (c *Contract) AcceptDeliverable(ctx *txn.Context, tenderID, milestoneID string) (*procurement.Milestone, error) {
	x, t, m, err := c.milestoneChange(ctx, tenderID, milestoneID,
		func(x *tx, t *procurement.Tender) (*procurement.Milestone, error) {
			return procurement.AcceptDeliverable(t, milestoneID, x.now)
		},
		func(p *procurement.Performance, m *procurement.Milestone, x *tx) { p.RecordAcceptance(*m, x.now) })
	if err == nil {
		err = x.emit(entityDeliverable, t.Contract.ID+"/"+m.ID, "accepted", t,
			eventData{SupplierID: t.Contract.SupplierID, MilestoneID: m.ID, Amount: &procurement.Money{Amount: m.PaymentDue, Currency: m.Amount.Currency}}, nil)
	}
	return done(m, err)
}

// RejectDeliverable rejects a milestone's submitted deliverable with a
// reason; the supplier may submit again.
func (c *Contract) RejectDeliverable(ctx *txn.Context, tenderID, milestoneID, reason string) (*procurement.Milestone, error) {
	x, t, m, err := c.milestoneChange(ctx, tenderID, milestoneID,
		func(x *tx, t *procurement.Tender) (*procurement.Milestone, error) {
			return procurement.RejectDeliverable(t, milestoneID, reason, x.now)
		},
		func(p *procurement.Performance, _ *procurement.Milestone, x *tx) { p.RecordRejection(x.now) })
	if err == nil {
		err = x.emit(entityDeliverable, t.Contract.ID+"/"+m.ID, "rejected", t,
			eventData{SupplierID: t.Contract.SupplierID, MilestoneID: m.ID}, nil)
	}
	return done(m, err)
}

// ReleasePayment records the release of an accepted milestone's payment by
// a finance officer of the buying agency, under the payment reference.
func (c *Contract) ReleasePayment(ctx *txn.Context, tenderID, milestoneID, reference string) (*procurement.Milestone, error) {
	x, t, m, err := c.milestoneChange(ctx, tenderID, milestoneID,
		func(x *tx, t *procurement.Tender) (*procurement.Milestone, error) {
			return procurement.ReleasePayment(t, milestoneID, reference, x.now)
		},
		func(p *procurement.Performance, m *procurement.Milestone, x *tx) { p.RecordPayment(*m.Payment, x.now) })
	if err == nil {
		err = x.emit(entityPayment, t.Contract.ID+"/"+m.ID, "released", t,
			eventData{SupplierID: t.Contract.SupplierID, MilestoneID: m.ID, Amount: &m.Payment.Amount}, nil)
	}
	return done(m, err)
}
