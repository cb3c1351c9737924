package contract

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/govledger/govledger/chaincode/procurement"
)

// TenderPage is one page of tenders. Bookmark is empty on the last page.
type TenderPage struct {
	ledger.Page[procurement.Tender]
}

// HistoryEntry is one change of a tender: the transaction, its timestamp
// and the tender as it was written.
type HistoryEntry struct {
	TxID      string              `json:"txId"`
	Timestamp time.Time           `json:"timestamp"`
	IsDelete  bool                `json:"isDelete"`
	Tender    *procurement.Tender `json:"tender,omitempty" metadata:",optional"`
}

// HistoryPage is one page of a tender's history, newest first.
type HistoryPage struct {
	ledger.Page[HistoryEntry]
}

// GetTender returns a tender.
func (c *Contract) GetTender(ctx *txn.Context, tenderID string) (*procurement.Tender, error) {
	return done(loadTender(ctx.GetStub(), tenderID))
}

func page(pageSize int32, bookmark string) ledger.PageRequest {
	return ledger.PageRequest{Size: pageSize, Bookmark: bookmark}
}

func (c *Contract) listTenders(ctx *txn.Context, ix ledger.Index, value string, pageSize int32, bookmark string) (*TenderPage, error) {
	p, err := ledger.ListIndex[procurement.Tender](ctx.GetStub(), ix, []string{value}, page(pageSize, bookmark), tenderOf)
	if err != nil {
		return nil, ccerror.From(err)
	}
	return &TenderPage{p}, nil
}

// ListTendersByBuyer pages through a buying agency's tenders in id order.
// pageSize 0 means the default (20); at most 100.
func (c *Contract) ListTendersByBuyer(ctx *txn.Context, buyerID string, pageSize int32, bookmark string) (*TenderPage, error) {
	if err := validate.ID("buyerId", buyerID); err != nil {
		return nil, ccerror.From(err)
	}
	return c.listTenders(ctx, byBuyer, buyerID, pageSize, bookmark)
}

var statuses = []string{
	string(procurement.StatusPlanning), string(procurement.StatusActive), string(procurement.StatusEvaluation),
	string(procurement.StatusAwarded), string(procurement.StatusContracted), string(procurement.StatusCompleted),
	string(procurement.StatusUnsuccessful),
}

// ListTendersByStatus pages through the tenders in a status in id order.
func (c *Contract) ListTendersByStatus(ctx *txn.Context, status string, pageSize int32, bookmark string) (*TenderPage, error) {
	if err := validate.OneOf("status", status, statuses...); err != nil {
		return nil, ccerror.From(err)
	}
	return c.listTenders(ctx, byStatus, status, pageSize, bookmark)
}

// ListTendersBySupplier pages through the tenders a supplier has bid on. A
// supplier's user may list only its own supplier's tenders: who bids where
// is confidential among competitors.
func (c *Contract) ListTendersBySupplier(ctx *txn.Context, supplierID string, pageSize int32, bookmark string) (*TenderPage, error) {
	if err := c.supplierSelf(ctx, supplierID); err != nil {
		return nil, ccerror.From(err)
	}
	return c.listTenders(ctx, bySupplier, supplierID, pageSize, bookmark)
}

// supplierSelf validates supplierID and, for a supplier's user, admits only
// its own supplier.
func (c *Contract) supplierSelf(ctx *txn.Context, supplierID string) error {
	if err := validate.ID("supplierId", supplierID); err != nil {
		return err
	}
	x, err := begin(ctx)
	if err != nil {
		return err
	}
	if x.caller.Role() == RoleSupplier && x.caller.MSPID == ProcurementMSP {
		return x.actAs(supplierID)
	}
	return nil
}

// GetSupplierPerformance returns a supplier's delivery record (zero counts
// when it has none). Suppliers may read only their own.
func (c *Contract) GetSupplierPerformance(ctx *txn.Context, supplierID string) (*procurement.Performance, error) {
	if err := c.supplierSelf(ctx, supplierID); err != nil {
		return nil, ccerror.From(err)
	}
	p, _, err := performance(ctx.GetStub(), supplierID)
	return done(&p, err)
}

// GetTenderHistory pages through every change of a tender, newest first.
// The bookmark is the number of entries already seen.
func (c *Contract) GetTenderHistory(ctx *txn.Context, tenderID string, pageSize int32, bookmark string) (*HistoryPage, error) {
	return done(c.tenderHistory(ctx, tenderID, pageSize, bookmark))
}

func (c *Contract) tenderHistory(ctx *txn.Context, tenderID string, pageSize int32, bookmark string) (*HistoryPage, error) {
	if pageSize == 0 {
		pageSize = ledger.DefaultPageSize
	}
	if pageSize < 1 || pageSize > ledger.MaxPageSize {
		return nil, validate.Fail("page.size", validate.RuleRange, fmt.Sprintf("must be between 1 and %d", ledger.MaxPageSize))
	}
	skip := 0
	if bookmark != "" {
		n, err := strconv.Atoi(bookmark)
		if err != nil || n < 0 || strconv.Itoa(n) != bookmark {
			return nil, validate.Fail("page.bookmark", validate.RuleBookmark, "must be the bookmark of a previous page of the same listing")
		}
		skip = n
	}
	all, err := history(ctx, tenderID, skip+int(pageSize)+1)
	if err != nil {
		return nil, err
	}
	p := &HistoryPage{ledger.Page[HistoryEntry]{Items: []HistoryEntry{}}}
	if skip < len(all) {
		p.Items = all[skip:min(len(all), skip+int(pageSize))]
	}
	if len(all) > skip+int(pageSize) {
		p.Bookmark = strconv.Itoa(skip + int(pageSize))
	}
	p.Count = len(p.Items)
	return p, nil
}

// history reads up to limit changes of a tender, newest first (limit <= 0:
// all of them). A tender's history is bounded by the actions its
// participants took; it fails with NOT_FOUND when there is none.
func history(ctx *txn.Context, tenderID string, limit int) ([]HistoryEntry, error) {
	if err := validate.ID("tenderId", tenderID); err != nil {
		return nil, err
	}
	key, err := ledger.Key(objTender, tenderID)
	if err != nil {
		return nil, err
	}
	it, err := ctx.GetStub().GetHistoryForKey(key)
	if err != nil {
		return nil, fmt.Errorf("history of tender %s: %w", tenderID, err)
	}
	defer it.Close()
	var out []HistoryEntry
	for it.HasNext() && (limit <= 0 || len(out) < limit) {
		m, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of tender %s: %w", tenderID, err)
		}
		e := HistoryEntry{TxID: m.GetTxId(), Timestamp: m.GetTimestamp().AsTime().UTC(), IsDelete: m.GetIsDelete()}
		if !e.IsDelete {
			e.Tender = new(procurement.Tender)
			if err := json.Unmarshal(m.GetValue(), e.Tender); err != nil {
				return nil, &ledger.KeyError{Key: key, Err: fmt.Errorf("decode history of tx %s: %w", e.TxID, err)}
			}
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, &ledger.KeyError{Key: key, Err: ledger.ErrNotFound}
	}
	return out, nil
}

// states extracts the stored tenders of a history.
func states(ctx *txn.Context, tenderID string) ([]procurement.Tender, error) {
	h, err := history(ctx, tenderID, 0)
	if err != nil {
		return nil, err
	}
	out := make([]procurement.Tender, 0, len(h))
	for _, e := range h {
		if e.Tender != nil {
			out = append(out, *e.Tender)
		}
	}
	return out, nil
}

// ocdsJSON encodes an OCDS package. It is returned as a JSON string because
// OCDS amounts are exact decimals, which contractapi's metadata cannot
// describe; the bytes a client receives are the same as for an object.
func ocdsJSON(v any, err error) (string, error) {
	if err != nil {
		return "", ccerror.From(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", ccerror.From(fmt.Errorf("encode OCDS package: %w", err))
	}
	return string(b), nil
}

// GetOCDSReleasePackage returns the tender's OCDS 1.1 release package: one
// release per change, ids and dates derived from the ledger history.
func (c *Contract) GetOCDSReleasePackage(ctx *txn.Context, tenderID string) (string, error) {
	s, err := states(ctx, tenderID)
	if err != nil {
		return ocdsJSON(nil, err)
	}
	return ocdsJSON(procurement.ReleasePackage(c.cfg, s))
}

// GetOCDSRecord returns the tender's OCDS 1.1 record package: every release
// and the compiled release.
func (c *Contract) GetOCDSRecord(ctx *txn.Context, tenderID string) (string, error) {
	s, err := states(ctx, tenderID)
	if err != nil {
		return ocdsJSON(nil, err)
	}
	return ocdsJSON(procurement.RecordPackage(c.cfg, s))
}
