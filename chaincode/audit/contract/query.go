package contract

import (
	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Pages of listings. contractapi cannot describe generic types, hence the
// named wrappers.
type (
	// EngagementPage is a page of engagements.
	EngagementPage struct{ ledger.Page[audit.Engagement] }
	// RequestPage is a page of requests.
	RequestPage struct{ ledger.Page[audit.Request] }
	// ResponsePage is a page of responses.
	ResponsePage struct{ ledger.Page[audit.Response] }
	// FindingPage is a page of findings.
	FindingPage struct{ ledger.Page[audit.Finding] }
)

var (
	engagementStatuses = []string{
		string(audit.EngagementOpen), string(audit.EngagementReporting), string(audit.EngagementIssued),
		string(audit.EngagementClosed), string(audit.EngagementWithdrawn),
	}
	requestStatuses = []string{
		string(audit.RequestOpen), string(audit.RequestEscalated), string(audit.RequestResponded),
		string(audit.RequestAccepted), string(audit.RequestWithdrawn),
	}
	findingStatuses = []string{
		string(audit.FindingDraft), string(audit.FindingIssued), string(audit.FindingResponded),
		string(audit.FindingFollowUp), string(audit.FindingClosed), string(audit.FindingWithdrawn),
	}
)

func page(size int32, bookmark string) ledger.PageRequest {
	return ledger.PageRequest{Size: size, Bookmark: bookmark}
}

// readable loads what the caller asks about and checks that the caller may
// see the agency it concerns.
func readable[T any](ctx *txn.Context, function string, load func() (T, audit.Agency, error)) (T, error) {
	var zero T
	v, agency, err := load()
	if err != nil {
		return zero, err
	}
	if err := mayRead(ctx, function, agency); err != nil {
		return zero, err
	}
	return v, nil
}

func mayRead(ctx *txn.Context, function string, agency audit.Agency) error {
	a, err := callerOf(ctx)
	if err != nil {
		return err
	}
	return a.mayRead(function, agency)
}

// engagementAgency checks that the caller may read the engagement and
// returns nothing else: listings under it follow.
func engagementAgency(ctx *txn.Context, function, engagementID string) error {
	e, err := getEngagement(ctx.GetStub(), engagementID)
	if err != nil {
		return err
	}
	return mayRead(ctx, function, e.Agency)
}

// GetEngagement returns an engagement to the audit office, the regulator or
// the audited agency.
func (c *Contract) GetEngagement(ctx *txn.Context, engagementID string) (*audit.Engagement, error) {
	e, err := readable(ctx, "GetEngagement", func() (audit.Engagement, audit.Agency, error) {
		e, err := getEngagement(ctx.GetStub(), engagementID)
		return e, e.Agency, err
	})
	return done(e, err)
}

// GetRequest returns a request as of the transaction time: one past its due
// date shows as escalated even before a transaction records it.
func (c *Contract) GetRequest(ctx *txn.Context, engagementID, requestID string) (*audit.Request, error) {
	r, err := readable(ctx, "GetRequest", func() (audit.Request, audit.Agency, error) {
		r, err := getRequest(ctx.GetStub(), engagementID, requestID)
		return r, r.Agency, err
	})
	if err != nil {
		return done(r, err)
	}
	now, err := ctx.Now()
	r, _ = audit.Escalate(r, now)
	return done(r, err)
}

// GetFinding returns a finding.
func (c *Contract) GetFinding(ctx *txn.Context, engagementID, findingID string) (*audit.Finding, error) {
	f, err := readable(ctx, "GetFinding", func() (audit.Finding, audit.Agency, error) {
		f, err := getFinding(ctx.GetStub(), engagementID, findingID)
		return f, f.Agency, err
	})
	return done(f, err)
}

// ListEngagementsByAgency pages through one agency's engagements; agencies
// may list their own.
func (c *Contract) ListEngagementsByAgency(ctx *txn.Context, mspID, code string, pageSize int32, bookmark string) (*EngagementPage, error) {
	agency := audit.Agency{MSPID: mspID, Code: code}
	if err := agency.Validate(); err != nil {
		return done(EngagementPage{}, err)
	}
	if err := mayRead(ctx, "ListEngagementsByAgency", agency); err != nil {
		return done(EngagementPage{}, err)
	}
	p, err := ledger.ListIndex[audit.Engagement](ctx.GetStub(), engagementsByAgency, []string{mspID, code}, page(pageSize, bookmark), engagementPK(2))
	return done(EngagementPage{p}, err)
}

// ListEngagementsByStatus pages through all engagements in one status, for
// the audit office and the regulator.
func (c *Contract) ListEngagementsByStatus(ctx *txn.Context, status string, pageSize int32, bookmark string) (*EngagementPage, error) {
	if err := validate.OneOf("status", status, engagementStatuses...); err != nil {
		return done(EngagementPage{}, err)
	}
	p, err := ledger.ListIndex[audit.Engagement](ctx.GetStub(), engagementsByStatus, []string{status}, page(pageSize, bookmark), engagementPK(1))
	return done(EngagementPage{p}, err)
}

// engagementPK maps an engagement index entry to the engagement's key; the
// ID is the entry's value at position i.
func engagementPK(i int) func([]string) (string, error) {
	return func(v []string) (string, error) { return ledger.Key(objEngagement, v[i]) }
}

// requestPK maps an entry of the due-date indexes (due, engagement, id) to
// the request's key.
func requestPK(v []string) (string, error) { return ledger.Key(objRequest, v[1], v[2]) }

// byEngagementStatusPK maps an (engagement, status, id) index entry to the
// key of the objectType entity it lists.
func byEngagementStatusPK(objectType string) func([]string) (string, error) {
	return func(v []string) (string, error) { return ledger.Key(objectType, v[0], v[2]) }
}

// ListRequests pages through an engagement's requests, all of them when
// status is empty. Requests past due show as escalated, as in GetRequest.
func (c *Contract) ListRequests(ctx *txn.Context, engagementID, status string, pageSize int32, bookmark string) (*RequestPage, error) {
	if err := engagementAgency(ctx, "ListRequests", engagementID); err != nil {
		return done(RequestPage{}, err)
	}
	var p ledger.Page[audit.Request]
	var err error
	if status == "" {
		p, err = ledger.List[audit.Request](ctx.GetStub(), objRequest, []string{engagementID}, page(pageSize, bookmark))
	} else if err = validate.OneOf("status", status, requestStatuses...); err == nil {
		p, err = ledger.ListIndex[audit.Request](ctx.GetStub(), requestsByStatus, []string{engagementID, status}, page(pageSize, bookmark), byEngagementStatusPK(objRequest))
	}
	if err != nil {
		return done(RequestPage{}, err)
	}
	return done(asOfNow(ctx, p))
}

// ListOverdueRequests pages through the requests awaiting a response past
// their due date, longest overdue first, for the audit office and the
// regulator.
func (c *Contract) ListOverdueRequests(ctx *txn.Context, pageSize int32, bookmark string) (*RequestPage, error) {
	now, err := ctx.Now()
	if err != nil {
		return done(RequestPage{}, err)
	}
	p, err := ledger.ListIndex[audit.Request](ctx.GetStub(), awaitingRequests, nil, page(pageSize, bookmark), requestPK)
	if err != nil {
		return done(RequestPage{}, err)
	}
	// The index is in due order: the first request not yet overdue ends the
	// listing.
	for i, r := range p.Items {
		if !r.Overdue(now) {
			p.Items, p.Bookmark = p.Items[:i], ""
			break
		}
	}
	p.Count = len(p.Items)
	return done(asOfNow(ctx, p))
}

// asOfNow escalates the requests of a page that are past due, as a
// transaction touching them would.
func asOfNow(ctx *txn.Context, p ledger.Page[audit.Request]) (RequestPage, error) {
	now, err := ctx.Now()
	if err != nil {
		return RequestPage{}, err
	}
	for i, r := range p.Items {
		p.Items[i], _ = audit.Escalate(r, now)
	}
	return RequestPage{p}, nil
}

// ListFindings pages through an engagement's findings, all of them when
// status is empty.
func (c *Contract) ListFindings(ctx *txn.Context, engagementID, status string, pageSize int32, bookmark string) (*FindingPage, error) {
	if err := engagementAgency(ctx, "ListFindings", engagementID); err != nil {
		return done(FindingPage{}, err)
	}
	var p ledger.Page[audit.Finding]
	var err error
	if status == "" {
		p, err = ledger.List[audit.Finding](ctx.GetStub(), objFinding, []string{engagementID}, page(pageSize, bookmark))
	} else if err = validate.OneOf("status", status, findingStatuses...); err == nil {
		p, err = ledger.ListIndex[audit.Finding](ctx.GetStub(), findingsByStatus, []string{engagementID, status}, page(pageSize, bookmark), byEngagementStatusPK(objFinding))
	}
	return done(FindingPage{p}, err)
}

// ListResponses pages through a request's responses, first filed first.
func (c *Contract) ListResponses(ctx *txn.Context, engagementID, requestID string, pageSize int32, bookmark string) (*ResponsePage, error) {
	r, err := getRequest(ctx.GetStub(), engagementID, requestID)
	if err == nil {
		err = mayRead(ctx, "ListResponses", r.Agency)
	}
	if err != nil {
		return done(ResponsePage{}, err)
	}
	p, err := ledger.List[audit.Response](ctx.GetStub(), objResponse, []string{engagementID, requestID}, page(pageSize, bookmark))
	return done(ResponsePage{p}, err)
}
