package indexer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const testChannel = "public-services"

// fabricAttrOID is where Fabric CA puts enrolment attributes.
var fabricAttrOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

// testIdentity is an enrolled user as a Fabric CA would issue it.
type testIdentity struct {
	mspID   string
	cn      string
	key     *ecdsa.PrivateKey
	certPEM []byte
}

// newIdentity issues a certificate with Fabric CA attributes, signed by a
// throwaway CA.
func newIdentity(t testing.TB, mspID, cn string, attrs map[string]string) testIdentity {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ca." + mspID},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: cn, OrganizationalUnit: []string{"client"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if attrs != nil {
		value, err := json.Marshal(map[string]any{"attrs": attrs})
		require.NoError(t, err)
		tpl.ExtraExtensions = []pkix.Extension{{Id: fabricAttrOID, Value: value}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, caCert, &key.PublicKey, caKey)
	require.NoError(t, err)
	return testIdentity{
		mspID:   mspID,
		cn:      cn,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}
}

// serialized is the creator bytes of a signature header.
func (id testIdentity) serialized(t testing.TB) []byte {
	return mustMarshal(t, &msp.SerializedIdentity{Mspid: id.mspID, IdBytes: id.certPEM})
}

// nsWrites is what one namespace of a read-write set writes.
type nsWrites struct {
	namespace string
	writes    []*kvrwset.KVWrite
	metadata  []*kvrwset.KVMetadataWrite
	private   []collWrites
}

// collWrites is one private data collection's hashed writes.
type collWrites struct {
	collection string
	writes     []*kvrwset.KVWriteHash
	metadata   []*kvrwset.KVMetadataWriteHash
}

// txSpec describes a transaction to put in a block.
type txSpec struct {
	txID      string
	channel   string
	typ       common.HeaderType
	timestamp *timestamppb.Timestamp
	creator   []byte
	chaincode string
	args      []string
	rwsets    []nsWrites
	code      peer.TxValidationCode
	// raw, when set, is the envelope as is (for malformed transactions).
	raw []byte
}

func mustMarshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

func keyHash(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

// envelope builds a signed-looking transaction envelope the way a client
// and endorsers would (the signatures are not checked by the indexer).
func envelope(t testing.TB, s txSpec) []byte {
	t.Helper()
	if s.raw != nil {
		return s.raw
	}
	chdr := &common.ChannelHeader{Type: int32(s.typ), ChannelId: s.channel, TxId: s.txID, Timestamp: s.timestamp}
	shdr := &common.SignatureHeader{Creator: s.creator, Nonce: []byte("nonce-" + s.txID)}
	var data []byte
	if s.typ == common.HeaderType_ENDORSER_TRANSACTION {
		args := make([][]byte, len(s.args))
		for i, a := range s.args {
			args[i] = []byte(a)
		}
		cis := &peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
			Type:        peer.ChaincodeSpec_GOLANG,
			ChaincodeId: &peer.ChaincodeID{Name: s.chaincode},
			Input:       &peer.ChaincodeInput{Args: args},
		}}
		txrw := &rwset.TxReadWriteSet{DataModel: rwset.TxReadWriteSet_KV}
		for _, ns := range s.rwsets {
			nsrw := &rwset.NsReadWriteSet{
				Namespace: ns.namespace,
				Rwset:     mustMarshal(t, &kvrwset.KVRWSet{Writes: ns.writes, MetadataWrites: ns.metadata}),
			}
			for _, c := range ns.private {
				nsrw.CollectionHashedRwset = append(nsrw.CollectionHashedRwset, &rwset.CollectionHashedReadWriteSet{
					CollectionName: c.collection,
					HashedRwset:    mustMarshal(t, &kvrwset.HashedRWSet{HashedWrites: c.writes, MetadataWrites: c.metadata}),
					PvtRwsetHash:   []byte("pvt-hash"),
				})
			}
			txrw.NsRwset = append(txrw.NsRwset, nsrw)
		}
		action := &peer.ChaincodeAction{
			Results:     mustMarshal(t, txrw),
			Response:    &peer.Response{Status: 200},
			ChaincodeId: &peer.ChaincodeID{Name: s.chaincode, Version: "1.0"},
		}
		prp := &peer.ProposalResponsePayload{ProposalHash: []byte("proposal-hash"), Extension: mustMarshal(t, action)}
		ccPayload := &peer.ChaincodeActionPayload{
			ChaincodeProposalPayload: mustMarshal(t, &peer.ChaincodeProposalPayload{Input: mustMarshal(t, cis)}),
			Action: &peer.ChaincodeEndorsedAction{
				ProposalResponsePayload: mustMarshal(t, prp),
				Endorsements:            []*peer.Endorsement{{Endorser: s.creator, Signature: []byte("endorsement")}},
			},
		}
		data = mustMarshal(t, &peer.Transaction{Actions: []*peer.TransactionAction{{
			Header:  mustMarshal(t, shdr),
			Payload: mustMarshal(t, ccPayload),
		}}})
	} else {
		data = []byte("config-envelope")
	}
	payload := &common.Payload{
		Header: &common.Header{ChannelHeader: mustMarshal(t, chdr), SignatureHeader: mustMarshal(t, shdr)},
		Data:   data,
	}
	return mustMarshal(t, &common.Envelope{Payload: mustMarshal(t, payload), Signature: []byte("client-signature")})
}

// testChain builds a hash-linked chain of blocks as a peer delivers them.
type testChain struct {
	blocks []*common.Block
}

// add appends a block holding txs and returns it.
func (c *testChain) add(t testing.TB, txs ...txSpec) *common.Block {
	t.Helper()
	b := &common.Block{
		Header:   &common.BlockHeader{Number: uint64(len(c.blocks))},
		Data:     &common.BlockData{},
		Metadata: &common.BlockMetadata{Metadata: make([][]byte, len(common.BlockMetadataIndex_name))},
	}
	filter := make([]byte, len(txs))
	for i, tx := range txs {
		b.Data.Data = append(b.Data.Data, envelope(t, tx))
		filter[i] = byte(tx.code) //nolint:gosec // fixture validation codes are Fabric's TxValidationCode values, all below 256
	}
	b.Metadata.Metadata[common.BlockMetadataIndex_TRANSACTIONS_FILTER] = filter
	b.Metadata.Metadata[common.BlockMetadataIndex_SIGNATURES] = []byte("orderer-signatures")
	if len(c.blocks) > 0 {
		prev, err := HeaderHash(c.blocks[len(c.blocks)-1].Header)
		require.NoError(t, err)
		b.Header.PreviousHash = prev
	}
	b.Header.DataHash = DataHash(b.Data)
	c.blocks = append(c.blocks, b)
	return b
}

// fakeSource serves blocks like a peer's deliver service: in order from the
// requested start, then (if live) waits for more until ctx ends.
type fakeSource struct {
	blocks []*common.Block
	// first is the lowest block it can serve; asking for less is an error,
	// the way a source that never re-sends old blocks would behave.
	first uint64
	live  bool
	// openErr makes Blocks fail.
	openErr error
}

func (s *fakeSource) Blocks(ctx context.Context, start uint64) (<-chan *common.Block, error) {
	if s.openErr != nil {
		return nil, s.openErr
	}
	if start < s.first {
		return nil, fmt.Errorf("fake source: block %d requested, serves from %d", start, s.first)
	}
	out := make(chan *common.Block)
	go func() {
		defer close(out)
		for _, b := range s.blocks {
			if b.GetHeader().GetNumber() < start {
				continue
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
		}
		if s.live {
			<-ctx.Done()
		}
	}()
	return out, nil
}

// openStore opens a fresh SQLite index in a test folder.
func openStore(t testing.TB) (*SQLiteStore, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.db")
	s, err := OpenSQLite(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

// fixture is a realistic small ledger: a config genesis block, then
// procurement, public-health and benefits activity.
type fixture struct {
	chain                     testChain
	buyer, supplier, reporter testIdentity
	t0                        time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{
		buyer:    newIdentity(t, "ProcurementMSP", "buyer1", map[string]string{"role": "buyer", "agency": "MOF"}),
		supplier: newIdentity(t, "ProcurementMSP", "supplierA", map[string]string{"role": "supplier", "agency": "MOF", "supplierId": "SUP-A"}),
		reporter: newIdentity(t, "HospitalMSP", "reporter1", map[string]string{"role": "reporter", "agency": "HOSP1"}),
		t0:       time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
	orderer := newIdentity(t, "OrdererMSP", "orderer0", nil)
	at := func(minutes int) *timestamppb.Timestamp {
		return timestamppb.New(f.t0.Add(time.Duration(minutes) * time.Minute))
	}
	f.chain.add(t, txSpec{txID: "", channel: testChannel, typ: common.HeaderType_CONFIG, timestamp: at(0), creator: orderer.serialized(t)})
	f.chain.add(t,
		f.invoke(t, "tx-tender", f.buyer, at(10), "procurement", []string{"Procurement:CreateTender", "T-1"},
			nsWrites{namespace: "procurement", writes: []*kvrwset.KVWrite{{Key: "tender\x00T-1\x00", Value: []byte(`{}`)}}}),
		f.invoke(t, "tx-bid", f.supplier, at(20), "procurement", []string{"Procurement:SubmitBid", "T-1"},
			nsWrites{namespace: "procurement",
				writes: []*kvrwset.KVWrite{{Key: "bid\x00T-1\x00SUP-A\x00", Value: []byte(`{}`)}},
				private: []collWrites{{collection: "sealedBids", writes: []*kvrwset.KVWriteHash{
					{KeyHash: keyHash("bid\x00T-1\x00SUP-A\x00"), ValueHash: []byte("v")},
				}}}}),
	)
	conflict := f.invoke(t, "tx-bid-again", f.supplier, at(21), "procurement", []string{"Procurement:SubmitBid", "T-1"},
		nsWrites{namespace: "procurement", writes: []*kvrwset.KVWrite{{Key: "bid\x00T-1\x00SUP-A\x00", Value: []byte(`{}`)}}})
	conflict.code = peer.TxValidationCode_MVCC_READ_CONFLICT
	f.chain.add(t,
		conflict,
		f.invoke(t, "tx-case", f.reporter, at(30), "publichealth", []string{"ReportCase", "C-9"},
			nsWrites{namespace: "publichealth",
				writes: []*kvrwset.KVWrite{{Key: "case-count\x00HOSP1\x00", Value: []byte("1")}},
				private: []collWrites{{collection: "caseReports", writes: []*kvrwset.KVWriteHash{
					{KeyHash: keyHash("C-9"), ValueHash: []byte("v")},
				}}}}),
	)
	f.chain.add(t,
		f.invoke(t, "tx-award", f.buyer, at(40), "procurement", []string{"Procurement:Award", "T-1"},
			nsWrites{namespace: "procurement",
				writes:   []*kvrwset.KVWrite{{Key: "tender\x00T-1\x00", Value: []byte(`{"status":"awarded"}`)}},
				metadata: []*kvrwset.KVMetadataWrite{{Key: "tender\x00T-1\x00", Entries: []*kvrwset.KVMetadataEntry{{Name: "VALIDATION_PARAMETER"}}}}},
			nsWrites{namespace: "audit", writes: []*kvrwset.KVWrite{{Key: "event\x00tx-award\x00", Value: []byte("{}")}}}),
	)
	f.chain.add(t,
		f.invoke(t, "tx-withdraw", f.supplier, at(50), "procurement", []string{"Procurement:Withdraw", "T-1"},
			nsWrites{namespace: "procurement",
				writes: []*kvrwset.KVWrite{{Key: "bid\x00T-1\x00SUP-A\x00", IsDelete: true}},
				private: []collWrites{{collection: "sealedBids",
					writes:   []*kvrwset.KVWriteHash{{KeyHash: keyHash("bid\x00T-1\x00SUP-A\x00"), IsDelete: true, IsPurge: true}},
					metadata: []*kvrwset.KVMetadataWriteHash{{KeyHash: keyHash("bid\x00T-1\x00SUP-A\x00")}},
				}}}),
	)
	return f
}

func (f *fixture) invoke(t testing.TB, txID string, who testIdentity, ts *timestamppb.Timestamp, chaincode string, args []string, rw ...nsWrites) txSpec {
	return txSpec{
		txID: txID, channel: testChannel, typ: common.HeaderType_ENDORSER_TRANSACTION, timestamp: ts,
		creator: who.serialized(t), chaincode: chaincode, args: args, rwsets: rw,
	}
}

// indexAll runs an indexer over the fixture's chain until the source ends.
func indexAll(t testing.TB, store Store, blocks []*common.Block) {
	t.Helper()
	ix, err := New(&fakeSource{blocks: blocks}, store, testChannel)
	require.NoError(t, err)
	require.ErrorIs(t, ix.Run(context.Background()), ErrSourceUnavailable)
}
