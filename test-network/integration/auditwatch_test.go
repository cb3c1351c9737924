//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/test-network/harness"
)

// chainHeight is the channel's height as auditor1 reads it through qscc.
func chainHeight(t *testing.T, auditNet *client.Network) uint64 {
	t.Helper()
	raw, err := auditNet.GetContract("qscc").EvaluateTransaction("GetChainInfo", net.Topology.Channel.Name)
	require.NoError(t, err)
	var info common.BlockchainInfo
	require.NoError(t, proto.Unmarshal(raw, &info))
	return info.GetHeight()
}

// TestRedFlagOpensAnAuditRequestWithoutAnyoneAsking runs the audit office's
// gateway binary with the audit watch on, then has the Ministry of Finance
// publish a tender with a short period: the audit request appears on the
// ledger, and nobody in this test calls OpenRequestFromRedFlag.
func TestRedFlagOpensAnAuditRequestWithoutAnyoneAsking(t *testing.T) {
	dir := t.TempDir()
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	engagementID, tenderID := "ENG-AW-"+runID, "AW-"+runID

	auditor, conn, err := net.Connect("AuditOfficeMSP", "peer0", "auditor1")
	require.NoError(t, err)
	defer func() {
		_ = auditor.Close()
		_ = conn.Close()
	}()
	auditNet := auditor.GetNetwork(net.Topology.Channel.Name)

	// The engagement the flag should land on, opened by the audit manager.
	manager := contract(t, "AuditOfficeMSP", "peer0", "auditmanager1", "audit")
	spec, err := json.Marshal(audit.EngagementSpec{
		ID: engagementID, Agency: audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"},
		Title: "Procurement red flags", Scope: "Tenders of the Ministry of Finance.",
	})
	require.NoError(t, err)
	_, err = manager.SubmitTransaction("audit:OpenEngagement", string(spec))
	require.NoError(t, err)

	// The gateway starts from the current height, so earlier tests' flags
	// are not this engagement's business.
	require.NoError(t, harness.BuildGo(context.Background(), net.Root, dir, os.Stdout, "gateway/cmd/govledger-gateway"))
	bin := filepath.Join(dir, "govledger-gateway")
	cfg := filepath.Join(dir, "gateway.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(strings.Join([]string{
		"org: AuditOfficeMSP",
		"listen: 127.0.0.1:0",
		"profile: " + strconv.Quote(net.ProfilePath("AuditOfficeMSP")),
		"stateFile: " + strconv.Quote(filepath.Join(dir, "gateway.db")),
		"auditLog: " + strconv.Quote(filepath.Join(dir, "audit.jsonl")),
		"timeouts: {shutdown: 5s}",
		"auditWatch:",
		"  enabled: true",
		"  user: auditor1",
		"  engagements: {MOF: " + engagementID + "}",
		"  startBlock: " + strconv.FormatUint(chainHeight(t, auditNet), 10),
		"  checkpointFile: " + strconv.Quote(filepath.Join(dir, "auditwatch.json")),
		"  parkedFile: " + strconv.Quote(filepath.Join(dir, "parked.jsonl")),
		"  initialBackoff: 200ms",
		"  maxBackoff: 2s",
	}, "\n")+"\n"), 0o600))
	logPath := filepath.Join(dir, "gateway.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer func() { _ = logFile.Close() }()
	gateway := exec.Command(bin, "-config", cfg)
	gateway.Dir = net.Root
	gateway.Stdout, gateway.Stderr = logFile, logFile
	require.NoError(t, gateway.Start())
	exited := make(chan error, 1)
	go func() { exited <- gateway.Wait() }()
	defer func() {
		_ = gateway.Process.Signal(os.Interrupt)
		var stopped error
		select {
		case stopped = <-exited:
		case <-time.After(15 * time.Second):
			_ = gateway.Process.Kill()
			stopped = <-exited
		}
		t.Logf("gateway stopped: %v", stopped)
		if t.Failed() {
			raw, _ := os.ReadFile(logPath)
			t.Logf("gateway log:\n%s", raw)
		}
	}()

	// The buyer allows ten days for bids, a third of the legal minimum.
	buyer := contract(t, "ProcurementMSP", "peer0", "buyer1", "procurement")
	_, err = buyer.SubmitTransaction("procurement:CreateTender", tenderDraft(t, tenderID))
	require.NoError(t, err)
	_, err = buyer.SubmitTransaction("procurement:PublishTender", tenderID)
	require.NoError(t, err)

	flag := audit.RedFlag{Entity: "tender", ID: tenderID, Kind: "shortTenderPeriod"}
	auditCC := auditNet.GetContract("audit")
	var request audit.Request
	require.Eventually(t, func() bool {
		select {
		case err := <-exited:
			exited <- err
			return false
		default:
		}
		raw, err := auditCC.EvaluateTransaction("audit:GetRequest", engagementID, audit.RedFlagRequestID(flag))
		return err == nil && json.Unmarshal(raw, &request) == nil
	}, 45*time.Second, 250*time.Millisecond, "the audit watch opens the request")
	require.Equal(t, &flag, request.Origin)
	require.Equal(t, audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"}, request.Agency)
	require.Equal(t, audit.RequestOpen, request.Status)
	_, err = os.Stat(filepath.Join(dir, "parked.jsonl"))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing was parked")
}
