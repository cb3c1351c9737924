package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc/status"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/test-network/harness"
)

// user is an identity enrolled from network/topology.yaml.
type user struct{ MSPID, Name string }

// call is one chaincode function invocation.
type call struct {
	Chaincode string
	Function  string // "Contract:Function"
	Args      []string
	Transient map[string][]byte
	// EndorsingOrgs, when set, asks for endorsements from exactly these
	// organisations instead of what the endorsement policy needs.
	EndorsingOrgs []string
}

// sdkPool submits and evaluates straight through the Fabric Gateway SDK,
// each user through its own organisation's first peer, as an agency
// application would. Connections are opened on first use and shared by all
// the clients acting as that user.
type sdkPool struct {
	net     *harness.Network
	mu      sync.Mutex
	conns   map[user]*client.Network
	closers []func()
}

func newSDKPool(net *harness.Network) *sdkPool {
	return &sdkPool{net: net, conns: map[user]*client.Network{}}
}

func (p *sdkPool) network(u user) (*client.Network, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n, ok := p.conns[u]; ok {
		return n, nil
	}
	org, ok := p.net.Topology.OrgByMSPID(u.MSPID)
	if !ok || len(org.Peers) == 0 {
		return nil, fmt.Errorf("no org %s with a peer", u.MSPID)
	}
	gw, conn, err := p.net.Connect(u.MSPID, org.Peers[0].Name, u.Name)
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, func() { _ = gw.Close(); _ = conn.Close() })
	n := gw.GetNetwork(p.net.Topology.Channel.Name)
	p.conns[u] = n
	return n, nil
}

// Close closes every connection.
func (p *sdkPool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.closers {
		c()
	}
	p.closers, p.conns = nil, map[user]*client.Network{}
}

func proposalOptions(c call) []client.ProposalOption {
	opts := []client.ProposalOption{client.WithArguments(c.Args...)}
	if c.Transient != nil {
		opts = append(opts, client.WithTransient(c.Transient))
	}
	if len(c.EndorsingOrgs) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(c.EndorsingOrgs...))
	}
	return opts
}

// submit endorses, orders and waits for the commit. A transaction that
// commits invalid fails with its validation code as the kind, e.g.
// MVCC_READ_CONFLICT.
func (p *sdkPool) submit(ctx context.Context, u user, c call) ([]byte, string, error) {
	n, err := p.network(u)
	if err != nil {
		return nil, "connect", err
	}
	proposal, err := n.GetContract(c.Chaincode).NewProposal(c.Function, proposalOptions(c)...)
	if err != nil {
		return nil, "proposal", err
	}
	tx, err := proposal.EndorseWithContext(ctx)
	if err != nil {
		return nil, sdkErrorKind(err), err
	}
	commit, err := tx.SubmitWithContext(ctx)
	if err != nil {
		return nil, sdkErrorKind(err), err
	}
	status, err := commit.StatusWithContext(ctx)
	if err != nil {
		return nil, sdkErrorKind(err), err
	}
	if !status.Successful {
		return nil, status.Code.String(), fmt.Errorf("transaction %s: %s", status.TransactionID, status.Code)
	}
	return tx.Result(), "", nil
}

// evaluate asks one peer and commits nothing.
func (p *sdkPool) evaluate(ctx context.Context, u user, c call) ([]byte, string, error) {
	n, err := p.network(u)
	if err != nil {
		return nil, "connect", err
	}
	proposal, err := n.GetContract(c.Chaincode).NewProposal(c.Function, proposalOptions(c)...)
	if err != nil {
		return nil, "proposal", err
	}
	out, err := proposal.EvaluateWithContext(ctx)
	if err != nil {
		return nil, sdkErrorKind(err), err
	}
	return out, "", nil
}

// sdkErrorKind groups SDK errors by the phase that failed.
func sdkErrorKind(err error) string {
	var (
		endorse *client.EndorseError
		submit  *client.SubmitError
		status  *client.CommitStatusError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	case errors.As(err, &endorse):
		if code := chaincodeCode(err); code != "" {
			return "endorse:" + string(code)
		}
		return "endorse"
	case errors.As(err, &submit):
		return "submit"
	case errors.As(err, &status):
		return "commit_status"
	}
	return "other"
}

// chaincodeCode finds the chaincode's own error code among the Gateway's
// error details (one per endorsing peer), e.g. ALREADY_EXISTS.
func chaincodeCode(err error) ccerror.Code {
	var withStatus interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &withStatus) {
		return ""
	}
	for _, d := range withStatus.GRPCStatus().Details() {
		if detail, ok := d.(*gateway.ErrorDetail); ok {
			if ce, ok := ccerror.Parse(detail.GetMessage()); ok {
				return ce.Code
			}
		}
	}
	return ""
}
