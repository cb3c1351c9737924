package scenario_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/noop"
	"github.com/govledger/govledger/chaincode/scenario"
	"github.com/govledger/govledger/network/topology"
)

// chaincodes builds each chaincode the stub can serve.
var chaincodes = map[string]func() (shim.Chaincode, error){
	"noop": func() (shim.Chaincode, error) { return noop.Chaincode() },
}

// stubLedger runs scenarios on one in-memory ledger per chaincode, with the
// identities and collections of network/topology.yaml.
type stubLedger struct {
	topo  *topology.Topology
	mu    sync.Mutex
	ids   map[scenario.User]memstub.Identity
	nets  map[string]*memstub.Network
	clock time.Time
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
	return l
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
	res, err := n.Evaluate(id, c.Function, c.Args...)
	if err != nil {
		return nil, err
	}
	return res.Payload, nil
}

func (l *stubLedger) Now() time.Time { return l.clock }

// Await moves every chaincode's clock to t: on the stub, waiting for a
// deadline costs nothing.
func (l *stubLedger) Await(_ context.Context, t time.Time) error {
	if t.After(l.clock) {
		l.clock = t
		for _, n := range l.nets {
			n.Ledger.SetTime(t)
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
