package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/gateway/internal/app"
	"github.com/govledger/govledger/gateway/internal/config"
	"github.com/govledger/govledger/gateway/internal/fakeledger"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/testpki"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

// redFlagNetwork is a fake network with a procurement chaincode whose
// publication raises a shortTenderPeriod flag, as the real one's event data
// carries it, and an audit chaincode that opens one request per flag.
func redFlagNetwork() *fakeledger.Ledger {
	procurement := fakeledger.Chaincode{Transactions: map[string]fakeledger.Func{
		"procurement:PublishTender": func(stub *fakeledger.Stub) ([]byte, error) {
			id := string(stub.Args()[0])
			flag := map[string]string{"event": "redflag.short-tender-period", "kind": "shortTenderPeriod", "tenderId": id}
			tender, _ := json.Marshal(map[string]any{"id": id, "buyer": map[string]string{"id": "MOF"}, "redFlags": []any{flag}})
			stub.Put("tender/"+id, tender)
			event, _ := json.Marshal(map[string]any{"entity": "tender", "id": id, "action": "published",
				"data": map[string]any{"tenderId": id, "status": "active", "redFlags": []any{flag}}})
			stub.SetEvent("tender.published", event)
			return tender, nil
		},
		"procurement:GetTender": func(stub *fakeledger.Stub) ([]byte, error) {
			v := stub.Get("tender/" + string(stub.Args()[0]))
			if v == nil {
				return nil, ccerror.New(ccerror.NotFound, "tender not found")
			}
			return v, nil
		},
	}}
	auditCC := fakeledger.Chaincode{Transactions: map[string]fakeledger.Func{
		"audit:OpenRequestFromRedFlag": func(stub *fakeledger.Stub) ([]byte, error) {
			if stub.Creator().MSPID != "AuditOfficeMSP" {
				return nil, ccerror.New(ccerror.PermissionDenied, "auditors only")
			}
			var flag audit.RedFlag
			if err := json.Unmarshal(stub.Args()[1], &flag); err != nil {
				return nil, ccerror.New(ccerror.InvalidArgument, "flag")
			}
			key := "request/" + string(stub.Args()[0]) + "/" + audit.RedFlagRequestID(flag)
			if stub.Get(key) != nil {
				return nil, ccerror.New(ccerror.AlreadyExists, "request exists")
			}
			r, _ := json.Marshal(map[string]any{"id": audit.RedFlagRequestID(flag), "origin": flag})
			stub.Put(key, r)
			return r, nil
		},
	}}
	return fakeledger.New(map[string]fakeledger.Chaincode{"procurement": procurement, "audit": auditCC})
}

// publish submits procurement PublishTender as the agency's buyer, straight
// to the network, as the buyer's own gateway would.
func publish(t *testing.T, l *fakeledger.Ledger, buyer testpki.Identity, tenderID string) {
	t.Helper()
	ctx := context.Background()
	p, err := l.NewProposal(ledger.ProposalSpec{Chaincode: "procurement", Transaction: "procurement:PublishTender",
		Args: [][]byte{[]byte(tenderID)}, Creator: ledger.Creator{MSPID: "ProcurementMSP", Certificate: buyer.CertPEM}})
	require.NoError(t, err)
	sig, err := buyer.Sign(p.Digest)
	require.NoError(t, err)
	e, err := l.Endorse(ctx, ledger.Signed{Bytes: p.Bytes, Signature: sig})
	require.NoError(t, err)
	sig, err = buyer.Sign(e.Digest)
	require.NoError(t, err)
	require.NoError(t, l.Submit(ctx, ledger.Signed{Bytes: e.Bytes, Signature: sig}))
	st, err := l.CommitStatus(ctx, e.TxID)
	require.NoError(t, err)
	require.True(t, st.Valid(), st.Code)
}

func requestOpened(l *fakeledger.Ledger, engagementID, tenderID string) func() bool {
	id := audit.RedFlagRequestID(audit.RedFlag{Entity: "tender", ID: tenderID, Kind: "shortTenderPeriod"})
	return func() bool {
		_, ok := l.Value("audit", "request/"+engagementID+"/"+id)
		return ok
	}
}

func TestAuditWatch(t *testing.T) {
	auditor := testpki.New(t, "auditor1")
	admin := testpki.New(t, "Admin")
	auditOffice := wallet.FromCredentials("AuditOfficeMSP", map[string]wallet.Credential{
		"auditor1": {Certificate: auditor.CertPEM, Sign: auditor.Sign},
		"Admin":    {Certificate: admin.CertPEM, Sign: admin.Sign},
		"external": {Certificate: admin.CertPEM},
	})
	configured := func(t *testing.T) *config.Config {
		dir := t.TempDir()
		cfg := config.Defaults()
		cfg.Org = "AuditOfficeMSP"
		cfg.Profile = filepath.Join(dir, "AuditOfficeMSP.json")
		cfg.StateFile = filepath.Join(dir, "gateway.db")
		cfg.AuditLog = filepath.Join(dir, "audit.jsonl")
		cfg.AuditWatch.Enabled = true
		cfg.AuditWatch.User = "auditor1"
		cfg.AuditWatch.Engagements = map[string]string{"MOF": "ENG-1"}
		cfg.AuditWatch.CheckpointFile = filepath.Join(dir, "watch", "checkpoint.json")
		cfg.AuditWatch.ParkedFile = filepath.Join(dir, "watch", "parked.jsonl")
		cfg.AuditWatch.InitialBackoff = config.Duration(10 * time.Millisecond)
		cfg.AuditWatch.MaxBackoff = config.Duration(50 * time.Millisecond)
		require.NoError(t, cfg.Validate())
		return &cfg
	}

	t.Run("opens requests from red flags and resumes after a restart", func(t *testing.T) {
		l := redFlagNetwork()
		buyer := testpki.New(t, "buyer1")
		cfg := configured(t)
		run := func() (stop func()) {
			a, err := app.New(cfg, app.Setup{Ledger: l, Wallet: auditOffice}, app.WithLogger(quiet))
			require.NoError(t, err)
			ln, err := listen(t)
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- a.Run(ctx, ln) }()
			return func() {
				cancel()
				select {
				case err := <-done:
					require.NoError(t, err)
				case <-time.After(10 * time.Second):
					t.Fatal("gateway did not stop")
				}
			}
		}
		stop := run()
		publish(t, l, buyer, "T1")
		require.Eventually(t, requestOpened(l, "ENG-1", "T1"), 5*time.Second, 10*time.Millisecond)
		stop()

		publish(t, l, buyer, "T2") // while the gateway is down
		stop = run()
		defer stop()
		require.Eventually(t, requestOpened(l, "ENG-1", "T2"), 5*time.Second, 10*time.Millisecond)
		_, err := os.Stat(cfg.AuditWatch.ParkedFile)
		require.ErrorIs(t, err, os.ErrNotExist, "nothing was parked: T1 was not refused as a duplicate on restart")
	})

	refusals := []struct {
		name   string
		wallet *wallet.Wallet
		mod    func(*config.Config, *app.Setup)
		field  string
	}{
		{"refuses it on another organisation's gateway", wallet.FromCredentials("ProcurementMSP", map[string]wallet.Credential{
			"auditor1": {Certificate: auditor.CertPEM, Sign: auditor.Sign},
		}), func(*config.Config, *app.Setup) {}, "auditWatch.enabled"},
		{"refuses it on a read-only gateway", auditOffice, func(_ *config.Config, s *app.Setup) { s.ReadOnly = true }, "auditWatch.enabled"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			cfg := configured(t)
			s := app.Setup{Ledger: redFlagNetwork(), Wallet: tc.wallet}
			tc.mod(cfg, &s)
			_, err := app.New(cfg, s, app.WithLogger(quiet))
			var fe *config.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
	for _, user := range []string{"nobody", "external"} {
		t.Run(fmt.Sprintf("refuses a user the gateway cannot sign for (%s)", user), func(t *testing.T) {
			cfg := configured(t)
			cfg.AuditWatch.User = user
			_, err := app.New(cfg, app.Setup{Ledger: redFlagNetwork(), Wallet: auditOffice}, app.WithLogger(quiet))
			require.ErrorIs(t, err, config.ErrInvalid)
			require.Contains(t, err.Error(), "auditWatch")
		})
	}
}
