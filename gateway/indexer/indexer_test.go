package indexer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
)

func TestNew(t *testing.T) {
	store, _ := openStore(t)
	src := &fakeSource{}
	tests := []struct {
		name    string
		source  BlockSource
		store   Store
		channel string
	}{
		{"rejects a missing source", nil, store, testChannel},
		{"rejects a missing store", src, nil, testChannel},
		{"rejects a channel name Fabric would refuse", src, store, "Public_Services"},
		{"rejects an empty channel name", src, store, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.source, tc.store, tc.channel)
			require.Error(t, err)
		})
	}
	t.Run("rejects a missing network", func(t *testing.T) {
		_, err := NewForNetwork(nil, store)
		require.Error(t, err)
	})
}

func TestRunIndexesEveryTransaction(t *testing.T) {
	f := newFixture(t)
	store, _ := openStore(t)
	var logs bytes.Buffer
	ix, err := New(&fakeSource{blocks: f.chain.blocks}, store, testChannel,
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)

	err = ix.Run(context.Background())

	require.ErrorIs(t, err, ErrSourceUnavailable, "the source closing is reported so the caller can resume")
	for _, b := range f.chain.blocks {
		wantRec, want, err := Decode(b)
		require.NoError(t, err)
		gotRec, err := store.Block(context.Background(), b.Header.Number)
		require.NoError(t, err)
		require.Equal(t, wantRec, gotRec)
		got, err := store.BlockActions(context.Background(), b.Header.Number)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	require.Contains(t, logs.String(), "indexed block")
	require.NotContains(t, logs.String(), "tender", "logs carry no transaction contents")
}

func TestRunResumesAfterRestart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	blocks := f.chain.blocks

	t.Run("resumes at the next unindexed block with no gap and no duplicate", func(t *testing.T) {
		path := t.TempDir() + "/audit.db"
		first, err := OpenSQLite(ctx, path)
		require.NoError(t, err)
		ix, err := New(&fakeSource{blocks: blocks[:3]}, first, testChannel)
		require.NoError(t, err)
		require.ErrorIs(t, ix.Run(ctx), ErrSourceUnavailable)
		require.NoError(t, first.Close())

		// The restarted process gets a source that cannot serve blocks
		// 0-2 again: asking for them would fail the run.
		second, err := OpenSQLite(ctx, path)
		require.NoError(t, err)
		defer func() { _ = second.Close() }()
		ix, err = New(&fakeSource{blocks: blocks, first: 3}, second, testChannel)
		require.NoError(t, err)
		require.ErrorIs(t, ix.Run(ctx), ErrSourceUnavailable)

		page, err := second.Query(ctx, Query{Limit: MaxPageSize})
		require.NoError(t, err)
		var seen []string
		for _, a := range page.Actions {
			seen = append(seen, fmt.Sprintf("%d/%d", a.BlockNumber, a.TxIndex))
		}
		require.Equal(t, []string{"0/0", "1/0", "1/1", "2/0", "2/1", "3/0", "4/0"}, seen)
	})

	t.Run("skips blocks a source delivers again", func(t *testing.T) {
		store, _ := openStore(t)
		indexAll(t, store, blocks[:3])
		ix, err := New(redeliver{&fakeSource{blocks: blocks}}, store, testChannel)
		require.NoError(t, err)
		require.ErrorIs(t, ix.Run(ctx), ErrSourceUnavailable)
		page, err := store.Query(ctx, Query{})
		require.NoError(t, err)
		require.Len(t, page.Actions, 7)
	})

	t.Run("refuses a re-delivered block that differs from the indexed one", func(t *testing.T) {
		store, _ := openStore(t)
		indexAll(t, store, blocks[:3])
		forged := proto.CloneOf(blocks[1])
		forged.Header.DataHash = bytes.Repeat([]byte{1}, 32)
		ix, err := New(redeliver{&fakeSource{blocks: []*common.Block{forged}}}, store, testChannel)
		require.NoError(t, err)
		var conflict *ConflictError
		require.ErrorAs(t, ix.Run(ctx), &conflict)
		require.Equal(t, uint64(1), conflict.Block)
		require.ErrorIs(t, conflict, ErrConflict)
		require.Contains(t, conflict.Error(), "block 1 has hash")
	})

	t.Run("refuses a block beyond the next one", func(t *testing.T) {
		store, _ := openStore(t)
		indexAll(t, store, blocks[:2])
		ix, err := New(redeliver{&fakeSource{blocks: blocks[3:]}}, store, testChannel)
		require.NoError(t, err)
		var gap *GapError
		require.ErrorAs(t, ix.Run(ctx), &gap)
		require.Equal(t, GapError{Want: 2, Got: 3}, *gap)
		require.ErrorIs(t, gap, ErrGap)
		require.Contains(t, gap.Error(), "got block 3, the index needs block 2")
	})
}

// redeliver ignores the requested start and serves everything it holds,
// like a misbehaving or replaying source.
type redeliver struct{ src *fakeSource }

func (r redeliver) Blocks(ctx context.Context, _ uint64) (<-chan *common.Block, error) {
	return r.src.Blocks(ctx, 0)
}

func TestRunStops(t *testing.T) {
	f := newFixture(t)
	t.Run("reports a source that cannot open as unavailable", func(t *testing.T) {
		store, _ := openStore(t)
		boom := errors.New("connection refused")
		ix, err := New(&fakeSource{openErr: boom}, store, testChannel)
		require.NoError(t, err)
		err = ix.Run(context.Background())
		require.ErrorIs(t, err, ErrSourceUnavailable)
		require.ErrorIs(t, err, boom)
	})
	t.Run("returns the context's error when stopped while waiting for blocks", func(t *testing.T) {
		store, _ := openStore(t)
		ix, err := New(&fakeSource{blocks: f.chain.blocks, live: true}, store, testChannel)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- ix.Run(ctx) }()
		require.Eventually(t, func() bool {
			cp, err := store.Checkpoint(context.Background())
			return err == nil && cp.NextBlock == uint64(len(f.chain.blocks))
		}, 10*time.Second, 10*time.Millisecond)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
	t.Run("refuses a block with no header", func(t *testing.T) {
		store, _ := openStore(t)
		ix, err := New(&fakeSource{blocks: []*common.Block{{}}}, store, testChannel)
		require.NoError(t, err)
		require.ErrorIs(t, ix.Run(context.Background()), ErrMalformedBlock)
	})
	t.Run("refuses a transaction of another channel", func(t *testing.T) {
		var c testChain
		c.add(t, txSpec{txID: "x", channel: "other-channel", typ: common.HeaderType_CONFIG,
			creator: f.buyer.serialized(t)})
		store, _ := openStore(t)
		ix, err := New(&fakeSource{blocks: c.blocks}, store, testChannel)
		require.NoError(t, err)
		var be *BlockError
		require.ErrorAs(t, ix.Run(context.Background()), &be)
		require.Equal(t, "data[0].channel_header.channel_id", be.Field)
	})
	t.Run("refuses a block without validation codes", func(t *testing.T) {
		var c testChain
		c.add(t, txSpec{raw: []byte("x")})
		c.blocks[0].Metadata = nil
		store, _ := openStore(t)
		ix, err := New(&fakeSource{blocks: c.blocks}, store, testChannel)
		require.NoError(t, err)
		require.ErrorIs(t, ix.Run(context.Background()), ErrMalformedBlock)
	})
}

// fakePeer is a peer's Deliver service serving a fixed chain to the
// Gateway SDK over an in-memory connection.
type fakePeer struct {
	peer.UnimplementedDeliverServer
	blocks []*common.Block
	// live keeps the stream open after the last block, as a peer does.
	live bool
}

func (p *fakePeer) Deliver(stream grpc.BidiStreamingServer[common.Envelope, peer.DeliverResponse]) error {
	env, err := stream.Recv()
	if err != nil {
		return err
	}
	payload, chdr, seek := &common.Payload{}, &common.ChannelHeader{}, &orderer.SeekInfo{}
	if err := proto.Unmarshal(env.GetPayload(), payload); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	if err := proto.Unmarshal(payload.GetHeader().GetChannelHeader(), chdr); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	if chdr.GetChannelId() != testChannel || len(env.GetSignature()) == 0 {
		return status.Error(codes.PermissionDenied, "unsigned or wrong channel")
	}
	if err := proto.Unmarshal(payload.GetData(), seek); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	start := seek.GetStart().GetSpecified().GetNumber()
	for _, b := range p.blocks {
		if b.GetHeader().GetNumber() < start {
			continue
		}
		if err := stream.Send(&peer.DeliverResponse{Type: &peer.DeliverResponse_Block{Block: b}}); err != nil {
			return err
		}
	}
	if p.live {
		<-stream.Context().Done()
	}
	return nil
}

// connectFakePeer returns a Gateway network whose block events come from p.
func connectFakePeer(t *testing.T, p *fakePeer, who testIdentity) *client.Network {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	peer.RegisterDeliverServer(srv, p)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///fake-peer",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	cert, err := identity.CertificateFromPEM(who.certPEM)
	require.NoError(t, err)
	id, err := identity.NewX509Identity(who.mspID, cert)
	require.NoError(t, err)
	sign, err := identity.NewPrivateKeySign(who.key)
	require.NoError(t, err)
	gw, err := client.Connect(id, client.WithSign(sign), client.WithClientConnection(conn))
	require.NoError(t, err)
	t.Cleanup(func() { _ = gw.Close() })
	return gw.GetNetwork(testChannel)
}

func TestNetworkSource(t *testing.T) {
	f := newFixture(t)
	regulator := newIdentity(t, "RegulatorMSP", "regulator1", map[string]string{"role": "regulator"})

	t.Run("indexes a live peer's blocks through the Gateway SDK", func(t *testing.T) {
		store, _ := openStore(t)
		ix, err := NewForNetwork(connectFakePeer(t, &fakePeer{blocks: f.chain.blocks, live: true}, regulator), store)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- ix.Run(ctx) }()
		require.Eventually(t, func() bool {
			cp, err := store.Checkpoint(context.Background())
			return err == nil && cp.NextBlock == uint64(len(f.chain.blocks))
		}, 10*time.Second, 10*time.Millisecond)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)

		rep, err := Verify(context.Background(), NewNetworkSource(connectFakePeer(t, &fakePeer{blocks: f.chain.blocks, live: true}, regulator)), store)
		require.NoError(t, err)
		require.Equal(t, uint64(len(f.chain.blocks)), rep.Blocks)
	})

	t.Run("asks the peer for the checkpoint block and reports the stream ending", func(t *testing.T) {
		store, _ := openStore(t)
		indexAll(t, store, f.chain.blocks[:2])
		ix, err := NewForNetwork(connectFakePeer(t, &fakePeer{blocks: f.chain.blocks}, regulator), store)
		require.NoError(t, err)
		require.ErrorIs(t, ix.Run(context.Background()), ErrSourceUnavailable)
		cp, err := store.Checkpoint(context.Background())
		require.NoError(t, err)
		require.Equal(t, uint64(len(f.chain.blocks)), cp.NextBlock)
	})
}
