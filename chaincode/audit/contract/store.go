package contract

import (
	"fmt"
	"slices"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Object types of primary keys. Requests, responses and findings live under
// their engagement's key prefix, so one engagement's items list in one range.
const (
	objEngagement = "engagement"
	objRequest    = "request"
	objResponse   = "response"
	objFinding    = "finding"
)

// Secondary indexes.
var (
	engagementsByAgency = ledger.Index{Name: "engagement~agency~id", Attrs: []string{"mspId", "code", "id"}}
	engagementsByStatus = ledger.Index{Name: "engagement~status~id", Attrs: []string{"status", "id"}}
	requestsByStatus    = ledger.Index{Name: "request~engagement~status~id", Attrs: []string{"engagementId", "status", "id"}}
	// awaitingRequests lists requests awaiting a response (open or escalated)
	// by due date, oldest first: the overdue listing.
	awaitingRequests = ledger.Index{Name: "awaiting-request~due~engagement~id", Attrs: []string{"due", "engagementId", "id"}}
	// openRequests lists requests not yet escalated by due date: what the
	// deadline sweep works through. Escalation removes the entry, so the sweep
	// always makes progress.
	openRequests     = ledger.Index{Name: "open-request~due~engagement~id", Attrs: []string{"due", "engagementId", "id"}}
	findingsByStatus = ledger.Index{Name: "finding~engagement~status~id", Attrs: []string{"engagementId", "status", "id"}}
)

// dueLayout renders due dates so that byte order is time order.
const dueLayout = "2006-01-02T15:04:05.000000000Z"

func dueValue(t time.Time) string { return t.UTC().Format(dueLayout) }

// entry is how an entity appears in one index: its values, or nil when the
// index does not list it.
type entry[T any] struct {
	ix     ledger.Index
	values func(T) []string
}

// store keeps one entity type: its primary key, its index entries, and (when
// final is set) the point at which it becomes final, which puts its key under
// the audit office's endorsement.
type store[T any] struct {
	key     func(T) (string, error)
	entries []entry[T]
	final   func(T) bool
}

var engagements = store[audit.Engagement]{
	key: func(e audit.Engagement) (string, error) { return ledger.Key(objEngagement, e.ID) },
	entries: []entry[audit.Engagement]{
		{engagementsByAgency, func(e audit.Engagement) []string { return []string{e.Agency.MSPID, e.Agency.Code, e.ID} }},
		{engagementsByStatus, func(e audit.Engagement) []string { return []string{string(e.Status), e.ID} }},
	},
	final: func(e audit.Engagement) bool { return e.Report != nil && e.Report.SignOff.Complete() },
}

var requests = store[audit.Request]{
	key: func(r audit.Request) (string, error) { return ledger.Key(objRequest, r.EngagementID, r.ID) },
	entries: []entry[audit.Request]{
		{requestsByStatus, func(r audit.Request) []string { return []string{r.EngagementID, string(r.Status), r.ID} }},
		{awaitingRequests, func(r audit.Request) []string {
			if r.Status != audit.RequestOpen && r.Status != audit.RequestEscalated {
				return nil
			}
			return []string{dueValue(r.DueAt), r.EngagementID, r.ID}
		}},
		{openRequests, func(r audit.Request) []string {
			if r.Status != audit.RequestOpen {
				return nil
			}
			return []string{dueValue(r.DueAt), r.EngagementID, r.ID}
		}},
	},
}

var findings = store[audit.Finding]{
	key: func(f audit.Finding) (string, error) { return ledger.Key(objFinding, f.EngagementID, f.ID) },
	entries: []entry[audit.Finding]{
		{findingsByStatus, func(f audit.Finding) []string { return []string{f.EngagementID, string(f.Status), f.ID} }},
	},
	final: audit.Finding.SignedOff,
}

func responseKey(engagementID, requestID string, seq int) (string, error) {
	return ledger.Key(objResponse, engagementID, requestID, fmt.Sprintf("%04d", seq))
}

// create writes a new entity; an existing key fails with ledger.ErrExists.
func (s store[T]) create(stub shim.ChaincodeStubInterface, v T) error {
	key, err := s.key(v)
	if err != nil {
		return err
	}
	if err := ledger.Create(stub, key, v); err != nil {
		return err
	}
	return s.reindex(stub, nil, v)
}

// update replaces before with after, keeping indexes in step, and locks the
// key under audit office endorsement when after is the first final version.
func (s store[T]) update(stub shim.ChaincodeStubInterface, before, after T) error {
	key, err := s.key(after)
	if err != nil {
		return err
	}
	if err := ledger.Put(stub, key, after); err != nil {
		return err
	}
	if err := s.reindex(stub, &before, after); err != nil {
		return err
	}
	if s.final != nil && s.final(after) && !s.final(before) {
		return lockToAuditOffice(stub, key)
	}
	return nil
}

func (s store[T]) reindex(stub shim.ChaincodeStubInterface, before *T, after T) error {
	for _, e := range s.entries {
		var from []string
		if before != nil {
			from = e.values(*before)
		}
		to := e.values(after)
		var err error
		switch {
		case slices.Equal(from, to):
		case from == nil:
			err = e.ix.Put(stub, to...)
		case to == nil:
			err = e.ix.Delete(stub, from...)
		default:
			err = e.ix.Move(stub, from, to)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// lockToAuditOffice sets key's validation parameter to require endorsement by
// AuditOfficeMSP peers. Fabric then validates every later write of the key
// against it instead of the chaincode's policy, so signed-off content cannot
// change unless the audit office's peers endorse.
func lockToAuditOffice(stub shim.ChaincodeStubInterface, key string) error {
	ep, err := auditOfficeEndorsement()
	if err != nil {
		return err
	}
	if err := stub.SetStateValidationParameter(key, ep); err != nil {
		return &ledger.KeyError{Key: key, Err: fmt.Errorf("set validation parameter: %w", err)}
	}
	return nil
}

// auditOfficeEndorsement is the serialized policy "AuditOfficeMSP.peer".
func auditOfficeEndorsement() ([]byte, error) {
	ep, err := statebased.NewStateEP(nil)
	if err != nil {
		return nil, fmt.Errorf("key-level endorsement policy: %w", err)
	}
	if err := ep.AddOrgs(statebased.RoleTypePeer, AuditOfficeMSP); err != nil {
		return nil, fmt.Errorf("key-level endorsement policy: %w", err)
	}
	p, err := ep.Policy()
	if err != nil {
		return nil, fmt.Errorf("key-level endorsement policy: %w", err)
	}
	return p, nil
}

func getEngagement(stub shim.ChaincodeStubInterface, id string) (audit.Engagement, error) {
	if err := validate.ID("engagementId", id); err != nil {
		return audit.Engagement{}, err
	}
	key, err := ledger.Key(objEngagement, id)
	if err != nil {
		return audit.Engagement{}, err
	}
	return ledger.Get[audit.Engagement](stub, key)
}

func getRequest(stub shim.ChaincodeStubInterface, engagementID, id string) (audit.Request, error) {
	if err := validate.All(validate.ID("engagementId", engagementID), validate.ID("requestId", id)); err != nil {
		return audit.Request{}, err
	}
	key, err := ledger.Key(objRequest, engagementID, id)
	if err != nil {
		return audit.Request{}, err
	}
	return ledger.Get[audit.Request](stub, key)
}

func getFinding(stub shim.ChaincodeStubInterface, engagementID, id string) (audit.Finding, error) {
	if err := validate.All(validate.ID("engagementId", engagementID), validate.ID("findingId", id)); err != nil {
		return audit.Finding{}, err
	}
	key, err := ledger.Key(objFinding, engagementID, id)
	if err != nil {
		return audit.Finding{}, err
	}
	return ledger.Get[audit.Finding](stub, key)
}
