//go:build integration

// Package integration runs the GovLedger network from nothing and checks what
// every other part relies on: each org transacts through its own peer, the
// regulator's peer keeps the same chain and cannot endorse, and regulator
// identities cannot write.
package integration

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/test-network/harness"
)

var net *harness.Network

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := harness.FindRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	state, err := os.MkdirTemp("", "govledger-it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	net, err = harness.New(harness.Options{Root: root, State: state, Topology: os.Getenv("GOVLEDGER_TOPOLOGY"), Consensus: os.Getenv("GOVLEDGER_CONSENSUS"), Log: os.Stdout})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	if err := net.Up(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "network up:", err)
		// Keep the state folder (logs, keys) for diagnosis; stop every process.
		if err := net.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "network stop:", err)
		}
		fmt.Fprintln(os.Stderr, "state and logs kept in", state)
		return 1
	}
	defer func() {
		if err := net.Down(); err != nil {
			fmt.Fprintln(os.Stderr, "network down:", err)
		}
	}()
	fmt.Printf("network up from nothing in %.1fs\n", time.Since(start).Seconds())
	return m.Run()
}

// writers are the orgs whose users may transact; RegulatorMSP only reads.
var writers = []struct{ msp, user string }{
	{"ProcurementMSP", "buyer1"},
	{"PublicHealthMSP", "epidemiologist1"},
	{"HospitalMSP", "reporter1"},
	{"SocialServicesMSP", "caseworker1"},
	{"AuditOfficeMSP", "auditor1"},
}

func contract(t *testing.T, msp, peerName, user, chaincode string) *client.Contract {
	t.Helper()
	gw, conn, err := net.Connect(msp, peerName, user)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = gw.Close()
		_ = conn.Close()
	})
	return gw.GetNetwork(net.Topology.Channel.Name).GetContract(chaincode)
}

func TestEveryOrgSubmitsAndEvaluatesThroughItsOwnPeer(t *testing.T) {
	for _, w := range writers {
		t.Run(w.msp, func(t *testing.T) {
			c := contract(t, w.msp, "peer0", w.user, "noop")
			key := "it-" + w.msp
			_, commit, err := c.SubmitAsync("Noop:Put", client.WithArguments(key, "hello from "+w.msp))
			require.NoError(t, err)
			status, err := commit.Status()
			require.NoError(t, err)
			require.True(t, status.Successful, "validation code %s", status.Code)

			got, err := c.EvaluateTransaction("Noop:Get", key)
			require.NoError(t, err)
			require.Equal(t, "hello from "+w.msp, string(got))
		})
	}
	t.Run("ProcurementMSP second peer", func(t *testing.T) {
		c := contract(t, "ProcurementMSP", "peer1", "buyer1", "noop")
		_, err := c.SubmitTransaction("Noop:Put", "it-peer1", "v")
		require.NoError(t, err)
	})
}

func TestRegulatorReadsButCannotWrite(t *testing.T) {
	c := contract(t, "RegulatorMSP", "peer0", "regulator1", "noop")
	_, err := c.EvaluateTransaction("Noop:Get", "it-regulator-seed")
	require.NoError(t, err, "the regulator evaluates through its own peer")

	_, err = c.SubmitTransaction("Noop:Put", "it-regulator", "forbidden")
	var submitErr *client.SubmitError
	require.ErrorAs(t, err, &submitErr, "the ordering service refuses a regulator identity's transaction (channel Writers policy)")
}

func TestEndorsementByRegulatorAloneFailsPolicy(t *testing.T) {
	c := contract(t, "ProcurementMSP", "peer0", "buyer1", "noop")
	_, commit, err := c.SubmitAsync("Noop:Put",
		client.WithArguments("it-regulator-only", "x"),
		client.WithEndorsingOrganizations("RegulatorMSP"))
	require.NoError(t, err, "the regulator's peer can simulate the proposal")
	status, err := commit.Status()
	require.NoError(t, err)
	require.False(t, status.Successful)
	require.Equal(t, peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE, status.Code)
}

func TestRegulatorPeerHoldsTheSameChain(t *testing.T) {
	c := contract(t, "AuditOfficeMSP", "peer0", "auditor1", "noop")
	_, err := c.SubmitTransaction("Noop:Put", "it-chain", "mark")
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ref, err := net.ChainInfo(ctx, "ProcurementMSP", "peer0")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		for _, p := range net.PeerNames() {
			msp, name := split(p)
			info, err := net.ChainInfo(ctx, msp, name)
			if err != nil || info.Height < ref.Height {
				return false
			}
		}
		return true
	}, 30*time.Second, 500*time.Millisecond, "every peer reaches height %d", ref.Height)
	// Heights move on as other tests commit; compare at one fixed height by
	// asking again until every peer reports the same height and hash.
	require.Eventually(t, func() bool {
		var first harness.BlockInfo
		for i, p := range net.PeerNames() {
			msp, name := split(p)
			info, err := net.ChainInfo(ctx, msp, name)
			if err != nil {
				return false
			}
			if i == 0 {
				first = info
				continue
			}
			if info != first {
				return false
			}
		}
		return true
	}, 30*time.Second, 500*time.Millisecond, "every peer, the regulator's included, reports the same height and block hash")
}

func split(p string) (string, string) {
	for i := range p {
		if p[i] == '/' {
			return p[:i], p[i+1:]
		}
	}
	return p, ""
}
