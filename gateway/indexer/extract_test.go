package indexer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestDecodeExtractsEveryField(t *testing.T) {
	f := newFixture(t)
	at := func(minutes int) time.Time { return f.t0.Add(time.Duration(minutes) * time.Minute) }
	procurementAttrs := map[string]string{"role": "buyer", "agency": "MOF"}
	supplierAttrs := map[string]string{"role": "supplier", "agency": "MOF", "supplierId": "SUP-A"}
	bidKey := "bid\x00T-1\x00SUP-A\x00"
	tests := []struct {
		name  string
		block int
		tx    int
		want  Action
	}{
		{
			name: "records the genesis config transaction and its orderer signer", block: 0, tx: 0,
			want: Action{Channel: testChannel, Type: "CONFIG", Timestamp: at(0), CreatorMSPID: "OrdererMSP",
				Subject: "orderer0", ValidationCode: 0, Validation: "VALID"},
		},
		{
			name: "records who invoked which function and the public key written", block: 1, tx: 0,
			want: Action{TxID: "tx-tender", Channel: testChannel, Type: "ENDORSER_TRANSACTION", Timestamp: at(10),
				CreatorMSPID: "ProcurementMSP", Subject: "buyer1", Attributes: procurementAttrs,
				Chaincode: "procurement", Function: "Procurement:CreateTender",
				Writes:     []Write{{Namespace: "procurement", Key: "tender\x00T-1\x00", Kind: WritePut}},
				Validation: "VALID"},
		},
		{
			name: "shows a private data write only as collection and key hash", block: 1, tx: 1,
			want: Action{TxID: "tx-bid", Channel: testChannel, Type: "ENDORSER_TRANSACTION", Timestamp: at(20),
				CreatorMSPID: "ProcurementMSP", Subject: "supplierA", Attributes: supplierAttrs,
				Chaincode: "procurement", Function: "Procurement:SubmitBid",
				Writes: []Write{
					{Namespace: "procurement", Key: bidKey, Kind: WritePut},
					{Namespace: "procurement", Collection: "sealedBids", KeyHash: keyHash(bidKey), Kind: WritePut},
				},
				Validation: "VALID"},
		},
		{
			name: "keeps an invalidated transaction with the peer's validation code", block: 2, tx: 0,
			want: Action{TxID: "tx-bid-again", Channel: testChannel, Type: "ENDORSER_TRANSACTION", Timestamp: at(21),
				CreatorMSPID: "ProcurementMSP", Subject: "supplierA", Attributes: supplierAttrs,
				Chaincode: "procurement", Function: "Procurement:SubmitBid",
				Writes:         []Write{{Namespace: "procurement", Key: bidKey, Kind: WritePut}},
				ValidationCode: int32(peer.TxValidationCode_MVCC_READ_CONFLICT), Validation: "MVCC_READ_CONFLICT"},
		},
		{
			name: "records metadata writes and every namespace a chaincode-to-chaincode call wrote", block: 3, tx: 0,
			want: Action{TxID: "tx-award", Channel: testChannel, Type: "ENDORSER_TRANSACTION", Timestamp: at(40),
				CreatorMSPID: "ProcurementMSP", Subject: "buyer1", Attributes: procurementAttrs,
				Chaincode: "procurement", Function: "Procurement:Award",
				Writes: []Write{
					{Namespace: "procurement", Key: "tender\x00T-1\x00", Kind: WritePut},
					{Namespace: "procurement", Key: "tender\x00T-1\x00", Kind: WriteMetadata},
					{Namespace: "audit", Key: "event\x00tx-award\x00", Kind: WritePut},
				},
				Validation: "VALID"},
		},
		{
			name: "distinguishes deletes, purges and private metadata writes", block: 4, tx: 0,
			want: Action{TxID: "tx-withdraw", Channel: testChannel, Type: "ENDORSER_TRANSACTION", Timestamp: at(50),
				CreatorMSPID: "ProcurementMSP", Subject: "supplierA", Attributes: supplierAttrs,
				Chaincode: "procurement", Function: "Procurement:Withdraw",
				Writes: []Write{
					{Namespace: "procurement", Key: bidKey, Kind: WriteDelete},
					{Namespace: "procurement", Collection: "sealedBids", KeyHash: keyHash(bidKey), Kind: WritePurge},
					{Namespace: "procurement", Collection: "sealedBids", KeyHash: keyHash(bidKey), Kind: WriteMetadata},
				},
				Validation: "VALID"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			block := f.chain.blocks[tc.block]
			rec, actions, err := Decode(block)
			require.NoError(t, err)
			hash, err := HeaderHash(block.Header)
			require.NoError(t, err)
			require.Equal(t, BlockRecord{
				Number: uint64(tc.block), Hash: hash, PreviousHash: block.Header.PreviousHash, //nolint:gosec // tc.block is a small non-negative fixture index
				DataHash: block.Header.DataHash, TxCount: len(block.Data.Data),
			}, rec)
			want := tc.want
			want.BlockNumber, want.BlockHash, want.TxIndex = uint64(tc.block), hash, tc.tx //nolint:gosec // tc.block is a small non-negative fixture index
			require.Equal(t, want, actions[tc.tx])
		})
	}
}

func TestDecodeKeepsMalformedTransactions(t *testing.T) {
	buyer := newIdentity(t, "ProcurementMSP", "buyer1", map[string]string{"role": "buyer"})
	ts := timestamppb.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	payloadWith := func(chdr *common.ChannelHeader, shdr []byte, data []byte) []byte {
		return mustMarshal(t, &common.Envelope{Payload: mustMarshal(t, &common.Payload{
			Header: &common.Header{ChannelHeader: mustMarshal(t, chdr), SignatureHeader: shdr},
			Data:   data,
		})})
	}
	endorser := &common.ChannelHeader{Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: testChannel, TxId: "tx-1", Timestamp: ts}
	shdr := mustMarshal(t, &common.SignatureHeader{Creator: buyer.serialized(t)})
	badAttrs := certWithExtension(t, "mallory", []byte("not json"))
	tests := []struct {
		name string
		tx   txSpec
		// check asserts the parts that were decoded before the problem.
		check func(t *testing.T, a Action)
	}{
		{
			name: "keeps an envelope that is not protobuf, saying so",
			tx:   txSpec{raw: []byte{0xff, 0xff, 0xff}},
			check: func(t *testing.T, a Action) {
				require.Contains(t, a.Malformed, "envelope: ")
				require.Empty(t, a.TxID)
			},
		},
		{
			name: "names the channel header when it cannot be decoded",
			tx: txSpec{raw: mustMarshal(t, &common.Envelope{Payload: mustMarshal(t, &common.Payload{
				Header: &common.Header{ChannelHeader: []byte{0xff, 0xff}},
			})})},
			check: func(t *testing.T, a Action) { require.Contains(t, a.Malformed, "channel_header: ") },
		},
		{
			name: "keeps the channel header when the signature header is garbage",
			tx:   txSpec{raw: payloadWith(endorser, []byte{0xff, 0xff}, nil)},
			check: func(t *testing.T, a Action) {
				require.Equal(t, "tx-1", a.TxID)
				require.Equal(t, ts.AsTime(), a.Timestamp)
				require.Contains(t, a.Malformed, "signature_header: ")
			},
		},
		{
			name: "records the MSP of a creator that is not an X.509 certificate",
			tx: txSpec{raw: payloadWith(endorser, mustMarshal(t, &common.SignatureHeader{Creator: mustMarshal(t,
				&msp.SerializedIdentity{Mspid: "IdemixMSP", IdBytes: []byte("idemix identity")})}), nil)},
			check: func(t *testing.T, a Action) {
				require.Equal(t, "IdemixMSP", a.CreatorMSPID)
				require.Empty(t, a.Subject)
				require.Equal(t, "signature_header.creator: identity is not a PEM X.509 certificate", a.Malformed)
			},
		},
		{
			name: "records a PEM creator that does not parse as a certificate",
			tx: txSpec{raw: payloadWith(endorser, mustMarshal(t, &common.SignatureHeader{Creator: mustMarshal(t,
				&msp.SerializedIdentity{Mspid: "X", IdBytes: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")})})}), nil)},
			check: func(t *testing.T, a Action) { require.Contains(t, a.Malformed, "signature_header.creator: ") },
		},
		{
			name: "keeps the subject when the attribute extension is not JSON",
			tx: txSpec{raw: payloadWith(endorser, mustMarshal(t, &common.SignatureHeader{Creator: mustMarshal(t,
				&msp.SerializedIdentity{Mspid: "ProcurementMSP", IdBytes: badAttrs})}), nil)},
			check: func(t *testing.T, a Action) {
				require.Equal(t, "mallory", a.Subject)
				require.Nil(t, a.Attributes)
				require.Contains(t, a.Malformed, "signature_header.creator.attributes: ")
			},
		},
		{
			name: "drops a timestamp outside the protobuf range and says why",
			tx: txSpec{raw: payloadWith(&common.ChannelHeader{Type: int32(common.HeaderType_CONFIG), ChannelId: testChannel,
				Timestamp: &timestamppb.Timestamp{Seconds: 1 << 62}}, shdr, nil)},
			check: func(t *testing.T, a Action) {
				require.True(t, a.Timestamp.IsZero())
				require.Contains(t, a.Malformed, "channel_header.timestamp: ")
				require.Equal(t, "buyer1", a.Subject, "decoding continues after the timestamp")
			},
		},
		{
			name:  "names the transaction when its payload data is garbage",
			tx:    txSpec{raw: payloadWith(endorser, shdr, []byte{0xff, 0xff})},
			check: func(t *testing.T, a Action) { require.Contains(t, a.Malformed, "transaction: ") },
		},
		{
			name: "names the action payload when it is garbage",
			tx: txSpec{raw: payloadWith(endorser, shdr, mustMarshal(t, &peer.Transaction{Actions: []*peer.TransactionAction{
				{Payload: []byte{0xff, 0xff}},
			}}))},
			check: func(t *testing.T, a Action) { require.Contains(t, a.Malformed, "transaction.actions[0].payload: ") },
		},
		{
			name: "names the invocation input when it is garbage",
			tx: txSpec{raw: payloadWith(endorser, shdr, mustMarshal(t, &peer.Transaction{Actions: []*peer.TransactionAction{
				{Payload: mustMarshal(t, &peer.ChaincodeActionPayload{ChaincodeProposalPayload: mustMarshal(t,
					&peer.ChaincodeProposalPayload{Input: []byte{0xff, 0xff}})})},
			}}))},
			check: func(t *testing.T, a Action) {
				require.Contains(t, a.Malformed, "transaction.actions[0].chaincode_proposal_payload.input: ")
			},
		},
		{
			name: "takes the chaincode from the endorsed action when the invocation names none",
			tx: txSpec{raw: payloadWith(endorser, shdr, mustMarshal(t, &peer.Transaction{Actions: []*peer.TransactionAction{
				{Payload: mustMarshal(t, &peer.ChaincodeActionPayload{Action: &peer.ChaincodeEndorsedAction{
					ProposalResponsePayload: mustMarshal(t, &peer.ProposalResponsePayload{Extension: mustMarshal(t,
						&peer.ChaincodeAction{ChaincodeId: &peer.ChaincodeID{Name: "benefits"}, Results: []byte{0xff, 0xff}})}),
				}})},
			}}))},
			check: func(t *testing.T, a Action) {
				require.Equal(t, "benefits", a.Chaincode)
				require.Contains(t, a.Malformed, "transaction.actions[0].results: ")
			},
		},
		{
			name: "replaces invalid UTF-8 in the function name",
			tx: txSpec{txID: "tx-utf8", channel: testChannel, typ: common.HeaderType_ENDORSER_TRANSACTION, timestamp: ts,
				creator: buyer.serialized(t), chaincode: "procurement", args: []string{"Award\xff"},
				rwsets: []nsWrites{{namespace: "procurement", writes: []*kvrwset.KVWrite{{Key: "k"}}}}},
			check: func(t *testing.T, a Action) {
				require.Equal(t, "Award\uFFFD", a.Function)
				require.Empty(t, a.Malformed)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c testChain
			c.add(t, tc.tx)
			_, actions, err := Decode(c.blocks[0])
			require.NoError(t, err)
			require.Len(t, actions, 1)
			tc.check(t, actions[0])
		})
	}
}

func TestDecodeRejectsIncompleteBlocks(t *testing.T) {
	var c testChain
	c.add(t, txSpec{raw: []byte("x")}, txSpec{raw: []byte("y")})
	good := c.blocks[0]
	tests := []struct {
		name  string
		block *common.Block
		field string
	}{
		{"rejects a block without a header", &common.Block{Data: good.Data}, "header"},
		{"rejects a block without data", &common.Block{Header: good.Header}, "data"},
		{"rejects a block without a transactions filter", &common.Block{Header: good.Header, Data: good.Data}, "metadata.transactions_filter"},
		{
			"rejects a filter with fewer codes than transactions",
			&common.Block{Header: good.Header, Data: good.Data, Metadata: &common.BlockMetadata{Metadata: [][]byte{nil, nil, {0}}}},
			"metadata.transactions_filter",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode(tc.block)
			var be *BlockError
			require.ErrorAs(t, err, &be)
			require.ErrorIs(t, err, ErrMalformedBlock)
			require.Equal(t, tc.field, be.Field)
			require.Contains(t, err.Error(), tc.field)
		})
	}
}

// certWithExtension issues a self-signed certificate whose Fabric attribute
// extension holds value as is.
func certWithExtension(t *testing.T, cn string, value []byte) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{
		SerialNumber:    big.NewInt(7),
		Subject:         pkix.Name{CommonName: cn},
		NotBefore:       time.Now().Add(-time.Hour),
		NotAfter:        time.Now().Add(time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: fabricAttrOID, Value: value}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
