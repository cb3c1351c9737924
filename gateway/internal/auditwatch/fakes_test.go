package auditwatch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/txn"
)

// source is a fake procurement event stream with Fabric's resume semantics:
// a position starts at its block, after the event of its transaction.
type source struct {
	mu      sync.Mutex
	events  []ledger.Event
	changed chan struct{}
	// breakAfter closes every stream after it delivered that many events
	// (0: never), as a peer dropping the connection does.
	breakAfter int
	opens      int
}

func newSource() *source { return &source{changed: make(chan struct{})} }

// emit appends an event in a new block carrying the given red flags (kind
// and tender id), as the procurement contract publishes them.
func (s *source) emit(name string, tender string, flags ...[2]string) ledger.Event {
	type flag struct {
		Event    string `json:"event"`
		Kind     string `json:"kind"`
		TenderID string `json:"tenderId"`
		Detail   string `json:"detail"`
	}
	data := struct {
		TenderID string `json:"tenderId"`
		Status   string `json:"status"`
		RedFlags []flag `json:"redFlags,omitempty"`
	}{TenderID: tender, Status: "active"}
	for _, f := range flags {
		data.RedFlags = append(data.RedFlags, flag{Event: "redflag." + f[0], Kind: f[0], TenderID: f[1], Detail: "raised"})
	}
	payload, err := json.Marshal(map[string]any{"entity": "tender", "id": tender, "action": name, "data": data})
	if err != nil {
		panic(err)
	}
	return s.emitRaw(name, payload)
}

func (s *source) emitRaw(name string, payload []byte) ledger.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	block := uint64(len(s.events) + 5)
	ev := ledger.Event{Block: block, TxID: fmt.Sprintf("tx%03d", len(s.events)), Chaincode: "procurement", Name: "tender." + name, Payload: payload}
	s.events = append(s.events, ev)
	close(s.changed)
	s.changed = make(chan struct{})
	return ev
}

func (s *source) streams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opens
}

func (s *source) Height(context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.events) + 5), nil
}

func (s *source) ChaincodeEvents(ctx context.Context, chaincode string, from *ledger.Position) (<-chan ledger.Event, error) {
	if chaincode != "procurement" {
		return nil, fmt.Errorf("no chaincode %s", chaincode)
	}
	s.mu.Lock()
	s.opens++
	s.mu.Unlock()
	out := make(chan ledger.Event)
	go func() {
		defer close(out)
		next, sent := 0, 0
		skipping := from.AfterTxID != ""
		for {
			s.mu.Lock()
			var ev *ledger.Event
			for next < len(s.events) && ev == nil {
				e := s.events[next]
				next++
				switch {
				case e.Block < from.Block:
				case skipping && e.Block == from.Block:
					skipping = e.TxID != from.AfterTxID
				default:
					ev = &e
				}
			}
			changed := s.changed
			s.mu.Unlock()
			if ev == nil {
				select {
				case <-changed:
					continue
				case <-ctx.Done():
					return
				}
			}
			select {
			case out <- *ev:
				sent++
			case <-ctx.Done():
				return
			}
			if s.breakAfter > 0 && sent >= s.breakAfter {
				return
			}
		}
	}()
	return out, nil
}

// network is a fake of the procurement and audit chaincodes behind the
// transaction service, with the audit contract's rules for
// OpenRequestFromRedFlag.
type network struct {
	mu          sync.Mutex
	tenders     map[string]tender
	engagements map[string]engagement
	// requests are the open requests, "<engagement>/<request id>", in the
	// order they were created.
	requests []string
	// faults are returned by the next submits, one each. lostReply
	// commits the request and then reports the outcome unknown.
	faults []error
	// listPage is the page size ListEngagementsByAgency serves at most.
	listPage int
	txs      int
}

type tender struct {
	buyer string
	flags []string
}

type engagement struct {
	id, agency string
	status     audit.EngagementStatus
	openedAt   time.Time
}

// errLostReply makes a submit commit and then answer as if its reply was lost.
var errLostReply = errors.New("lost reply")

func newNetwork() *network {
	return &network{tenders: map[string]tender{}, engagements: map[string]engagement{}, listPage: 100}
}

func (n *network) addTender(id, buyer string, flags ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tenders[id] = tender{buyer: buyer, flags: flags}
}

func (n *network) addEngagement(id, agency string, status audit.EngagementStatus, openedAt time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.engagements[id] = engagement{id: id, agency: agency, status: status, openedAt: openedAt}
}

func (n *network) setStatus(id string, status audit.EngagementStatus) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := n.engagements[id]
	e.status = status
	n.engagements[id] = e
}

func (n *network) inject(errs ...error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.faults = append(n.faults, errs...)
}

func (n *network) open() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.requests)
}

// requestKey is how network.open lists the request a flag opens.
func requestKey(engagementID, tenderID, kind string) string {
	return engagementID + "/" + audit.RedFlagRequestID(audit.RedFlag{Entity: "tender", ID: tenderID, Kind: kind})
}

func chaincodeErr(code ccerror.Code, msg string) error {
	return &ledger.PhaseError{Phase: ledger.PhaseEndorse, Err: &ledger.ChaincodeError{Status: 500, Message: ccerror.New(code, msg).Error()}}
}

func unavailable() error {
	return &ledger.PhaseError{Phase: ledger.PhaseEndorse, Err: fmt.Errorf("%w: connection refused", ledger.ErrUnavailable)}
}

func (n *network) Evaluate(_ context.Context, signer txn.Signer, call txn.Call) ([]byte, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	args := make([]string, len(call.Args))
	for i, a := range call.Args {
		args[i] = string(a)
	}
	switch call.Transaction {
	case "procurement:GetTender":
		t, ok := n.tenders[args[0]]
		if !ok {
			return nil, chaincodeErr(ccerror.NotFound, "tender not found")
		}
		return json.Marshal(map[string]any{"id": args[0], "buyer": map[string]string{"id": t.buyer, "name": "Ministry"}, "status": "active"})
	case "audit:ListEngagementsByAgency":
		if args[0] != "ProcurementMSP" {
			return json.Marshal(map[string]any{"items": []any{}, "bookmark": "", "count": 0})
		}
		var mine []engagement
		for _, e := range n.engagements {
			if e.agency == args[1] {
				mine = append(mine, e)
			}
		}
		slices.SortFunc(mine, func(a, b engagement) int { return compare(a.id, b.id) })
		size, err := strconv.Atoi(args[2])
		if err != nil || size < 1 {
			return nil, chaincodeErr(ccerror.InvalidArgument, "pageSize")
		}
		size = min(size, n.listPage)
		start := 0
		if args[3] != "" {
			if start, err = strconv.Atoi(args[3]); err != nil {
				return nil, chaincodeErr(ccerror.InvalidArgument, "bookmark")
			}
		}
		end := min(start+size, len(mine))
		var items []map[string]any
		for _, e := range mine[start:end] {
			items = append(items, map[string]any{"id": e.id, "status": e.status, "openedAt": e.openedAt,
				"agency": map[string]string{"mspId": "ProcurementMSP", "code": e.agency}})
		}
		bookmark := ""
		if end < len(mine) {
			bookmark = strconv.Itoa(end)
		}
		return json.Marshal(map[string]any{"items": items, "bookmark": bookmark, "count": len(items)})
	}
	return nil, chaincodeErr(ccerror.NotFound, "no function "+call.Transaction)
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (n *network) Submit(_ context.Context, signer txn.Signer, call txn.Call, _ txn.SubmitOptions) (*txn.Receipt, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var fault error
	if len(n.faults) > 0 {
		fault, n.faults = n.faults[0], n.faults[1:]
		if !errors.Is(fault, errLostReply) {
			return nil, fault
		}
	}
	if call.Transaction != "audit:OpenRequestFromRedFlag" || len(call.Args) != 2 {
		return nil, chaincodeErr(ccerror.NotFound, "no function "+call.Transaction)
	}
	if signer.Creator().MSPID != "AuditOfficeMSP" {
		return nil, chaincodeErr(ccerror.PermissionDenied, "auditors only")
	}
	e, ok := n.engagements[string(call.Args[0])]
	if !ok {
		return nil, chaincodeErr(ccerror.NotFound, "engagement not found")
	}
	var flag audit.RedFlag
	if err := json.Unmarshal(call.Args[1], &flag); err != nil || flag.Validate() != nil {
		return nil, chaincodeErr(ccerror.InvalidArgument, "flag")
	}
	if e.status != audit.EngagementOpen && e.status != audit.EngagementReporting {
		return nil, chaincodeErr(ccerror.FailedPrecondition, "engagement does not take requests")
	}
	t, ok := n.tenders[flag.ID]
	if !ok {
		return nil, chaincodeErr(ccerror.NotFound, "tender not found")
	}
	if !slices.Contains(t.flags, flag.Kind) {
		return nil, chaincodeErr(ccerror.FailedPrecondition, "red flag not raised on the tender")
	}
	if t.buyer != e.agency {
		return nil, chaincodeErr(ccerror.FailedPrecondition, "tender bought by another agency")
	}
	id := audit.RedFlagRequestID(flag)
	key := e.id + "/" + id
	if slices.Contains(n.requests, key) {
		return nil, chaincodeErr(ccerror.AlreadyExists, "request exists")
	}
	n.requests = append(n.requests, key)
	n.txs++
	txID := fmt.Sprintf("audit-tx-%d", n.txs)
	if errors.Is(fault, errLostReply) {
		return nil, &txn.PendingError{TxID: txID, Err: context.DeadlineExceeded}
	}
	result, err := json.Marshal(map[string]any{"id": id, "engagementId": e.id, "origin": flag})
	if err != nil {
		return nil, err
	}
	return &txn.Receipt{ID: txID, TxID: txID, State: txn.StateCommitted, Result: result, Code: ledger.CodeValid}, nil
}

// signer is a wallet user of an organisation.
type signer struct {
	name, msp string
	noKey     bool
}

func (s signer) Name() string { return s.name }
func (s signer) Creator() ledger.Creator {
	return ledger.Creator{MSPID: s.msp, Certificate: []byte("cert of " + s.name)}
}
func (s signer) Custodial() bool                    { return !s.noKey }
func (s signer) Sign(digest []byte) ([]byte, error) { return digest, nil }
