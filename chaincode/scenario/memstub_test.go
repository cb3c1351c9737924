package scenario_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"

	auditcc "github.com/govledger/govledger/chaincode/audit/contract"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/noop"
	procurementcc "github.com/govledger/govledger/chaincode/procurement/contract"
	"github.com/govledger/govledger/chaincode/scenario"
	"github.com/govledger/govledger/network/topology"
)

// chaincodes builds each chaincode the stub can serve.
var chaincodes = map[string]func() (shim.Chaincode, error){
	"noop":        func() (shim.Chaincode, error) { return noop.Chaincode() },
	"procurement": func() (shim.Chaincode, error) { return procurementcc.Chaincode() },
	"audit":       func() (shim.Chaincode, error) { return auditcc.Chaincode() },
}

// stubLedger runs scenarios on one in-memory ledger per chaincode, with the
// identities and collections of network/topology.yaml.
type stubLedger struct {
	topo  *topology.Topology
	mu    sync.Mutex
	ids   map[scenario.User]memstub.Identity
	nets  map[string]*memstub.Network
	clock time.Time
	// call serialises transactions so that caller is the creator of the one
	// in flight: memstub hands a chaincode-to-chaincode handler only the
	// arguments, while a peer runs the called chaincode under the same
	// signed proposal.
	call   sync.Mutex
	caller memstub.Identity
}

func newStubLedger(t *testing.T) *stubLedger {
	t.Helper()
	topo, err := topology.Load(filepath.Join("..", "..", "network", "topology.yaml"))
	require.NoError(t, err)
	l := &stubLedger{topo: topo, ids: map[scenario.User]memstub.Identity{}, nets: map[string]*memstub.Network{}, clock: memstub.DefaultStart}
	for _, cc := range topo.Chaincodes {
		build, ok := chaincodes[cc.Name]
		if !ok {
			continue
		}
		code, err := build()
		require.NoError(t, err)
		ledger := memstub.NewLedger(memstub.Config{Channel: topo.Channel.Name, Chaincode: cc.Name, Start: l.clock})
		for _, c := range cc.Collections {
			ledger.DefineCollection(memstub.Collection{Name: c.Name, Members: c.Members, MemberOnlyRead: c.MemberOnlyRead, MemberOnlyWrite: c.MemberOnlyWrite})
		}
		l.nets[cc.Name] = memstub.Connect(ledger, code)
	}
	// A chaincode may call another, as audit asks procurement for a tender.
	for _, n := range l.nets {
		for name := range l.nets {
			n.Ledger.RegisterChaincode(name, l.invoke(name))
		}
	}
	return l
}

// invoke answers InvokeChaincode to the chaincode name by evaluating on its
// own stub ledger as the caller of the transaction in flight, so the called
// contract applies its access rules to the same identity, as on a peer.
func (l *stubLedger) invoke(name string) memstub.ChaincodeHandler {
	return func(args [][]byte) *peer.Response {
		if len(args) == 0 {
			return shim.Error("memstub: InvokeChaincode " + name + " without a function")
		}
		params := make([]string, 0, len(args)-1)
		for _, a := range args[1:] {
			params = append(params, string(a))
		}
		res, err := l.nets[name].Evaluate(l.caller, string(args[0]), params...)
		var refused *memstub.TxError
		if errors.As(err, &refused) {
			return &peer.Response{Status: refused.Status, Message: refused.Message}
		}
		if err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(res.Payload)
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

func (l *stubLedger) network(c scenario.Call) (*memstub.Network, error) {
	n, ok := l.nets[c.Chaincode]
	if !ok {
		return nil, fmt.Errorf("chaincode %s is not served by the stub", c.Chaincode)
	}
	if c.Transient != nil {
		n = n.WithTransient(c.Transient)
	}
	return n, nil
}

func (l *stubLedger) Submit(_ context.Context, u scenario.User, c scenario.Call) ([]byte, error) {
	id, err := l.identity(u)
	if err != nil {
		return nil, err
	}
	n, err := l.network(c)
	if err != nil {
		return nil, err
	}
	l.call.Lock()
	defer l.call.Unlock()
	l.caller = id
	res, err := n.Submit(id, c.Function, c.Args...)
	if err != nil {
		return nil, err
	}
	return res.Payload, nil
}

func (l *stubLedger) Evaluate(_ context.Context, u scenario.User, c scenario.Call) ([]byte, error) {
	id, err := l.identity(u)
	if err != nil {
		return nil, err
	}
	n, err := l.network(c)
	if err != nil {
		return nil, err
	}
	l.call.Lock()
	defer l.call.Unlock()
	l.caller = id
	res, err := n.Evaluate(id, c.Function, c.Args...)
	if err != nil {
		return nil, err
	}
	return res.Payload, nil
}

func (l *stubLedger) Now() time.Time { return l.clock }

// Await moves every chaincode's clock just past t: on the stub, waiting for
// a deadline costs nothing. Like the live network, which sleeps past t, it
// leaves the clock strictly after t, where rules of the form "after the due
// date" apply.
func (l *stubLedger) Await(_ context.Context, t time.Time) error {
	if past := t.Add(time.Millisecond); past.After(l.clock) {
		l.clock = past
		for _, n := range l.nets {
			n.Ledger.SetTime(past)
		}
	}
	return nil
}

func TestScenariosOnTheStub(t *testing.T) {
	l := newStubLedger(t)
	for _, s := range scenario.All {
		t.Run(s.Name, func(t *testing.T) {
			for _, cc := range s.Chaincodes {
				if _, ok := l.nets[cc]; !ok {
					t.Fatalf("suite %s needs chaincode %s, which the stub does not serve", s.Name, cc)
				}
			}
			s.Run(t, &scenario.Session{Ledger: l, Ctx: context.Background(), RunID: "stub"})
		})
	}
}
