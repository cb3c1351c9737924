package scenario_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/catalog"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/scenario"
	"github.com/govledger/govledger/network/topology"
)

// deployed is one chaincode on its own in-memory ledger.
type deployed struct {
	ledger *memstub.Ledger
	code   shim.Chaincode
}

// stubLedger runs scenarios on one in-memory ledger per chaincode, with the
// identities and collections of network/topology.yaml.
type stubLedger struct {
	topo  *topology.Topology
	mu    sync.Mutex
	ids   map[scenario.User]memstub.Identity
	ccs   map[string]deployed
	clock time.Time
	// call serialises transactions so that tx is the one in flight when a
	// chaincode calls another: memstub hands a chaincode-to-chaincode
	// handler only the arguments, while a peer runs the called chaincode
	// under the same signed proposal.
	call sync.Mutex
	tx   *inflight
}

// inflight is the transaction being simulated and the simulations of the
// chaincodes it called. On a peer those share one read-write set, so run
// commits them all or, when the transaction fails, none.
type inflight struct {
	proposal memstub.TxOptions
	called   []*memstub.Stub
}

func newStubLedger(t *testing.T) *stubLedger {
	t.Helper()
	topo, err := topology.Load(filepath.Join("..", "..", "network", "topology.yaml"))
	require.NoError(t, err)
	l := &stubLedger{topo: topo, ids: map[scenario.User]memstub.Identity{}, ccs: map[string]deployed{}, clock: memstub.DefaultStart}
	for _, cc := range topo.Chaincodes {
		entry, ok := catalog.Lookup(cc.Name)
		if !ok {
			continue
		}
		code, err := entry.New()
		require.NoError(t, err)
		ledger := memstub.NewLedger(memstub.Config{Channel: topo.Channel.Name, Chaincode: cc.Name, Start: l.clock})
		for _, c := range cc.Collections {
			ledger.DefineCollection(memstub.Collection{Name: c.Name, Members: c.Members, MemberOnlyRead: c.MemberOnlyRead, MemberOnlyWrite: c.MemberOnlyWrite})
		}
		l.ccs[cc.Name] = deployed{ledger: ledger, code: code}
	}
	// A chaincode may call another, as audit asks procurement for a tender
	// and benefits asks identity for a consent-checked attestation.
	for _, d := range l.ccs {
		for name := range l.ccs {
			d.ledger.RegisterChaincode(name, l.invoke(name))
		}
	}
	return l
}

// invoke answers InvokeChaincode to the chaincode name by simulating it on
// its own stub ledger under the proposal in flight: the same creator, so the
// called contract applies its access rules to the same identity, and the
// same transaction ID, timestamp and transient data, as on a peer. What the
// called chaincode writes commits only with the calling transaction.
func (l *stubLedger) invoke(name string) memstub.ChaincodeHandler {
	return func(args [][]byte) *peer.Response {
		if len(args) == 0 {
			return shim.Error("memstub: InvokeChaincode " + name + " without a function")
		}
		proposal := l.tx.proposal
		proposal.Function = string(args[0])
		proposal.Args = make([]string, 0, len(args)-1)
		for _, a := range args[1:] {
			proposal.Args = append(proposal.Args, string(a))
		}
		d := l.ccs[name]
		stub := d.ledger.Begin(proposal)
		res := d.code.Invoke(stub)
		if res.GetStatus() < shim.ERRORTHRESHOLD {
			l.tx.called = append(l.tx.called, stub)
		}
		return res
	}
}

func (l *stubLedger) identity(u scenario.User) (memstub.Identity, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id, ok := l.ids[u]; ok {
		return id, nil
	}
	org, ok := l.topo.OrgByMSPID(u.MSPID)
	if !ok {
		return memstub.Identity{}, fmt.Errorf("no org %s in the topology", u.MSPID)
	}
	for _, usr := range org.Users {
		if usr.Name == u.Name {
			id := memstub.NewIdentity(u.MSPID, u.Name, usr.Attrs)
			l.ids[u] = id
			return id, nil
		}
	}
	return memstub.Identity{}, fmt.Errorf("no user %s in %s", u.Name, u.MSPID)
}

// run simulates c as u and, when commit is set, commits it together with
// the chaincodes it called. Transactions are serialised, so none can
// invalidate another; a chaincode calling one chaincode twice over keys the
// first call wrote would be a conflict here where a peer sees none.
func (l *stubLedger) run(u scenario.User, c scenario.Call, commit bool) ([]byte, error) {
	id, err := l.identity(u)
	if err != nil {
		return nil, err
	}
	d, ok := l.ccs[c.Chaincode]
	if !ok {
		return nil, fmt.Errorf("chaincode %s is not served by the stub", c.Chaincode)
	}
	l.call.Lock()
	defer l.call.Unlock()
	proposal := memstub.TxOptions{Creator: id, Transient: c.Transient, Time: d.ledger.Now()}
	top := proposal
	top.Function, top.Args = c.Function, c.Args
	stub := d.ledger.Begin(top)
	proposal.TxID = stub.GetTxID()
	l.tx = &inflight{proposal: proposal}
	defer func() { l.tx = nil }()
	res := d.code.Invoke(stub)
	if res.GetStatus() >= shim.ERRORTHRESHOLD {
		return nil, &memstub.TxError{TxID: stub.GetTxID(), Status: res.GetStatus(), Message: res.GetMessage()}
	}
	if commit {
		for _, s := range append([]*memstub.Stub{stub}, l.tx.called...) {
			if err := s.Commit(); err != nil {
				return nil, err
			}
		}
	}
	return res.GetPayload(), nil
}

func (l *stubLedger) Submit(_ context.Context, u scenario.User, c scenario.Call) ([]byte, error) {
	return l.run(u, c, true)
}

func (l *stubLedger) Evaluate(_ context.Context, u scenario.User, c scenario.Call) ([]byte, error) {
	return l.run(u, c, false)
}

func (l *stubLedger) Now() time.Time { return l.clock }

// Await moves every chaincode's clock just past t: on the stub, waiting for
// a deadline costs nothing. Like the live network, which sleeps past t, it
// leaves the clock strictly after t, where rules of the form "after the due
// date" apply.
func (l *stubLedger) Await(_ context.Context, t time.Time) error {
	if past := t.Add(time.Millisecond); past.After(l.clock) {
		l.clock = past
		for _, d := range l.ccs {
			d.ledger.SetTime(past)
		}
	}
	return nil
}

func TestScenariosOnTheStub(t *testing.T) {
	l := newStubLedger(t)
	for _, s := range scenario.All {
		t.Run(s.Name, func(t *testing.T) {
			for _, cc := range s.Chaincodes {
				if _, ok := l.ccs[cc]; !ok {
					t.Fatalf("suite %s needs chaincode %s, which the stub does not serve", s.Name, cc)
				}
			}
			s.Run(t, &scenario.Session{Ledger: l, Ctx: context.Background(), RunID: "stub"})
		})
	}
}
