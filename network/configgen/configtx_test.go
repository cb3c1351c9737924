package configgen_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/govledger/govledger/network/configgen"
	"github.com/govledger/govledger/network/topology"
)

var layout = topology.Layout{Root: "/crypto"}

func load(t *testing.T) *topology.Topology {
	t.Helper()
	top, err := topology.Load("../topology.yaml")
	require.NoError(t, err)
	return top
}

// generate reads the generated YAML back as plain maps, the way a reader
// who knows nothing of configgen's structs sees it.
func generate(t *testing.T, top *topology.Topology) map[string]any {
	t.Helper()
	out, err := configgen.ConfigTx(top, layout)
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, yaml.Unmarshal(out, &d))
	return d
}

// at walks a path of map keys and list indexes.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "%v is not a map at %q", v, k)
			v, ok = m[k]
			require.True(t, ok, "no key %q", k)
		case int:
			l, ok := v.([]any)
			require.True(t, ok, "not a list at %d", k)
			require.Less(t, k, len(l))
			v = l[k]
		}
	}
	return v
}

// as asserts v's dynamic type, failing the test instead of panicking.
func as[T any](t *testing.T, v any) T {
	t.Helper()
	x, ok := v.(T)
	require.True(t, ok, "%v is a %T, not a %T", v, v, x)
	return x
}

func orgNamed(t *testing.T, orgs any, name string) map[string]any {
	t.Helper()
	for _, o := range as[[]any](t, orgs) {
		if m := as[map[string]any](t, o); m["Name"] == name {
			return m
		}
	}
	require.Failf(t, "org missing", "%s", name)
	return nil
}

func TestConfigTxRaft(t *testing.T) {
	d := generate(t, load(t))
	p := at(t, d, "Profiles", configgen.ProfileName)

	t.Run("sets the V3 capability set", func(t *testing.T) {
		require.Equal(t, map[string]any{"V3_0": true}, at(t, p, "Capabilities"))
		require.Equal(t, map[string]any{"V2_0": true}, at(t, p, "Orderer", "Capabilities"))
		require.Equal(t, map[string]any{"V2_5": true}, at(t, p, "Application", "Capabilities"))
	})
	t.Run("cuts blocks as the topology says", func(t *testing.T) {
		require.Equal(t, "100ms", at(t, p, "Orderer", "BatchTimeout"))
		require.Equal(t, map[string]any{"MaxMessageCount": 500, "AbsoluteMaxBytes": 10 << 20, "PreferredMaxBytes": 2 << 20}, at(t, p, "Orderer", "BatchSize"))
	})
	t.Run("lists the three Raft consenters with their TLS certificates", func(t *testing.T) {
		require.Equal(t, "etcdraft", at(t, p, "Orderer", "OrdererType"))
		cs := as[[]any](t, at(t, p, "Orderer", "EtcdRaft", "Consenters"))
		require.Len(t, cs, 3)
		require.Equal(t, map[string]any{
			"Host":          "127.0.0.1",
			"Port":          7060,
			"ClientTLSCert": "/crypto/OrdererMSP/orderers/orderer1/tls/server.crt",
			"ServerTLSCert": "/crypto/OrdererMSP/orderers/orderer1/tls/server.crt",
		}, cs[1])
		require.Equal(t, "500ms", at(t, p, "Orderer", "EtcdRaft", "Options", "TickInterval"))
		require.NotContains(t, at(t, p, "Orderer"), "ConsenterMapping")
		require.NotContains(t, at(t, p, "Orderer"), "SmartBFT")
	})
	t.Run("gives the orderer org its endpoints", func(t *testing.T) {
		ord := orgNamed(t, at(t, p, "Orderer", "Organizations"), "OrdererOrg")
		require.Equal(t, []any{"127.0.0.1:7050", "127.0.0.1:7060", "127.0.0.1:7070"}, ord["OrdererEndpoints"])
		require.Equal(t, "/crypto/OrdererMSP/msp", ord["MSPDir"])
		require.Equal(t, "OR('OrdererMSP.admin')", at(t, ord, "Policies", "Admins", "Rule"))
	})
	t.Run("names anchor peers in every application org", func(t *testing.T) {
		apps := as[[]any](t, at(t, p, "Application", "Organizations"))
		require.Len(t, apps, 6)
		proc := orgNamed(t, apps, "Procurement")
		require.Equal(t, []any{map[string]any{"Host": "127.0.0.1", "Port": 7200}}, proc["AnchorPeers"])
		require.Equal(t, "/crypto/ProcurementMSP/msp", proc["MSPDir"])
		require.Equal(t, "ProcurementMSP", proc["ID"])
		require.Equal(t, []any{map[string]any{"Host": "127.0.0.1", "Port": 7260}}, orgNamed(t, apps, "Regulator")["AnchorPeers"])
		require.NotContains(t, proc, "OrdererEndpoints")
	})
	t.Run("admits only the regulator's admin as a writer", func(t *testing.T) {
		apps := at(t, p, "Application", "Organizations")
		reg := orgNamed(t, apps, "Regulator")
		require.Equal(t, map[string]any{"Type": "Signature", "Rule": "OR('RegulatorMSP.admin')"}, at(t, reg, "Policies", "Writers"))
		require.Equal(t, "OR('RegulatorMSP.admin','RegulatorMSP.peer','RegulatorMSP.client')", at(t, reg, "Policies", "Readers", "Rule"))
		proc := orgNamed(t, apps, "Procurement")
		require.Equal(t, "OR('ProcurementMSP.admin','ProcurementMSP.client')", at(t, proc, "Policies", "Writers", "Rule"))
		require.Equal(t, "OR('ProcurementMSP.peer')", at(t, proc, "Policies", "Endorsement", "Rule"))
		require.Equal(t, "OR('ProcurementMSP.admin')", at(t, proc, "Policies", "Admins", "Rule"))
	})
	t.Run("lets readers propose so regulator clients can evaluate", func(t *testing.T) {
		require.Equal(t, "/Channel/Application/Readers", at(t, p, "Application", "ACLs", "peer/Propose"))
	})
	t.Run("uses MAJORITY Endorsement for lifecycle and default endorsement", func(t *testing.T) {
		pol := at(t, p, "Application", "Policies")
		require.Equal(t, map[string]any{"Type": "ImplicitMeta", "Rule": "MAJORITY Endorsement"}, at(t, pol, "LifecycleEndorsement"))
		require.Equal(t, map[string]any{"Type": "ImplicitMeta", "Rule": "MAJORITY Endorsement"}, at(t, pol, "Endorsement"))
		require.Equal(t, "MAJORITY Admins", at(t, p, "Policies", "Admins", "Rule"))
		require.Equal(t, "ANY Writers", at(t, p, "Orderer", "Policies", "BlockValidation", "Rule"))
	})
	t.Run("repeats every org at the top level for configtxgen -printOrg", func(t *testing.T) {
		require.Len(t, at(t, d, "Organizations"), 7)
	})
	t.Run("has no system channel sections", func(t *testing.T) {
		require.NotContains(t, p, "Consortiums")
		require.NotContains(t, p, "Consortium")
		require.NotContains(t, at(t, p, "Orderer"), "Addresses")
	})
}

func TestConfigTxBFT(t *testing.T) {
	top, err := load(t).WithConsensus(topology.ConsensusBFT)
	require.NoError(t, err)
	p := at(t, generate(t, top), "Profiles", configgen.ProfileName)

	require.Equal(t, "BFT", at(t, p, "Orderer", "OrdererType"))
	require.NotContains(t, at(t, p, "Orderer"), "EtcdRaft")

	t.Run("maps four consenters with IDs from 1", func(t *testing.T) {
		cm := as[[]any](t, at(t, p, "Orderer", "ConsenterMapping"))
		require.Len(t, cm, 4)
		require.Equal(t, map[string]any{
			"ID":            4,
			"Host":          "127.0.0.1",
			"Port":          7080,
			"MSPID":         "OrdererMSP",
			"Identity":      "/crypto/OrdererMSP/orderers/orderer3/msp/signcerts/cert.pem",
			"ClientTLSCert": "/crypto/OrdererMSP/orderers/orderer3/tls/server.crt",
			"ServerTLSCert": "/crypto/OrdererMSP/orderers/orderer3/tls/server.crt",
		}, cm[3])
		require.Equal(t, 1, at(t, cm, 0, "ID"))
	})
	t.Run("lists every consenter as a delivery endpoint", func(t *testing.T) {
		ord := orgNamed(t, at(t, p, "Orderer", "Organizations"), "OrdererOrg")
		require.Equal(t, []any{"127.0.0.1:7050", "127.0.0.1:7060", "127.0.0.1:7070", "127.0.0.1:7080"}, ord["OrdererEndpoints"])
	})
	t.Run("sets every SmartBFT option, batching on the block timeout", func(t *testing.T) {
		opts := as[map[string]any](t, at(t, p, "Orderer", "SmartBFT"))
		require.Len(t, opts, 15)
		require.Equal(t, "100ms", opts["RequestBatchMaxInterval"])
		require.Equal(t, 500, opts["RequestBatchMaxCount"])
		require.Equal(t, "20s", opts["RequestComplainTimeout"])
	})
}

func TestConfigTxIsDeterministic(t *testing.T) {
	top := load(t)
	first, err := configgen.ConfigTx(top, layout)
	require.NoError(t, err)
	for range 5 {
		again, err := configgen.ConfigTx(top, layout)
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))
	}
}

func TestConfigTxRejectsAnInvalidTopology(t *testing.T) {
	top := load(t)
	top.Orgs[1].Peers[0].Port = 7200
	_, err := configgen.ConfigTx(top, layout)
	require.ErrorIs(t, err, topology.ErrInvalid)
	require.Contains(t, err.Error(), "orgs[1].peers[0].port: 7200 already used by orgs[0].peers[0].port")
}
