//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc/status"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/scenario"
)

// liveLedger runs scenarios on the live network: each user talks to its own
// org's first peer through the Fabric Gateway, as an agency application would.
type liveLedger struct {
	mu    sync.Mutex
	gws   map[scenario.User]*client.Network
	close []func()
}

func (l *liveLedger) network(u scenario.User) (*client.Network, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n, ok := l.gws[u]; ok {
		return n, nil
	}
	org, ok := net.Topology.OrgByMSPID(u.MSPID)
	if !ok {
		return nil, fmt.Errorf("no org %s", u.MSPID)
	}
	gw, conn, err := net.Connect(u.MSPID, org.Peers[0].Name, u.Name)
	if err != nil {
		return nil, err
	}
	l.close = append(l.close, func() { _ = gw.Close(); _ = conn.Close() })
	n := gw.GetNetwork(net.Topology.Channel.Name)
	l.gws[u] = n
	return n, nil
}

func (l *liveLedger) Submit(ctx context.Context, u scenario.User, c scenario.Call) ([]byte, error) {
	n, err := l.network(u)
	if err != nil {
		return nil, err
	}
	opts := []client.ProposalOption{client.WithArguments(c.Args...)}
	if c.Transient != nil {
		opts = append(opts, client.WithTransient(c.Transient))
	}
	res, commit, err := n.GetContract(c.Chaincode).SubmitAsync(c.Function, opts...)
	if err != nil {
		return nil, chaincodeError(err)
	}
	st, err := commit.StatusWithContext(ctx)
	if err != nil {
		return nil, err
	}
	if !st.Successful {
		return nil, fmt.Errorf("transaction %s invalid: %s", st.TransactionID, st.Code)
	}
	return res, nil
}

func (l *liveLedger) Evaluate(ctx context.Context, u scenario.User, c scenario.Call) ([]byte, error) {
	n, err := l.network(u)
	if err != nil {
		return nil, err
	}
	opts := []client.ProposalOption{client.WithArguments(c.Args...)}
	if c.Transient != nil {
		opts = append(opts, client.WithTransient(c.Transient))
	}
	proposal, err := n.GetContract(c.Chaincode).NewProposal(c.Function, opts...)
	if err != nil {
		return nil, err
	}
	res, err := proposal.EvaluateWithContext(ctx)
	if err != nil {
		return nil, chaincodeError(err)
	}
	return res, nil
}

func (l *liveLedger) Now() time.Time { return time.Now() }

// Await sleeps past t: proposals carry the client's clock as their
// timestamp, so a proposal made afterwards is timestamped after t.
func (l *liveLedger) Await(ctx context.Context, t time.Time) error {
	select {
	case <-time.After(time.Until(t) + 50*time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// chaincodeError finds the chaincode's own error among the Gateway's error
// details (one per endorsing peer) and wraps it, so scenarios can assert on
// its code.
func chaincodeError(err error) error {
	var withStatus interface{ GRPCStatus() *status.Status }
	if errors.As(err, &withStatus) {
		for _, d := range withStatus.GRPCStatus().Details() {
			if detail, ok := d.(*gateway.ErrorDetail); ok {
				if ce, ok := ccerror.Parse(detail.GetMessage()); ok {
					return fmt.Errorf("%w (endorser %s: %w)", ce, detail.GetAddress(), err)
				}
			}
		}
	}
	return err
}

func TestScenariosOnTheLiveNetwork(t *testing.T) {
	l := &liveLedger{gws: map[scenario.User]*client.Network{}}
	defer func() {
		for _, c := range l.close {
			c()
		}
	}()
	deployed := map[string]bool{}
	for _, cc := range net.Topology.Chaincodes {
		deployed[cc.Name] = true
	}
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	for _, s := range scenario.All {
		t.Run(s.Name, func(t *testing.T) {
			for _, cc := range s.Chaincodes {
				if !deployed[cc] {
					t.Fatalf("suite %s needs chaincode %s, which the topology does not deploy", s.Name, cc)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			s.Run(t, &scenario.Session{Ledger: l, Ctx: ctx, RunID: runID})
		})
	}
}
