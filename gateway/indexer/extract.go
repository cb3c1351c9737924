package indexer

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/attrmgr"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

// ErrMalformedBlock is wrapped by every *BlockError.
var ErrMalformedBlock = errors.New("malformed block")

// BlockError reports a block the indexer cannot record faithfully, naming
// the part that breaks the rule.
type BlockError struct {
	Block uint64
	Field string
	Rule  string
}

func (e *BlockError) Error() string {
	return fmt.Sprintf("%v %d: %s: %s", ErrMalformedBlock, e.Block, e.Field, e.Rule)
}

// Unwrap makes every BlockError match ErrMalformedBlock.
func (e *BlockError) Unwrap() error { return ErrMalformedBlock }

// BlockRecord is what the index keeps of a block header.
type BlockRecord struct {
	Number       uint64 `json:"number"`
	Hash         Hash   `json:"hash"`
	PreviousHash Hash   `json:"previousHash"`
	DataHash     Hash   `json:"dataHash"`
	TxCount      int    `json:"txCount"`
}

// WriteKind says what a write did to a key.
type WriteKind string

// The kinds of write a read-write set records.
const (
	WritePut    WriteKind = "put"
	WriteDelete WriteKind = "delete"
	// WritePurge is a private data purge (hashed writes only).
	WritePurge WriteKind = "purge"
	// WriteMetadata changes a key's metadata, such as its key-level
	// endorsement policy.
	WriteMetadata WriteKind = "metadata"
)

// Write is one key a transaction wrote. Public writes carry the key;
// private data collection writes carry only the collection and the key's
// SHA-256, which is all a block holds.
type Write struct {
	Namespace  string    `json:"namespace"`
	Collection string    `json:"collection,omitempty"`
	Key        string    `json:"key,omitempty"`
	KeyHash    Hash      `json:"keyHash,omitempty"`
	Kind       WriteKind `json:"kind"`
}

// Action is one transaction as the audit trail sees it. Strings from the
// block that are not valid UTF-8 have the bad bytes replaced by U+FFFD, so
// every export format carries the same text.
type Action struct {
	BlockNumber uint64 `json:"blockNumber"`
	BlockHash   Hash   `json:"blockHash"`
	TxIndex     int    `json:"txIndex"`
	TxID        string `json:"txId"`
	Channel     string `json:"channel"`
	// Type is the channel header type (ENDORSER_TRANSACTION, CONFIG, ...).
	Type string `json:"type"`
	// Timestamp is the creator's claim in the channel header (UTC); zero if
	// absent or invalid.
	Timestamp    time.Time `json:"timestamp,omitzero"`
	CreatorMSPID string    `json:"creatorMspId"`
	// Subject is the creator certificate's common name.
	Subject string `json:"subject"`
	// Attributes are the Fabric CA attributes of the creator certificate.
	Attributes map[string]string `json:"attributes,omitempty"`
	Chaincode  string            `json:"chaincode,omitempty"`
	// Function is the first invocation argument.
	Function string  `json:"function,omitempty"`
	Writes   []Write `json:"writes,omitempty"`
	// ValidationCode is the peer's verdict (peer.TxValidationCode); only
	// VALID transactions changed the world state.
	ValidationCode int32  `json:"validationCode"`
	Validation     string `json:"validation"`
	// Malformed describes the first part of the envelope that could not be
	// decoded; the fields after it are empty. Such transactions are kept so
	// the trail has every transaction of every block.
	Malformed string `json:"malformed,omitempty"`
}

// Decode extracts a block's header record and its transactions. It does not
// check the hash chain (see checkLink); it fails only when the block lacks
// what every block delivered by a peer has: a header, data, and one
// validation code per transaction.
func Decode(block *common.Block) (BlockRecord, []Action, error) {
	if block.GetHeader() == nil {
		return BlockRecord{}, nil, &BlockError{Field: "header", Rule: "is required"}
	}
	n := block.GetHeader().GetNumber()
	if block.GetData() == nil {
		return BlockRecord{}, nil, &BlockError{Block: n, Field: "data", Rule: "is required"}
	}
	envs := block.GetData().GetData()
	var filter []byte
	if md := block.GetMetadata().GetMetadata(); len(md) > int(common.BlockMetadataIndex_TRANSACTIONS_FILTER) {
		filter = md[common.BlockMetadataIndex_TRANSACTIONS_FILTER]
	}
	if len(filter) != len(envs) {
		return BlockRecord{}, nil, &BlockError{Block: n, Field: "metadata.transactions_filter",
			Rule: fmt.Sprintf("has %d validation codes for %d transactions", len(filter), len(envs))}
	}
	hash, err := HeaderHash(block.GetHeader())
	if err != nil {
		return BlockRecord{}, nil, &BlockError{Block: n, Field: "header", Rule: err.Error()}
	}
	rec := BlockRecord{
		Number:       n,
		Hash:         hash,
		PreviousHash: block.GetHeader().GetPreviousHash(),
		DataHash:     block.GetHeader().GetDataHash(),
		TxCount:      len(envs),
	}
	actions := make([]Action, len(envs))
	for i, env := range envs {
		a := decodeEnvelope(env)
		a.BlockNumber, a.BlockHash, a.TxIndex = n, hash, i
		code := peer.TxValidationCode(filter[i])
		a.ValidationCode, a.Validation = int32(code), code.String()
		actions[i] = a
	}
	return rec, actions, nil
}

// txDecoder fills an Action and remembers the first part that failed.
type txDecoder struct {
	a Action
}

func (d *txDecoder) fail(field string, err error) {
	if d.a.Malformed == "" {
		d.a.Malformed = clean(field + ": " + err.Error())
	}
}

func (d *txDecoder) unmarshal(field string, b []byte, m proto.Message) bool {
	if err := proto.Unmarshal(b, m); err != nil {
		d.fail(field, err)
		return false
	}
	return true
}

func decodeEnvelope(raw []byte) Action {
	d := &txDecoder{}
	env, payload, chdr, shdr := &common.Envelope{}, &common.Payload{}, &common.ChannelHeader{}, &common.SignatureHeader{}
	if !d.unmarshal("envelope", raw, env) ||
		!d.unmarshal("payload", env.GetPayload(), payload) ||
		!d.unmarshal("channel_header", payload.GetHeader().GetChannelHeader(), chdr) {
		return d.a
	}
	d.a.TxID = clean(chdr.GetTxId())
	d.a.Channel = clean(chdr.GetChannelId())
	d.a.Type = common.HeaderType(chdr.GetType()).String()
	if ts := chdr.GetTimestamp(); ts != nil {
		if err := ts.CheckValid(); err != nil {
			d.fail("channel_header.timestamp", err)
		} else {
			d.a.Timestamp = ts.AsTime()
		}
	}
	if !d.unmarshal("signature_header", payload.GetHeader().GetSignatureHeader(), shdr) {
		return d.a
	}
	d.creator(shdr.GetCreator())
	if common.HeaderType(chdr.GetType()) == common.HeaderType_ENDORSER_TRANSACTION {
		d.transaction(payload.GetData())
	}
	return d.a
}

// creator records the MSP, common name and CA attributes of the signer.
func (d *txDecoder) creator(raw []byte) {
	id := &msp.SerializedIdentity{}
	if !d.unmarshal("signature_header.creator", raw, id) {
		return
	}
	d.a.CreatorMSPID = clean(id.GetMspid())
	block, _ := pem.Decode(id.GetIdBytes())
	if block == nil || block.Type != "CERTIFICATE" {
		d.fail("signature_header.creator", errors.New("identity is not a PEM X.509 certificate"))
		return
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		d.fail("signature_header.creator", err)
		return
	}
	d.a.Subject = clean(cert.Subject.CommonName)
	attrs, err := attrmgr.New().GetAttributesFromCert(cert)
	if err != nil {
		d.fail("signature_header.creator.attributes", err)
		return
	}
	for k, v := range attrs.Attrs {
		if d.a.Attributes == nil {
			d.a.Attributes = make(map[string]string, len(attrs.Attrs))
		}
		d.a.Attributes[clean(k)] = clean(v)
	}
}

// transaction records the invoked chaincode and function and every key the
// read-write sets of the transaction's actions write.
func (d *txDecoder) transaction(data []byte) {
	tx := &peer.Transaction{}
	if !d.unmarshal("transaction", data, tx) {
		return
	}
	for i, ta := range tx.GetActions() {
		field := fmt.Sprintf("transaction.actions[%d]", i)
		ccPayload := &peer.ChaincodeActionPayload{}
		if !d.unmarshal(field+".payload", ta.GetPayload(), ccPayload) {
			return
		}
		if i == 0 && !d.invocation(field, ccPayload.GetChaincodeProposalPayload()) {
			return
		}
		prp, ca := &peer.ProposalResponsePayload{}, &peer.ChaincodeAction{}
		if !d.unmarshal(field+".proposal_response_payload", ccPayload.GetAction().GetProposalResponsePayload(), prp) ||
			!d.unmarshal(field+".chaincode_action", prp.GetExtension(), ca) {
			return
		}
		if d.a.Chaincode == "" {
			d.a.Chaincode = clean(ca.GetChaincodeId().GetName())
		}
		if !d.writes(field+".results", ca.GetResults()) {
			return
		}
	}
}

func (d *txDecoder) invocation(field string, raw []byte) bool {
	cpp, cis := &peer.ChaincodeProposalPayload{}, &peer.ChaincodeInvocationSpec{}
	if !d.unmarshal(field+".chaincode_proposal_payload", raw, cpp) ||
		!d.unmarshal(field+".chaincode_proposal_payload.input", cpp.GetInput(), cis) {
		return false
	}
	spec := cis.GetChaincodeSpec()
	d.a.Chaincode = clean(spec.GetChaincodeId().GetName())
	if args := spec.GetInput().GetArgs(); len(args) > 0 {
		d.a.Function = clean(string(args[0]))
	}
	return true
}

func (d *txDecoder) writes(field string, raw []byte) bool {
	txrw := &rwset.TxReadWriteSet{}
	if !d.unmarshal(field, raw, txrw) {
		return false
	}
	for i, ns := range txrw.GetNsRwset() {
		nsField := fmt.Sprintf("%s.ns_rwset[%d]", field, i)
		name := clean(ns.GetNamespace())
		kv := &kvrwset.KVRWSet{}
		if !d.unmarshal(nsField+".rwset", ns.GetRwset(), kv) {
			return false
		}
		for _, w := range kv.GetWrites() {
			kind := WritePut
			if w.GetIsDelete() {
				kind = WriteDelete
			}
			d.a.Writes = append(d.a.Writes, Write{Namespace: name, Key: clean(w.GetKey()), Kind: kind})
		}
		for _, w := range kv.GetMetadataWrites() {
			d.a.Writes = append(d.a.Writes, Write{Namespace: name, Key: clean(w.GetKey()), Kind: WriteMetadata})
		}
		for j, coll := range ns.GetCollectionHashedRwset() {
			hashed := &kvrwset.HashedRWSet{}
			if !d.unmarshal(fmt.Sprintf("%s.collection_hashed_rwset[%d]", nsField, j), coll.GetHashedRwset(), hashed) {
				return false
			}
			collName := clean(coll.GetCollectionName())
			for _, w := range hashed.GetHashedWrites() {
				kind := WritePut
				switch {
				case w.GetIsPurge():
					kind = WritePurge
				case w.GetIsDelete():
					kind = WriteDelete
				}
				d.a.Writes = append(d.a.Writes, Write{Namespace: name, Collection: collName, KeyHash: w.GetKeyHash(), Kind: kind})
			}
			for _, w := range hashed.GetMetadataWrites() {
				d.a.Writes = append(d.a.Writes, Write{Namespace: name, Collection: collName, KeyHash: w.GetKeyHash(), Kind: WriteMetadata})
			}
		}
	}
	return true
}

// clean replaces invalid UTF-8 so text round-trips through JSON unchanged.
func clean(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
