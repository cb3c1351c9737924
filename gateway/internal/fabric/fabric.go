// Package fabric is the gateway's adapter to a real Fabric network through
// the Fabric Gateway SDK (github.com/hyperledger/fabric-gateway/pkg/client).
//
// Every call uses the SDK's offline-signing flow: a proposal is built for the
// caller's certificate without a key, its digest is signed outside the
// adapter (by the wallet or by the client), and the signed bytes are turned
// back into SDK objects with NewSignedProposal / NewSignedTransaction. Only
// the gateway's own service identity signs inside the adapter, for what the
// gateway does on its own behalf: reading metadata and block height, commit
// statuses and chaincode events.
package fabric

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// Signer is the gateway's own identity.
type Signer interface {
	Creator() ledger.Creator
	Sign(digest []byte) ([]byte, error)
}

// Peer is a peer to connect to.
type Peer struct {
	Address string
	// TLSCACert is the PEM file of the root that signed the peer's TLS
	// certificate; ServerName is the name that certificate carries.
	TLSCACert  string
	ServerName string
}

// Dial opens a TLS client connection to a peer's Gateway service. The
// connection is lazy: nothing is sent until the first call.
func Dial(p Peer) (*grpc.ClientConn, error) {
	pemBytes, err := os.ReadFile(p.TLSCACert)
	if err != nil {
		return nil, fmt.Errorf("read TLS root of %s: %w", p.Address, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("TLS root %s of %s holds no certificate", p.TLSCACert, p.Address)
	}
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: p.ServerName, MinVersion: tls.VersionTLS12})
	conn, err := grpc.NewClient(p.Address, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", p.Address, err)
	}
	return conn, nil
}

// Adapter implements the gateway's ledger ports over one or more peers of
// the organisation; calls go to the first peer whose connection is usable.
type Adapter struct {
	channel  string
	conns    []grpc.ClientConnInterface
	service  Signer
	timeouts struct{ evaluate, endorse, submit, commit time.Duration }

	mu       sync.Mutex
	services []*client.Gateway            // per connection, signing as the service
	builders map[[32]byte]*client.Gateway // per creator, no key: builds proposals
}

// Option configures an Adapter.
type Option func(*Adapter) error

func positive(d time.Duration, what string) error {
	if d <= 0 {
		return fmt.Errorf("fabric: %s timeout must be positive", what)
	}
	return nil
}

// WithEvaluateTimeout bounds evaluations (5s by default).
func WithEvaluateTimeout(d time.Duration) Option {
	return func(a *Adapter) error { a.timeouts.evaluate = d; return positive(d, "evaluate") }
}

// WithEndorseTimeout bounds endorsements (15s by default).
func WithEndorseTimeout(d time.Duration) Option {
	return func(a *Adapter) error { a.timeouts.endorse = d; return positive(d, "endorse") }
}

// WithSubmitTimeout bounds sending to ordering (5s by default).
func WithSubmitTimeout(d time.Duration) Option {
	return func(a *Adapter) error { a.timeouts.submit = d; return positive(d, "submit") }
}

// WithCommitStatusTimeout bounds waiting for a commit status (1m by
// default).
func WithCommitStatusTimeout(d time.Duration) Option {
	return func(a *Adapter) error { a.timeouts.commit = d; return positive(d, "commit status") }
}

// New creates an adapter for a channel over the given peer connections (own
// peers first). service signs the gateway's own requests.
func New(channel string, conns []grpc.ClientConnInterface, service Signer, opts ...Option) (*Adapter, error) {
	if channel == "" || len(conns) == 0 || service == nil {
		return nil, errors.New("fabric: a channel, at least one peer connection and a service identity are required")
	}
	a := &Adapter{channel: channel, conns: conns, service: service, builders: map[[32]byte]*client.Gateway{}}
	a.timeouts.evaluate, a.timeouts.endorse, a.timeouts.submit, a.timeouts.commit = 5*time.Second, 15*time.Second, 5*time.Second, time.Minute
	for _, o := range opts {
		if err := o(a); err != nil {
			return nil, err
		}
	}
	id, err := x509Identity(service.Creator())
	if err != nil {
		return nil, fmt.Errorf("fabric: service identity: %w", err)
	}
	for _, conn := range conns {
		gw, err := client.Connect(id, client.WithClientConnection(conn), client.WithSign(service.Sign))
		if err != nil {
			return nil, fmt.Errorf("fabric: %w", err)
		}
		a.services = append(a.services, gw)
	}
	return a, nil
}

// Close releases the SDK gateways; the caller closes the connections.
func (a *Adapter) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, gw := range a.services {
		_ = gw.Close()
	}
	for _, gw := range a.builders {
		_ = gw.Close()
	}
}

func x509Identity(c ledger.Creator) (*identity.X509Identity, error) {
	cert, err := identity.CertificateFromPEM(c.Certificate)
	if err != nil {
		return nil, fmt.Errorf("%w: creator certificate: %w", ledger.ErrRejected, err)
	}
	return identity.NewX509Identity(c.MSPID, cert)
}

// gateway picks the service gateway of the first usable connection.
func (a *Adapter) gateway() *client.Gateway { return a.services[a.order()[0]] }

// order lists the connections to try, usable ones (not failing, not shut
// down) first, each group in configuration order.
func (a *Adapter) order() []int {
	var usable, failing []int
	for i, conn := range a.conns {
		if cc, ok := conn.(*grpc.ClientConn); ok {
			if s := cc.GetState(); s == connectivity.TransientFailure || s == connectivity.Shutdown {
				failing = append(failing, i)
				continue
			}
		}
		usable = append(usable, i)
	}
	return append(usable, failing...)
}

// onPeers runs call against the organisation's peers in order, moving to the
// next peer only when the last could not be reached (ErrUnavailable): a
// connection that was ready a moment ago may have just lost its peer. Every
// call the adapter makes is safe to repeat on another peer: endorsement and
// evaluation have no effects, a commit status is a read, and a resubmitted
// transaction keeps its id, so the ledger commits it at most once.
func (a *Adapter) onPeers(call func(gw *client.Gateway) error) error {
	var err error
	for _, i := range a.order() {
		if err = call(a.services[i]); !errors.Is(err, ledger.ErrUnavailable) {
			return err
		}
	}
	return err
}

// builder returns a key-less SDK gateway for a creator, cached by
// certificate.
func (a *Adapter) builder(c ledger.Creator) (*client.Gateway, error) {
	key := sha256.Sum256(append([]byte(c.MSPID+"\x00"), c.Certificate...))
	a.mu.Lock()
	defer a.mu.Unlock()
	if gw, ok := a.builders[key]; ok {
		return gw, nil
	}
	id, err := x509Identity(c)
	if err != nil {
		return nil, err
	}
	gw, err := client.Connect(id, client.WithClientConnection(a.conns[0]))
	if err != nil {
		return nil, err
	}
	a.builders[key] = gw
	return gw, nil
}

// NewProposal builds an unsigned proposal for the spec's creator.
func (a *Adapter) NewProposal(spec ledger.ProposalSpec) (ledger.Unsigned, error) {
	gw, err := a.builder(spec.Creator)
	if err != nil {
		return ledger.Unsigned{}, err
	}
	opts := []client.ProposalOption{client.WithBytesArguments(spec.Args...)}
	if len(spec.Transient) > 0 {
		opts = append(opts, client.WithTransient(spec.Transient))
	}
	if len(spec.EndorsingOrgs) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(spec.EndorsingOrgs...))
	}
	p, err := gw.GetNetwork(a.channel).GetContract(spec.Chaincode).NewProposal(spec.Transaction, opts...)
	if err != nil {
		return ledger.Unsigned{}, fmt.Errorf("build proposal: %w", err)
	}
	raw, err := p.Bytes()
	if err != nil {
		return ledger.Unsigned{}, err
	}
	return ledger.Unsigned{TxID: p.TransactionID(), Bytes: raw, Digest: p.Digest()}, nil
}

func signedProposal(gw *client.Gateway, phase ledger.Phase, signed ledger.Signed) (*client.Proposal, error) {
	p, err := gw.NewSignedProposal(signed.Bytes, signed.Signature)
	if err != nil {
		return nil, &ledger.PhaseError{Phase: phase, Err: fmt.Errorf("%w: %w", ledger.ErrRejected, err)}
	}
	return p, nil
}

// Evaluate runs a signed proposal on a peer.
func (a *Adapter) Evaluate(ctx context.Context, signed ledger.Signed) ([]byte, error) {
	var out []byte
	err := a.onPeers(func(gw *client.Gateway) error {
		p, err := signedProposal(gw, ledger.PhaseEvaluate, signed)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, a.timeouts.evaluate)
		defer cancel()
		if out, err = p.EvaluateWithContext(ctx); err != nil {
			return classify(ledger.PhaseEvaluate, p.TransactionID(), err)
		}
		return nil
	})
	return out, err
}

// Endorse collects endorsements for a signed proposal and returns the
// transaction to sign.
func (a *Adapter) Endorse(ctx context.Context, signed ledger.Signed) (ledger.Endorsed, error) {
	var out ledger.Endorsed
	err := a.onPeers(func(gw *client.Gateway) error {
		p, err := signedProposal(gw, ledger.PhaseEndorse, signed)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, a.timeouts.endorse)
		defer cancel()
		tx, err := p.EndorseWithContext(ctx)
		if err != nil {
			return classify(ledger.PhaseEndorse, p.TransactionID(), err)
		}
		out, err = endorsed(tx)
		return err
	})
	return out, err
}

func endorsed(tx *client.Transaction) (ledger.Endorsed, error) {
	raw, err := tx.Bytes()
	if err != nil {
		return ledger.Endorsed{}, err
	}
	return ledger.Endorsed{Unsigned: ledger.Unsigned{TxID: tx.TransactionID(), Bytes: raw, Digest: tx.Digest()}, Result: tx.Result()}, nil
}

// ParseTransaction reads an endorsed transaction's id and result.
func (a *Adapter) ParseTransaction(raw []byte) (ledger.Endorsed, error) {
	tx, err := a.gateway().NewTransaction(raw)
	if err != nil {
		return ledger.Endorsed{}, &ledger.PhaseError{Phase: ledger.PhaseSubmit, Err: fmt.Errorf("%w: %w", ledger.ErrRejected, err)}
	}
	return endorsed(tx)
}

// Submit sends a signed transaction to ordering.
func (a *Adapter) Submit(ctx context.Context, signed ledger.Signed) error {
	return a.onPeers(func(gw *client.Gateway) error {
		tx, err := gw.NewSignedTransaction(signed.Bytes, signed.Signature)
		if err != nil {
			return &ledger.PhaseError{Phase: ledger.PhaseSubmit, Err: fmt.Errorf("%w: %w", ledger.ErrRejected, err)}
		}
		ctx, cancel := context.WithTimeout(ctx, a.timeouts.submit)
		defer cancel()
		if _, err := tx.SubmitWithContext(ctx); err != nil {
			return classify(ledger.PhaseSubmit, tx.TransactionID(), err)
		}
		return nil
	})
}

// CommitStatus waits for a transaction's commit status, asking as the
// service identity (any channel reader may), so it works for transactions
// signed by anyone and after a restart.
func (a *Adapter) CommitStatus(ctx context.Context, txID string) (ledger.Status, error) {
	creator, err := serializedCreator(a.service.Creator())
	if err != nil {
		return ledger.Status{}, err
	}
	req, err := proto.Marshal(&gateway.CommitStatusRequest{TransactionId: txID, ChannelId: a.channel, Identity: creator})
	if err != nil {
		return ledger.Status{}, err
	}
	signedReq, err := proto.Marshal(&gateway.SignedCommitStatusRequest{Request: req})
	if err != nil {
		return ledger.Status{}, err
	}
	var out ledger.Status
	err = a.onPeers(func(gw *client.Gateway) error {
		commit, err := gw.NewCommit(signedReq)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, a.timeouts.commit)
		defer cancel()
		st, err := commit.StatusWithContext(ctx)
		if err != nil {
			return classify(ledger.PhaseCommitStatus, txID, err)
		}
		out = ledger.Status{TxID: txID, Block: st.BlockNumber, Code: st.Code.String()}
		return nil
	})
	return out, err
}

// Metadata evaluates org.hyperledger.fabric:GetMetadata as the service.
func (a *Adapter) Metadata(ctx context.Context, chaincode string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeouts.evaluate)
	defer cancel()
	out, err := a.gateway().GetNetwork(a.channel).GetContract(chaincode).EvaluateWithContext(ctx, "org.hyperledger.fabric:GetMetadata")
	if err != nil {
		return nil, classify(ledger.PhaseEvaluate, "", err)
	}
	return out, nil
}

// Height reads the channel's block height from qscc GetChainInfo.
func (a *Adapter) Height(ctx context.Context) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeouts.evaluate)
	defer cancel()
	out, err := a.gateway().GetNetwork(a.channel).GetContract("qscc").
		EvaluateWithContext(ctx, "GetChainInfo", client.WithArguments(a.channel))
	if err != nil {
		return 0, classify(ledger.PhaseEvaluate, "", err)
	}
	var info common.BlockchainInfo
	if err := proto.Unmarshal(out, &info); err != nil {
		return 0, fmt.Errorf("decode chain info: %w", err)
	}
	return info.GetHeight(), nil
}

// ChaincodeEvents streams a chaincode's events from a position (nil: next
// block). The channel closes when ctx ends or the stream breaks.
func (a *Adapter) ChaincodeEvents(ctx context.Context, chaincode string, from *ledger.Position) (<-chan ledger.Event, error) {
	var opts []client.ChaincodeEventsOption
	switch {
	case from == nil:
	case from.AfterTxID == "":
		// WithCheckpoint ignores a zero checkpoint and would start at the
		// next block instead of block 0.
		opts = append(opts, client.WithStartBlock(from.Block))
	default:
		opts = append(opts, client.WithCheckpoint(checkpoint(*from)))
	}
	in, err := a.gateway().GetNetwork(a.channel).ChaincodeEvents(ctx, chaincode, opts...)
	if err != nil {
		return nil, classify(ledger.PhaseEvents, "", err)
	}
	out := make(chan ledger.Event)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- ledger.Event{Block: ev.BlockNumber, TxID: ev.TransactionID, Chaincode: ev.ChaincodeName, Name: ev.EventName, Payload: ev.Payload}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

type checkpoint ledger.Position

func (c checkpoint) BlockNumber() uint64   { return c.Block }
func (c checkpoint) TransactionID() string { return c.AfterTxID }

// Ready succeeds when at least one peer connection is usable, connecting
// idle ones.
func (a *Adapter) Ready(ctx context.Context) error {
	var states []string
	for _, conn := range a.conns {
		cc, ok := conn.(*grpc.ClientConn)
		if !ok {
			return nil
		}
		s := cc.GetState()
		if s == connectivity.Idle {
			cc.Connect()
		}
		for s != connectivity.Ready && s != connectivity.Shutdown {
			if !cc.WaitForStateChange(ctx, s) {
				break
			}
			s = cc.GetState()
			if s == connectivity.TransientFailure {
				break
			}
		}
		if s == connectivity.Ready {
			return nil
		}
		states = append(states, cc.Target()+"="+s.String())
	}
	return fmt.Errorf("%w: no peer reachable (%v)", ledger.ErrUnavailable, states)
}

// serializedCreator is the creator as Fabric messages carry it.
func serializedCreator(c ledger.Creator) ([]byte, error) {
	id, err := x509Identity(c)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(&msp.SerializedIdentity{Mspid: id.MspID(), IdBytes: id.Credentials()})
}

// chaincodeResponse is how Fabric's gateway reports a chaincode's own error
// in status and detail messages.
var chaincodeResponse = regexp.MustCompile(`(?s)chaincode response (\d+), (.*)`)

// classify turns an SDK/gRPC error into a ledger.PhaseError whose chain says
// what kind of failure it was.
func classify(phase ledger.Phase, txID string, err error) error {
	var txErr *client.TransactionError
	if errors.As(err, &txErr) && txID == "" {
		txID = txErr.TransactionID
	}
	st, ok := status.FromError(err)
	if !ok {
		// Context errors and local failures keep their own chain.
		return &ledger.PhaseError{Phase: phase, TxID: txID, Err: err}
	}
	messages := []string{}
	for _, d := range st.Details() {
		if ed, ok := d.(*gateway.ErrorDetail); ok {
			messages = append(messages, ed.GetMessage())
		}
	}
	messages = append(messages, st.Message())
	for _, m := range messages {
		if sub := chaincodeResponse.FindStringSubmatch(m); sub != nil {
			code, err := strconv.ParseInt(sub[1], 10, 32)
			if err == nil {
				return &ledger.PhaseError{Phase: phase, TxID: txID, Err: &ledger.ChaincodeError{Status: int32(code), Message: sub[2]}}
			}
		}
	}
	var kind error
	switch st.Code() {
	case codes.DeadlineExceeded:
		kind = context.DeadlineExceeded
	case codes.Canceled:
		kind = context.Canceled
	case codes.Unavailable:
		kind = ledger.ErrUnavailable
	case codes.PermissionDenied:
		kind = ledger.ErrPermissionDenied
	case codes.NotFound:
		kind = ledger.ErrNotFound
	default:
		kind = ledger.ErrRejected
	}
	return &ledger.PhaseError{Phase: phase, TxID: txID, Err: fmt.Errorf("%w: %s", kind, st.Message())}
}
