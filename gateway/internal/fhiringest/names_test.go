package fhiringest

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	healthcc "github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/network/topology"
)

// The gateway names the health chaincode's contract, functions, transient
// key and collection without importing it; they must not drift apart.
func TestNamesMatchTheHealthContract(t *testing.T) {
	require.Equal(t, healthcc.Name, contractName)
	require.Equal(t, healthcc.TransientReport, transientReport)
	require.Equal(t, healthcc.Collection, Collection)
	require.Equal(t, healthcc.HospitalMSP, HospitalMSP)
	for _, fn := range []string{SubmitFunction, settingsFunction} {
		_, ok := reflect.TypeOf(&healthcc.Contract{}).MethodByName(fn)
		require.True(t, ok, "the contract has %s", fn)
	}
	topo, err := topology.Load("../../../network/topology.yaml")
	require.NoError(t, err)
	var collections []string
	for _, cc := range topo.Chaincodes {
		if cc.Name == Chaincode {
			for _, c := range cc.Collections {
				collections = append(collections, c.Name)
			}
		}
	}
	require.Equal(t, []string{Collection}, collections, "the topology deploys %s with its collection", Chaincode)
}
