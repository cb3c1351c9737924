package topology_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/network/topology"
)

func TestConsentersFollowTheConsensusType(t *testing.T) {
	top := fresh(t)
	require.Equal(t, []string{"orderer0", "orderer1", "orderer2"}, names(top.Consenters()))

	bft, err := top.WithConsensus(topology.ConsensusBFT)
	require.NoError(t, err)
	require.Equal(t, []string{"orderer0", "orderer1", "orderer2", "orderer3"}, names(bft.Consenters()))
	require.Equal(t, topology.ConsensusRaft, top.Ordering.Consensus, "the original is untouched")

	back, err := bft.WithConsensus(topology.ConsensusRaft)
	require.NoError(t, err)
	require.Len(t, back.Consenters(), 3)
}

func TestWithConsensusRejects(t *testing.T) {
	t.Run("rejects an unknown type", func(t *testing.T) {
		_, err := fresh(t).WithConsensus("kafka")
		require.ErrorIs(t, err, topology.ErrUnknownConsensus)
	})
	t.Run("rejects BFT with too few orderers", func(t *testing.T) {
		top := fresh(t)
		top.Ordering.BFTOrderers = top.Ordering.BFTOrderers[:3]
		_, err := top.WithConsensus(topology.ConsensusBFT)
		require.ErrorIs(t, err, topology.ErrInvalid)
		require.Contains(t, err.Error(), "ordering.bftOrderers: BFT needs at least 4 orderers")
	})
}

func TestLookups(t *testing.T) {
	top := fresh(t)
	t.Run("finds an org by MSP ID", func(t *testing.T) {
		o, ok := top.OrgByMSPID("HospitalMSP")
		require.True(t, ok)
		require.Equal(t, "Hospital", o.Name)
		_, ok = top.OrgByMSPID("OrdererMSP")
		require.False(t, ok, "the ordering org is not an application org")
	})
	t.Run("lists endorsing orgs without the regulator", func(t *testing.T) {
		var ids []string
		for _, o := range top.EndorsingOrgs() {
			ids = append(ids, o.MSPID)
		}
		require.Equal(t, []string{"ProcurementMSP", "PublicHealthMSP", "HospitalMSP", "SocialServicesMSP", "AuditOfficeMSP"}, ids)
	})
	t.Run("finds a chaincode by name", func(t *testing.T) {
		cc, ok := top.Chaincode("procurement")
		require.True(t, ok)
		require.Equal(t, "127.0.0.1:9901", cc.Address)
		_, ok = top.Chaincode("missing")
		require.False(t, ok)
	})
	t.Run("lists anchor peers", func(t *testing.T) {
		require.Equal(t, []string{"peer0"}, peerNames(top.Orgs[0].AnchorPeers()))
	})
	t.Run("renders addresses and server names", func(t *testing.T) {
		require.Equal(t, "127.0.0.1:7210", top.Orgs[0].Peers[1].Address())
		require.Equal(t, "127.0.0.1:7060", top.Ordering.Orderers[1].Address())
		require.Equal(t, "127.0.0.1:7063", top.Ordering.Orderers[1].AdminAddress())
		require.Equal(t, "127.0.0.1:7110", top.Orgs[0].CA.Address())
		require.Equal(t, "peer1.procurement.govledger.example", topology.ServerName("peer1", top.Orgs[0].Domain))
		require.Equal(t, "[::1]:7200", topology.Peer{Host: "::1", Port: 7200}.Address())
	})
}

func TestListeners(t *testing.T) {
	top := fresh(t)
	ls := top.Listeners()
	// 7 CAs x 2, 3 orderers x 3, 7 peers x 3, one per chaincode server.
	require.Len(t, ls, 14+9+21+len(top.Chaincodes))
	require.Equal(t, topology.Listener{Owner: "ordering.ca.port", Host: "127.0.0.1", Port: 7100}, ls[0])
	last := len(top.Chaincodes) - 1
	require.Equal(t, fmt.Sprintf("chaincodes[%d].address", last), ls[len(ls)-1].Owner)
	require.Equal(t, top.Chaincodes[last].Address, ls[len(ls)-1].Address())

	seen := map[int]string{}
	for _, l := range ls {
		require.NotContains(t, seen, l.Port, "%s and %s share a port", l.Owner, seen[l.Port])
		seen[l.Port] = l.Owner
	}

	t.Run("include the fourth orderer under BFT", func(t *testing.T) {
		bft, err := top.WithConsensus(topology.ConsensusBFT)
		require.NoError(t, err)
		require.Len(t, bft.Listeners(), len(ls)+3)
		require.Contains(t, bft.Listeners(), topology.Listener{Owner: "ordering.bftOrderers[3].adminPort", Host: "127.0.0.1", Port: 7083})
	})
}

func names(os []topology.Orderer) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Name)
	}
	return out
}

func peerNames(ps []topology.Peer) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}
