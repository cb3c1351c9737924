package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/govledger/govledger/gateway/indexer"
	"github.com/govledger/govledger/network/profile"
)

const (
	channel    = "public-services"
	serverName = "peer0.auditoffice.example"
)

// pki is a throwaway CA with helpers to issue certificates.
type pki struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlsca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &pki{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a certificate (PEM) and its key for cn, with Fabric CA
// attributes when attrs is set.
func (p *pki) issue(t *testing.T, cn string, dnsNames []string, attrs map[string]string) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: dnsNames, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if attrs != nil {
		v, err := json.Marshal(map[string]any{"attrs": attrs})
		require.NoError(t, err)
		tpl.ExtraExtensions = []pkix.Extension{{Id: []int{1, 2, 3, 4, 5, 6, 7, 8, 1}, Value: v}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, p.cert, &key.PublicKey, p.key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key
}

// ledger is a growing chain of realistic blocks.
type ledger struct {
	mu     sync.Mutex
	blocks []*common.Block
}

func (l *ledger) snapshot() []*common.Block {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*common.Block(nil), l.blocks...)
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

// addTx appends a block with one endorser transaction by creator writing key.
func (l *ledger) addTx(t *testing.T, txID, mspID string, certPEM []byte, chaincode, function, key string, ts time.Time) {
	t.Helper()
	require.NoError(t, l.appendBlock(txEnvelope(t, txID, mspID, certPEM, chaincode, function, key, ts)))
}

// txEnvelope encodes one endorser transaction by creator writing key; an
// empty chaincode makes a config transaction instead.
func txEnvelope(t *testing.T, txID, mspID string, certPEM []byte, chaincode, function, key string, ts time.Time) []byte {
	t.Helper()
	creator := marshal(t, &msp.SerializedIdentity{Mspid: mspID, IdBytes: certPEM})
	chdr := &common.ChannelHeader{ChannelId: channel, TxId: txID, Timestamp: timestamppb.New(ts)}
	var data []byte
	if chaincode == "" {
		chdr.Type = int32(common.HeaderType_CONFIG)
		data = []byte("config")
	} else {
		chdr.Type = int32(common.HeaderType_ENDORSER_TRANSACTION)
		cis := &peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
			ChaincodeId: &peer.ChaincodeID{Name: chaincode},
			Input:       &peer.ChaincodeInput{Args: [][]byte{[]byte(function), []byte("arg")}},
		}}
		results := marshal(t, &rwset.TxReadWriteSet{NsRwset: []*rwset.NsReadWriteSet{{
			Namespace: chaincode,
			Rwset:     marshal(t, &kvrwset.KVRWSet{Writes: []*kvrwset.KVWrite{{Key: key, Value: []byte("v")}}}),
		}}})
		prp := &peer.ProposalResponsePayload{Extension: marshal(t, &peer.ChaincodeAction{Results: results})}
		data = marshal(t, &peer.Transaction{Actions: []*peer.TransactionAction{{Payload: marshal(t, &peer.ChaincodeActionPayload{
			ChaincodeProposalPayload: marshal(t, &peer.ChaincodeProposalPayload{Input: marshal(t, cis)}),
			Action:                   &peer.ChaincodeEndorsedAction{ProposalResponsePayload: marshal(t, prp)},
		})}}})
	}
	return marshal(t, &common.Envelope{Payload: marshal(t, &common.Payload{
		Header: &common.Header{ChannelHeader: marshal(t, chdr), SignatureHeader: marshal(t, &common.SignatureHeader{Creator: creator})},
		Data:   data,
	})})
}

// appendBlock chains a block holding env onto the ledger. It reports errors
// rather than asserting so it can run off the test goroutine.
func (l *ledger) appendBlock(env []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := &common.Block{
		Header:   &common.BlockHeader{Number: uint64(len(l.blocks))},
		Data:     &common.BlockData{Data: [][]byte{env}},
		Metadata: &common.BlockMetadata{Metadata: [][]byte{nil, nil, {byte(peer.TxValidationCode_VALID)}, nil, nil}},
	}
	if len(l.blocks) > 0 {
		prev, err := indexer.HeaderHash(l.blocks[len(l.blocks)-1].Header)
		if err != nil {
			return err
		}
		b.Header.PreviousHash = prev
	}
	b.Header.DataHash = indexer.DataHash(b.Data)
	l.blocks = append(l.blocks, b)
	return nil
}

// fakePeer serves the ledger's blocks over TLS like a peer's Deliver
// service. When closeAfter is set it ends each stream after the blocks it
// has, as a peer restarting would.
type fakePeer struct {
	peer.UnimplementedDeliverServer
	ledger     *ledger
	closeAfter bool
}

func (p *fakePeer) Deliver(stream grpc.BidiStreamingServer[common.Envelope, peer.DeliverResponse]) error {
	env, err := stream.Recv()
	if err != nil {
		return err
	}
	payload, chdr, shdr, sid, seek := &common.Payload{}, &common.ChannelHeader{}, &common.SignatureHeader{}, &msp.SerializedIdentity{}, &orderer.SeekInfo{}
	// Each step reads bytes the previous one decoded, so the byte slices
	// are taken only when the step runs.
	for _, step := range []struct {
		b func() []byte
		m proto.Message
	}{
		{env.GetPayload, payload},
		{func() []byte { return payload.GetHeader().GetChannelHeader() }, chdr},
		{func() []byte { return payload.GetHeader().GetSignatureHeader() }, shdr},
		{shdr.GetCreator, sid},
		{payload.GetData, seek},
	} {
		if err := proto.Unmarshal(step.b(), step.m); err != nil {
			return status.Error(codes.InvalidArgument, err.Error())
		}
	}
	if chdr.GetChannelId() != channel || sid.GetMspid() != "AuditOfficeMSP" || len(env.GetSignature()) == 0 {
		return status.Error(codes.PermissionDenied, "not a signed request of AuditOfficeMSP for the channel")
	}
	next := seek.GetStart().GetSpecified().GetNumber()
	for {
		blocks := p.ledger.snapshot()
		for ; next < uint64(len(blocks)); next++ {
			if err := stream.Send(&peer.DeliverResponse{Type: &peer.DeliverResponse_Block{Block: blocks[next]}}); err != nil {
				return err
			}
		}
		if p.closeAfter {
			return nil
		}
		select {
		case <-stream.Context().Done():
			return nil
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// env is a network of one fake peer, a connection profile for it and an
// auditor's credentials.
type env struct {
	dir, profile, db string
	ledger           *ledger
	peer             *fakePeer
	auditorCert      []byte
	t0               time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{dir: dir, profile: filepath.Join(dir, "profile.json"), db: filepath.Join(dir, "audit.db"),
		ledger: &ledger{}, t0: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	e.peer = &fakePeer{ledger: e.ledger}

	tlsCA := newPKI(t)
	serverCert, serverKey := tlsCA.issue(t, serverName, []string{serverName}, nil)
	keyDER, err := x509.MarshalPKCS8PrivateKey(serverKey)
	require.NoError(t, err)
	pair, err := tls.X509KeyPair(serverCert, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	require.NoError(t, err)
	srv := grpc.NewServer(grpc.Creds(credentials.NewServerTLSFromCert(&pair)))
	peer.RegisterDeliverServer(srv, e.peer)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	writeFile(t, filepath.Join(dir, "tlsca.pem"), tlsCA.pem, 0o644)

	ca := newPKI(t)
	auditorCert, auditorKey := ca.issue(t, "auditor1", nil, map[string]string{"role": "auditor", "agency": "SAI"})
	e.auditorCert = auditorCert
	userDir := filepath.Join(dir, "users", "auditor1")
	writeFile(t, filepath.Join(userDir, "signcerts", "cert.pem"), auditorCert, 0o644)
	userKeyDER, err := x509.MarshalPKCS8PrivateKey(auditorKey)
	require.NoError(t, err)
	writeFile(t, filepath.Join(userDir, "keystore", "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: userKeyDER}), 0o600)

	p := profile.Profile{
		MSPID: "AuditOfficeMSP", Channel: channel,
		Peers: []profile.Endpoint{{Name: "peer0", MSPID: "AuditOfficeMSP", Address: lis.Addr().String(),
			TLSCACert: filepath.Join(dir, "tlsca.pem"), ServerName: serverName}},
		Users: map[string]profile.User{"auditor1": {
			CertPath: filepath.Join(userDir, "signcerts", "cert.pem"), KeyDir: filepath.Join(userDir, "keystore"),
		}},
	}
	data, err := p.Marshal()
	require.NoError(t, err)
	writeFile(t, e.profile, data, 0o644)

	buyer, _ := ca.issue(t, "buyer1", nil, map[string]string{"role": "buyer", "agency": "MOF"})
	e.ledger.addTx(t, "", "OrdererMSP", buyer, "", "", "", e.t0)
	e.ledger.addTx(t, "tx-1", "ProcurementMSP", buyer, "procurement", "Procurement:CreateTender", "tender\x00T-1\x00", e.t0.Add(time.Minute))
	e.ledger.addTx(t, "tx-2", "ProcurementMSP", buyer, "procurement", "=Procurement:Award", "tender\x00T-1\x00", e.t0.Add(2*time.Minute))
	return e
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, data, mode))
}

// exec runs one command line, returning its status, stdout and stderr.
func exec(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// follow runs "run" in the background until the index holds n blocks.
func (e *env) follow(t *testing.T, n uint64, extra ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	sw := &syncWriter{w: &stderr}
	go func() {
		done <- run(ctx, append([]string{"run", "-profile", e.profile, "-user", "auditor1", "-db", e.db}, extra...), io.Discard, sw)
	}()
	defer func() {
		if t.Failed() {
			sw.mu.Lock()
			t.Log(stderr.String())
			sw.mu.Unlock()
		}
	}()
	require.Eventually(t, func() bool {
		s, err := indexer.OpenSQLite(context.Background(), e.db)
		if err != nil {
			return false
		}
		defer func() { _ = s.Close() }()
		cp, err := s.Checkpoint(context.Background())
		return err == nil && cp.NextBlock == n
	}, 20*time.Second, 20*time.Millisecond)
	cancel()
	require.Equal(t, 0, <-done)
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestRunVerifyQueryExport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.follow(t, 3)

	t.Run("verify proves the index against the peer", func(t *testing.T) {
		code, out, errOut := exec(ctx, "verify", "-profile", e.profile, "-user", "auditor1", "-db", e.db, "-peer", "AuditOfficeMSP/peer0")
		require.Equal(t, 0, code, errOut)
		var rep struct {
			Peer         string `json:"peer"`
			Blocks       uint64 `json:"blocks"`
			Transactions int    `json:"transactions"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		require.Equal(t, "AuditOfficeMSP/peer0", rep.Peer)
		require.Equal(t, uint64(3), rep.Blocks)
		require.Equal(t, 3, rep.Transactions)
	})
	t.Run("query pages through an identity's actions", func(t *testing.T) {
		code, out, errOut := exec(ctx, "query", "-db", e.db, "-msp", "ProcurementMSP", "-subject", "buyer1", "-limit", "1")
		require.Equal(t, 0, code, errOut)
		var page indexer.Page
		require.NoError(t, json.Unmarshal([]byte(out), &page))
		require.Len(t, page.Actions, 1)
		require.Equal(t, "tx-1", page.Actions[0].TxID)
		require.Equal(t, map[string]string{"role": "buyer", "agency": "MOF"}, page.Actions[0].Attributes)
		require.NotEmpty(t, page.Next)

		code, out, errOut = exec(ctx, "query", "-db", e.db, "-msp", "ProcurementMSP", "-subject", "buyer1", "-limit", "1", "-cursor", page.Next)
		require.Equal(t, 0, code, errOut)
		var last indexer.Page
		require.NoError(t, json.Unmarshal([]byte(out), &last))
		require.Equal(t, "tx-2", last.Actions[0].TxID)
		require.Empty(t, last.Next)
	})
	t.Run("query prints an empty list when nothing matches", func(t *testing.T) {
		code, out, _ := exec(ctx, "query", "-db", e.db, "-chaincode", "benefits", "-from", "2026-03-01T09:00:00Z", "-to", "2026-03-02T00:00:00Z")
		require.Equal(t, 0, code)
		require.JSONEq(t, `{"actions":[]}`, out)
	})
	t.Run("export writes a CSV report to a file", func(t *testing.T) {
		path := filepath.Join(e.dir, "report.csv")
		code, _, errOut := exec(ctx, "export", "-db", e.db, "-chaincode", "procurement", "-key", "tender\x00T-1\x00", "-format", "csv", "-out", path)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, errOut, "exported 2 actions from blocks 0-2")
		f, err := os.Open(path)
		require.NoError(t, err)
		defer func() { _ = f.Close() }()
		rows, err := csv.NewReader(f).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 3)
		require.Equal(t, "'=Procurement:Award", rows[2][11])
		leftovers, err := filepath.Glob(filepath.Join(e.dir, ".report.csv.*"))
		require.NoError(t, err)
		require.Empty(t, leftovers)
	})
	t.Run("export writes a JSON report to standard output", func(t *testing.T) {
		code, out, errOut := exec(ctx, "export", "-db", e.db, "-msp", "OrdererMSP")
		require.Equal(t, 0, code, errOut)
		var doc struct {
			Count   int              `json:"count"`
			Actions []indexer.Action `json:"actions"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &doc))
		require.Equal(t, 1, doc.Count)
		require.Equal(t, "CONFIG", doc.Actions[0].Type)
	})
	t.Run("verify reports the first mismatch with status 1", func(t *testing.T) {
		forged := filepath.Join(e.dir, "forged.db")
		data, err := os.ReadFile(e.db)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(forged, data, 0o600))
		e.ledger.mu.Lock()
		original := e.ledger.blocks[2].Metadata.Metadata[2][0]
		e.ledger.blocks[2].Metadata.Metadata[2][0] = byte(peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE)
		e.ledger.mu.Unlock()
		defer func() {
			e.ledger.mu.Lock()
			e.ledger.blocks[2].Metadata.Metadata[2][0] = original
			e.ledger.mu.Unlock()
		}()
		code, _, errOut := exec(ctx, "verify", "-profile", e.profile, "-user", "auditor1", "-db", forged)
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "block 2 tx 0 (tx-2) validation_code")
	})
}

func TestRunReconnects(t *testing.T) {
	t.Run("resumes after the peer drops the stream, with no gap or duplicate", func(t *testing.T) {
		e := newEnv(t)
		e.peer.closeAfter = true
		env := txEnvelope(t, "tx-3", "ProcurementMSP", e.auditorCert, "procurement", "Procurement:Close", "tender\x00T-1\x00", e.t0.Add(3*time.Minute))
		added := make(chan error, 1)
		go func() {
			// New blocks arrive while the indexer waits to reconnect.
			time.Sleep(200 * time.Millisecond)
			added <- e.ledger.appendBlock(env)
		}()
		e.follow(t, 4, "-max-retry", "1s", "-v")
		require.NoError(t, <-added)
		code, out, _ := exec(context.Background(), "query", "-db", e.db)
		require.Equal(t, 0, code)
		var page indexer.Page
		require.NoError(t, json.Unmarshal([]byte(out), &page))
		var ids []string
		for _, a := range page.Actions {
			ids = append(ids, fmt.Sprintf("%d:%s", a.BlockNumber, a.TxID))
		}
		require.Equal(t, []string{"0:", "1:tx-1", "2:tx-2", "3:tx-3"}, ids)
	})
}

func TestUsage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"asks for a command", nil, 2, "usage:"},
		{"rejects an unknown command", []string{"index"}, 2, `unknown command "index"`},
		{"prints a command's flags on -h", []string{"query", "-h"}, 0, "-cursor"},
		{"rejects an unknown flag", []string{"query", "-nope"}, 2, "flag provided but not defined"},
		{"rejects a stray argument", []string{"query", "extra"}, 2, `unexpected argument "extra"`},
		{"requires a profile to run", []string{"run", "-user", "auditor1"}, 2, "-profile is required"},
		{"requires a user to verify", []string{"verify", "-profile", e.profile}, 2, "-user is required"},
		{"rejects a retry shorter than a second", []string{"run", "-profile", e.profile, "-user", "auditor1", "-max-retry", "1ms"}, 2, "-max-retry"},
		{"rejects a non-positive verify timeout", []string{"verify", "-profile", e.profile, "-user", "auditor1", "-timeout", "0s"}, 2, "-timeout"},
		{"rejects a user the profile does not have", []string{"run", "-profile", e.profile, "-user", "mallory", "-db", e.db}, 2, `"mallory" is not a user of AuditOfficeMSP`},
		{"rejects a peer the profile does not have", []string{"verify", "-profile", e.profile, "-user", "auditor1", "-db", e.db, "-peer", "peer9"}, 2, "no peer peer9 of AuditOfficeMSP"},
		{"reports a missing profile", []string{"run", "-profile", filepath.Join(e.dir, "none.json"), "-user", "auditor1", "-db", e.db}, 1, "load profile"},
		{"rejects a time that is not RFC 3339", []string{"query", "-db", e.db, "-from", "yesterday"}, 2, `-from: "yesterday"`},
		{"rejects an invalid query", []string{"query", "-db", e.db, "-subject", "buyer1"}, 2, "subject: requires mspId"},
		{"rejects a page that is too large", []string{"query", "-db", e.db, "-limit", "5000"}, 2, "limit"},
		{"rejects an unknown export format", []string{"export", "-db", e.db, "-format", "pdf"}, 2, "format"},
		{"rejects an invalid export query", []string{"export", "-db", e.db, "-key", "k"}, 2, "key: requires chaincode"},
		{"rejects a bad export time", []string{"export", "-db", e.db, "-to", "soon"}, 2, "-to"},
		{"requires an index file", []string{"query", "-db", ""}, 2, "-db is required"},
		{"reports an export folder that does not exist", []string{"export", "-db", e.db, "-out", filepath.Join(e.dir, "no", "r.json")}, 1, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := exec(ctx, tc.args...)
			require.Equal(t, tc.code, code, errOut)
			require.Contains(t, out+errOut, tc.msg)
		})
	}
	t.Run("reports an empty index on export", func(t *testing.T) {
		code, _, errOut := exec(ctx, "export", "-db", filepath.Join(e.dir, "empty.db"))
		require.Equal(t, 0, code)
		require.Contains(t, errOut, "the index is empty")
	})
}

func TestLoadKey(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	tests := []struct {
		name  string
		files map[string][]byte
		mode  os.FileMode
		msg   string
	}{
		{"loads the one key of a keystore", map[string][]byte{"priv_sk": keyPEM}, 0o600, ""},
		{"refuses a key others can read", map[string][]byte{"priv_sk": keyPEM}, 0o644, "allow no more than 0600"},
		{"refuses a keystore with two keys", map[string][]byte{"a": keyPEM, "b": keyPEM}, 0o600, "holds 2 files"},
		{"refuses an empty keystore", map[string][]byte{}, 0o600, "holds 0 files"},
		{"refuses a file that is not a key", map[string][]byte{"priv_sk": []byte("not pem")}, 0o600, "failed to parse private key PEM"},
		{"refuses an oversized key file", map[string][]byte{"priv_sk": bytes.Repeat([]byte("A"), maxPEMSize+1)}, 0o600, "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				writeFile(t, filepath.Join(dir, name), data, tc.mode)
			}
			got, err := loadKey(dir)
			if tc.msg == "" {
				require.NoError(t, err)
				require.Equal(t, key, got)
				return
			}
			require.ErrorContains(t, err, tc.msg)
			require.NotContains(t, err.Error(), strings.TrimSpace(string(keyPEM)), "errors never carry key material")
		})
	}
	t.Run("reports a keystore that does not exist", func(t *testing.T) {
		_, err := loadKey(filepath.Join(t.TempDir(), "none"))
		require.Error(t, err)
	})
}
