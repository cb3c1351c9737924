package configgen_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/govledger/govledger/network/configgen"
	"github.com/govledger/govledger/network/topology"
)

func TestCollections(t *testing.T) {
	cc := topology.Chaincode{Name: "procurement", Collections: []topology.Collection{
		{
			Name: "bids", Members: []string{"ProcurementMSP", "AuditOfficeMSP"},
			RequiredPeerCount: 1, MaxPeerCount: 2, BlockToLive: 1000,
			MemberOnlyRead: true, MemberOnlyWrite: true,
			EndorsementPolicy: "OR( 'ProcurementMSP.peer' , 'AuditOfficeMSP.peer' )",
		},
		{Name: "notes", Members: []string{"ProcurementMSP"}},
	}}
	out, err := configgen.Collections(cc)
	require.NoError(t, err)
	require.JSONEq(t, `[
	  {
	    "name": "bids",
	    "policy": "OR('ProcurementMSP.member','AuditOfficeMSP.member')",
	    "requiredPeerCount": 1,
	    "maxPeerCount": 2,
	    "blockToLive": 1000,
	    "memberOnlyRead": true,
	    "memberOnlyWrite": true,
	    "endorsementPolicy": {"signaturePolicy": "OR('ProcurementMSP.peer','AuditOfficeMSP.peer')"}
	  },
	  {
	    "name": "notes",
	    "policy": "OR('ProcurementMSP.member')",
	    "requiredPeerCount": 0,
	    "maxPeerCount": 0,
	    "blockToLive": 0,
	    "memberOnlyRead": false,
	    "memberOnlyWrite": false
	  }
	]`, string(out))
}

func TestCollectionsOfALoadedTopologyCarryTheDefaultEndorsementPolicy(t *testing.T) {
	top := load(t)
	cc, _ := top.Chaincode("procurement")
	cc.Collections = []topology.Collection{{Name: "bids", Members: []string{"ProcurementMSP", "AuditOfficeMSP"}, MaxPeerCount: 1}}
	data, err := yamlRoundTrip(top)
	require.NoError(t, err)
	reloaded, err := topology.Parse(data)
	require.NoError(t, err)
	rcc, _ := reloaded.Chaincode("procurement")

	out, err := configgen.Collections(*rcc)
	require.NoError(t, err)
	var got []map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	require.Equal(t, map[string]any{"signaturePolicy": "OR('ProcurementMSP.peer','AuditOfficeMSP.peer')"}, got[0]["endorsementPolicy"])
}

func TestCollectionsWithoutCollectionsIsNil(t *testing.T) {
	out, err := configgen.Collections(topology.Chaincode{Name: "noop"})
	require.NoError(t, err)
	require.Nil(t, out)
}

func TestCollectionsRejects(t *testing.T) {
	cases := []struct {
		name string
		col  topology.Collection
		want string
	}{
		{"a collection without members", topology.Collection{Name: "x"}, "no members"},
		{"a member that is no MSP ID", topology.Collection{Name: "x", Members: []string{"not an msp"}}, "members"},
		{"an endorsement policy that does not parse", topology.Collection{Name: "x", Members: []string{"AMSP"}, EndorsementPolicy: "OR("}, "endorsementPolicy"},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			_, err := configgen.Collections(topology.Chaincode{Name: "cc", Collections: []topology.Collection{c.col}})
			require.ErrorIs(t, err, configgen.ErrCollection)
			require.Contains(t, err.Error(), c.want)
		})
	}
}

// yamlRoundTrip writes a topology back out as a topology file would say it.
func yamlRoundTrip(top *topology.Topology) ([]byte, error) { return yaml.Marshal(top) }
