package fabric_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	gp "github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/gateway/internal/fabric"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/testpki"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

// peerGateway is an in-process Fabric Gateway service: it checks every
// signature against the creator in the message, as a peer does, and answers
// from a small script keyed by the invoked function.
type peerGateway struct {
	gp.UnimplementedGatewayServer
	t         *testing.T
	mu        sync.Mutex
	submitted []string
	statusBy  []byte // creator that asked for the last commit status
}

func verify(t *testing.T, creator, msg, sig []byte) error {
	var id msp.SerializedIdentity
	if err := proto.Unmarshal(creator, &id); err != nil {
		return err
	}
	block, _ := pem.Decode(id.IdBytes)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return status.Error(codes.FailedPrecondition, "creator key is not ECDSA")
	}
	digest := sha256.Sum256(msg)
	if !ecdsa.VerifyASN1(pub, digest[:], sig) {
		return status.Error(codes.FailedPrecondition, "signature invalid")
	}
	return nil
}

// unpack returns the proposal's creator, channel header, and invocation args.
func unpack(sp *peer.SignedProposal) ([]byte, *common.ChannelHeader, [][]byte, map[string][]byte) {
	var prop peer.Proposal
	_ = proto.Unmarshal(sp.ProposalBytes, &prop)
	var hdr common.Header
	_ = proto.Unmarshal(prop.Header, &hdr)
	var ch common.ChannelHeader
	_ = proto.Unmarshal(hdr.ChannelHeader, &ch)
	var sh common.SignatureHeader
	_ = proto.Unmarshal(hdr.SignatureHeader, &sh)
	var payload peer.ChaincodeProposalPayload
	_ = proto.Unmarshal(prop.Payload, &payload)
	var spec peer.ChaincodeInvocationSpec
	_ = proto.Unmarshal(payload.Input, &spec)
	return sh.Creator, &ch, spec.ChaincodeSpec.Input.Args, payload.TransientMap
}

func chaincodeFailure(code codes.Code, msg string) error {
	st := status.New(code, "failed to endorse transaction, see attached details for more info")
	st, _ = st.WithDetails(protoadapt.MessageV1Of(&gp.ErrorDetail{Address: "peer0:7200", MspId: "ProcurementMSP", Message: "chaincode response 500, " + msg}))
	return st.Err()
}

func (g *peerGateway) Evaluate(_ context.Context, req *gp.EvaluateRequest) (*gp.EvaluateResponse, error) {
	creator, ch, args, _ := unpack(req.ProposedTransaction)
	if err := verify(g.t, creator, req.ProposedTransaction.ProposalBytes, req.ProposedTransaction.Signature); err != nil {
		return nil, err
	}
	switch string(args[0]) {
	case "GetChainInfo":
		raw, _ := proto.Marshal(&common.BlockchainInfo{Height: 42})
		return &gp.EvaluateResponse{Result: &peer.Response{Status: 200, Payload: raw}}, nil
	case "org.hyperledger.fabric:GetMetadata":
		return &gp.EvaluateResponse{Result: &peer.Response{Status: 200, Payload: []byte(`{"contracts":{}}`)}}, nil
	case "tender:GetTender":
		return nil, status.Error(codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, "+ccerror.New(ccerror.NotFound, "tender T9 not found").Error())
	case "slow":
		return nil, status.Error(codes.DeadlineExceeded, "evaluate timeout expired")
	case "down":
		return nil, status.Error(codes.Unavailable, "no peers available")
	case "denied":
		return nil, status.Error(codes.PermissionDenied, "access denied")
	}
	return &gp.EvaluateResponse{Result: &peer.Response{Status: 200, Payload: []byte(ch.ChannelId + ":" + string(args[len(args)-1]))}}, nil
}

func (g *peerGateway) Endorse(_ context.Context, req *gp.EndorseRequest) (*gp.EndorseResponse, error) {
	creator, ch, args, transient := unpack(req.ProposedTransaction)
	if err := verify(g.t, creator, req.ProposedTransaction.ProposalBytes, req.ProposedTransaction.Signature); err != nil {
		return nil, err
	}
	if string(args[0]) == "tender:CreateTender" && string(args[1]) == "dup" {
		return nil, chaincodeFailure(codes.Aborted, ccerror.New(ccerror.AlreadyExists, "tender dup exists").Error())
	}
	result := []byte("endorsed by " + string(req.EndorsingOrganizations[0]))
	if v, ok := transient["bid"]; ok {
		result = append(result, " with private "+string(v)...)
	}
	ext, _ := proto.Marshal(&peer.ChaincodeAction{Response: &peer.Response{Status: 200, Payload: result}})
	prp, _ := proto.Marshal(&peer.ProposalResponsePayload{Extension: ext})
	action, _ := proto.Marshal(&peer.ChaincodeActionPayload{Action: &peer.ChaincodeEndorsedAction{ProposalResponsePayload: prp}})
	txBytes, _ := proto.Marshal(&peer.Transaction{Actions: []*peer.TransactionAction{{Payload: action}}})
	chBytes, _ := proto.Marshal(&common.ChannelHeader{ChannelId: ch.ChannelId, TxId: ch.TxId, Type: int32(common.HeaderType_ENDORSER_TRANSACTION)})
	shBytes, _ := proto.Marshal(&common.SignatureHeader{Creator: creator})
	payload, _ := proto.Marshal(&common.Payload{Header: &common.Header{ChannelHeader: chBytes, SignatureHeader: shBytes}, Data: txBytes})
	return &gp.EndorseResponse{PreparedTransaction: &common.Envelope{Payload: payload}}, nil
}

func (g *peerGateway) Submit(_ context.Context, req *gp.SubmitRequest) (*gp.SubmitResponse, error) {
	var payload common.Payload
	_ = proto.Unmarshal(req.PreparedTransaction.Payload, &payload)
	var sh common.SignatureHeader
	_ = proto.Unmarshal(payload.Header.SignatureHeader, &sh)
	if err := verify(g.t, sh.Creator, req.PreparedTransaction.Payload, req.PreparedTransaction.Signature); err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.submitted = append(g.submitted, req.TransactionId)
	g.mu.Unlock()
	return &gp.SubmitResponse{}, nil
}

func (g *peerGateway) CommitStatus(_ context.Context, req *gp.SignedCommitStatusRequest) (*gp.CommitStatusResponse, error) {
	var r gp.CommitStatusRequest
	_ = proto.Unmarshal(req.Request, &r)
	if err := verify(g.t, r.Identity, req.Request, req.Signature); err != nil {
		return nil, status.Error(codes.PermissionDenied, err.Error())
	}
	g.mu.Lock()
	g.statusBy = r.Identity
	g.mu.Unlock()
	if r.TransactionId == "mvcc" {
		return &gp.CommitStatusResponse{Result: peer.TxValidationCode_MVCC_READ_CONFLICT, BlockNumber: 8}, nil
	}
	return &gp.CommitStatusResponse{Result: peer.TxValidationCode_VALID, BlockNumber: 7}, nil
}

func (g *peerGateway) ChaincodeEvents(req *gp.SignedChaincodeEventsRequest, stream grpc.ServerStreamingServer[gp.ChaincodeEventsResponse]) error {
	var r gp.ChaincodeEventsRequest
	_ = proto.Unmarshal(req.Request, &r)
	if err := verify(g.t, r.Identity, req.Request, req.Signature); err != nil {
		return err
	}
	start := uint64(0)
	if s := r.StartPosition.GetSpecified(); s != nil {
		start = s.Number
	}
	for block := start; block < start+2; block++ {
		events := []*peer.ChaincodeEvent{{ChaincodeId: r.ChaincodeId, TxId: "tx-a", EventName: "A", Payload: []byte(r.AfterTransactionId)}}
		if err := stream.Send(&gp.ChaincodeEventsResponse{BlockNumber: block, Events: events}); err != nil {
			return err
		}
	}
	return nil
}

type rig struct {
	adapter *fabric.Adapter
	peer    *peerGateway
	service *wallet.Identity
	client  testpki.Identity
	conn    *grpc.ClientConn
}

// serve runs a Gateway service in memory and connects to it.
func serve(t *testing.T, g gp.GatewayServer) *grpc.ClientConn {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	gp.RegisterGatewayServer(srv, g)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// newRig connects an adapter to a fake peer, after any peers in before.
func newRig(t *testing.T, before []grpc.ClientConnInterface, opts ...fabric.Option) *rig {
	t.Helper()
	pg := &peerGateway{t: t}
	conn := serve(t, pg)
	svc := testpki.New(t, "Admin")
	w := wallet.FromCredentials("ProcurementMSP", map[string]wallet.Credential{"Admin": {Certificate: svc.CertPEM, Sign: svc.Sign}})
	service, err := w.Identity("Admin")
	require.NoError(t, err)
	a, err := fabric.New("public-services", append(before, conn), service, opts...)
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return &rig{adapter: a, peer: pg, service: service, client: testpki.New(t, "buyer1"), conn: conn}
}

func (r *rig) creator() ledger.Creator {
	return ledger.Creator{MSPID: "ProcurementMSP", Certificate: r.client.CertPEM}
}

func (r *rig) sign(t *testing.T, u ledger.Unsigned) ledger.Signed {
	sig, err := r.client.Sign(u.Digest)
	require.NoError(t, err)
	return ledger.Signed{Bytes: u.Bytes, Signature: sig}
}

func TestOfflineFlow(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()

	t.Run("endorses, submits and settles a transaction signed outside the adapter", func(t *testing.T) {
		prop, err := r.adapter.NewProposal(ledger.ProposalSpec{
			Chaincode: "procurement", Transaction: "tender:SubmitBid", Args: [][]byte{[]byte("T1")},
			Transient: map[string][]byte{"bid": []byte("900")}, EndorsingOrgs: []string{"AuditOfficeMSP"}, Creator: r.creator(),
		})
		require.NoError(t, err)
		require.Len(t, prop.TxID, 64)
		tx, err := r.adapter.Endorse(ctx, r.sign(t, prop))
		require.NoError(t, err)
		require.Equal(t, prop.TxID, tx.TxID)
		require.Equal(t, "endorsed by AuditOfficeMSP with private 900", string(tx.Result))

		parsed, err := r.adapter.ParseTransaction(tx.Bytes)
		require.NoError(t, err)
		require.Equal(t, tx.TxID, parsed.TxID)

		require.NoError(t, r.adapter.Submit(ctx, r.sign(t, tx.Unsigned)))
		require.Equal(t, []string{tx.TxID}, r.peer.submitted)

		st, err := r.adapter.CommitStatus(ctx, tx.TxID)
		require.NoError(t, err)
		require.Equal(t, ledger.Status{TxID: tx.TxID, Block: 7, Code: ledger.CodeValid}, st)
		var asker msp.SerializedIdentity
		require.NoError(t, proto.Unmarshal(r.peer.statusBy, &asker))
		require.Equal(t, r.service.Creator().MSPID, asker.Mspid, "commit status is asked as the service identity")
	})

	t.Run("reports validation codes by name", func(t *testing.T) {
		st, err := r.adapter.CommitStatus(ctx, "mvcc")
		require.NoError(t, err)
		require.True(t, st.Retryable())
	})

	t.Run("evaluates a signed proposal on the channel", func(t *testing.T) {
		prop, err := r.adapter.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: "tender:ListTenders", Args: [][]byte{[]byte("10")}, Creator: r.creator()})
		require.NoError(t, err)
		out, err := r.adapter.Evaluate(ctx, r.sign(t, prop))
		require.NoError(t, err)
		require.Equal(t, "public-services:10", string(out))
	})

	t.Run("reads metadata and height as the service", func(t *testing.T) {
		md, err := r.adapter.Metadata(ctx, "procurement")
		require.NoError(t, err)
		require.JSONEq(t, `{"contracts":{}}`, string(md))
		h, err := r.adapter.Height(ctx)
		require.NoError(t, err)
		require.Equal(t, uint64(42), h)
	})

	t.Run("streams events from a block or after a transaction", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		ch, err := r.adapter.ChaincodeEvents(cctx, "procurement", &ledger.Position{Block: 0})
		require.NoError(t, err)
		first := <-ch
		require.Equal(t, ledger.Event{Block: 0, TxID: "tx-a", Chaincode: "procurement", Name: "A", Payload: []byte{}}, withEmpty(first))
		ch, err = r.adapter.ChaincodeEvents(cctx, "procurement", &ledger.Position{Block: 5, AfterTxID: "tx-z"})
		require.NoError(t, err)
		ev := <-ch
		require.Equal(t, uint64(5), ev.Block)
		require.Equal(t, "tx-z", string(ev.Payload), "the checkpoint's transaction is sent to the peer")
	})

	t.Run("is ready once the connection is", func(t *testing.T) {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		require.NoError(t, r.adapter.Ready(rctx))
	})
}

func withEmpty(ev ledger.Event) ledger.Event {
	if ev.Payload == nil {
		ev.Payload = []byte{}
	}
	return ev
}

func TestErrors(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	evaluate := func(fn string) error {
		prop, err := r.adapter.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: fn, Creator: r.creator()})
		require.NoError(t, err)
		_, err = r.adapter.Evaluate(ctx, r.sign(t, prop))
		return err
	}

	t.Run("extracts a chaincode error from an evaluation", func(t *testing.T) {
		err := evaluate("tender:GetTender")
		var ce *ledger.ChaincodeError
		require.ErrorAs(t, err, &ce)
		require.EqualValues(t, 500, ce.Status)
		parsed, ok := ccerror.Parse(ce.Message)
		require.True(t, ok)
		require.Equal(t, ccerror.NotFound, parsed.Code)
	})

	t.Run("extracts a chaincode error from endorsement details", func(t *testing.T) {
		prop, err := r.adapter.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: "tender:CreateTender", Args: [][]byte{[]byte("dup")}, Creator: r.creator()})
		require.NoError(t, err)
		_, err = r.adapter.Endorse(ctx, r.sign(t, prop))
		var ce *ledger.ChaincodeError
		require.ErrorAs(t, err, &ce)
		var pe *ledger.PhaseError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, prop.TxID, pe.TxID)
		require.Equal(t, ledger.PhaseEndorse, pe.Phase)
	})

	kinds := []struct {
		name string
		fn   string
		want error
	}{
		{"maps DeadlineExceeded to a timeout", "slow", context.DeadlineExceeded},
		{"maps Unavailable", "down", ledger.ErrUnavailable},
		{"maps PermissionDenied", "denied", ledger.ErrPermissionDenied},
	}
	for _, tc := range kinds {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, evaluate(tc.fn), tc.want)
		})
	}

	t.Run("rejects a signature by the wrong key", func(t *testing.T) {
		prop, err := r.adapter.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: "tender:ListTenders", Creator: r.creator()})
		require.NoError(t, err)
		other := testpki.New(t, "mallory")
		sig, err := other.Sign(prop.Digest)
		require.NoError(t, err)
		_, err = r.adapter.Evaluate(ctx, ledger.Signed{Bytes: prop.Bytes, Signature: sig})
		require.ErrorIs(t, err, ledger.ErrRejected)
	})

	t.Run("rejects bytes that are no proposal or transaction", func(t *testing.T) {
		_, err := r.adapter.Endorse(ctx, ledger.Signed{Bytes: []byte{0xff, 0x01}, Signature: []byte{1}})
		require.ErrorIs(t, err, ledger.ErrRejected)
		_, err = r.adapter.ParseTransaction([]byte{0xff, 0x01})
		require.ErrorIs(t, err, ledger.ErrRejected)
		require.ErrorIs(t, r.adapter.Submit(ctx, ledger.Signed{Bytes: []byte{0xff, 0x01}}), ledger.ErrRejected)
	})

	t.Run("rejects a creator certificate that is not PEM", func(t *testing.T) {
		_, err := r.adapter.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: "x", Creator: ledger.Creator{MSPID: "M", Certificate: []byte("junk")}})
		require.ErrorIs(t, err, ledger.ErrRejected)
	})
}

func TestNew(t *testing.T) {
	t.Run("requires a channel, connections and a service identity", func(t *testing.T) {
		_, err := fabric.New("", nil, nil)
		require.Error(t, err)
	})

	t.Run("refuses non-positive timeouts", func(t *testing.T) {
		r := newRig(t, nil)
		for _, opt := range []fabric.Option{
			fabric.WithEvaluateTimeout(0), fabric.WithEndorseTimeout(-1), fabric.WithSubmitTimeout(0), fabric.WithCommitStatusTimeout(0),
		} {
			_, err := fabric.New("ch", []grpc.ClientConnInterface{r.conn}, r.service, opt)
			require.Error(t, err)
		}
	})

	t.Run("applies its own phase timeout", func(t *testing.T) {
		r := newRig(t, nil, fabric.WithEvaluateTimeout(time.Second), fabric.WithEndorseTimeout(time.Second),
			fabric.WithSubmitTimeout(time.Second), fabric.WithCommitStatusTimeout(time.Second))
		_, err := r.adapter.CommitStatus(context.Background(), "tx")
		require.NoError(t, err)
	})
}

func TestDial(t *testing.T) {
	t.Run("refuses a TLS root that is missing or empty", func(t *testing.T) {
		_, err := fabric.Dial(fabric.Peer{Address: "127.0.0.1:7200", TLSCACert: filepath.Join(t.TempDir(), "none.pem"), ServerName: "peer0"})
		require.Error(t, err)
		empty := filepath.Join(t.TempDir(), "empty.pem")
		require.NoError(t, os.WriteFile(empty, []byte("nothing"), 0o644))
		_, err = fabric.Dial(fabric.Peer{Address: "127.0.0.1:7200", TLSCACert: empty, ServerName: "peer0"})
		require.Error(t, err)
	})

	t.Run("connects lazily with a valid root", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "ca.pem")
		require.NoError(t, os.WriteFile(root, testpki.New(t, "tlsca").CertPEM, 0o644))
		conn, err := fabric.Dial(fabric.Peer{Address: "127.0.0.1:1", TLSCACert: root, ServerName: "peer0"})
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		svc := testpki.New(t, "Admin")
		w := wallet.FromCredentials("M", map[string]wallet.Credential{"Admin": {Certificate: svc.CertPEM, Sign: svc.Sign}})
		id, _ := w.Identity("Admin")
		a, err := fabric.New("ch", []grpc.ClientConnInterface{conn}, id)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, a.Ready(ctx), ledger.ErrUnavailable)
	})
}

// downPeer is a peer whose Gateway service is going away: every call is
// Unavailable.
type downPeer struct {
	gp.UnimplementedGatewayServer
	mu    sync.Mutex
	calls int
}

func (d *downPeer) down() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	return status.Error(codes.Unavailable, "peer going down")
}

func (d *downPeer) Evaluate(context.Context, *gp.EvaluateRequest) (*gp.EvaluateResponse, error) {
	return nil, d.down()
}

func (d *downPeer) Endorse(context.Context, *gp.EndorseRequest) (*gp.EndorseResponse, error) {
	return nil, d.down()
}

func (d *downPeer) Submit(context.Context, *gp.SubmitRequest) (*gp.SubmitResponse, error) {
	return nil, d.down()
}

func (d *downPeer) CommitStatus(context.Context, *gp.SignedCommitStatusRequest) (*gp.CommitStatusResponse, error) {
	return nil, d.down()
}

func TestFailsOverToTheOrgsNextPeer(t *testing.T) {
	down := &downPeer{}
	r := newRig(t, []grpc.ClientConnInterface{serve(t, down)})
	ctx := context.Background()

	prop, err := r.adapter.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: "tender:SubmitBid", Args: [][]byte{[]byte("T1")}, EndorsingOrgs: []string{"AuditOfficeMSP"}, Creator: r.creator()})
	require.NoError(t, err)
	tx, err := r.adapter.Endorse(ctx, r.sign(t, prop))
	require.NoError(t, err, "endorsed through the second peer")
	require.NoError(t, r.adapter.Submit(ctx, r.sign(t, tx.Unsigned)))
	require.Equal(t, []string{tx.TxID}, r.peer.submitted)
	st, err := r.adapter.CommitStatus(ctx, tx.TxID)
	require.NoError(t, err)
	require.Equal(t, ledger.CodeValid, st.Code)
	down.mu.Lock()
	defer down.mu.Unlock()
	require.Equal(t, 3, down.calls, "the first peer was tried for each phase")
}
