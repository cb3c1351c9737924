package topology_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/network/topology"
)

// minimal is the least a topology file must say; everything else defaults.
const minimal = `
name: mini
channel: {name: ch}
ordering:
  name: OrdererOrg
  mspID: OrdererMSP
  domain: orderer.example
  ca: {port: 7100, operationsPort: 9500}
  orderers:
    - {name: orderer0, port: 7050, adminPort: 7053, operationsPort: 9440}
orgs:
  - name: A
    mspID: AMSP
    domain: a.example
    ca: {port: 7110, operationsPort: 9510}
    peers:
      - {name: peer0, port: 7200, chaincodePort: 7201, operationsPort: 9300}
      - {name: peer1, port: 7210, chaincodePort: 7211, operationsPort: 9301}
  - name: B
    mspID: BMSP
    domain: b.example
    ca: {port: 7120, operationsPort: 9520}
    peers:
      - {name: peer0, port: 7220, chaincodePort: 7221, operationsPort: 9302}
  - name: C
    mspID: CMSP
    domain: c.example
    ca: {port: 7130, operationsPort: 9530}
    peers:
      - {name: peer0, port: 7230, chaincodePort: 7231, operationsPort: 9303}
  - name: Watcher
    mspID: WatcherMSP
    domain: watcher.example
    readOnly: true
    ca: {port: 7140, operationsPort: 9540}
    peers:
      - {name: peer0, port: 7240, chaincodePort: 7241, operationsPort: 9304}
chaincodes:
  - name: cc
    path: chaincode/cmd/cc
    address: 127.0.0.1:9900
    collections:
      - {name: secrets, members: [AMSP, BMSP], requiredPeerCount: 0, maxPeerCount: 1}
`

func TestLoadReadsTheRealTopology(t *testing.T) {
	top, err := topology.Load(realTopology)
	require.NoError(t, err)

	require.Equal(t, "govledger", top.Name)
	require.Equal(t, "public-services", top.Channel.Name)
	require.Equal(t, 100*time.Millisecond, top.Channel.Batch.Timeout)
	require.Equal(t, topology.ConsensusRaft, top.Ordering.Consensus)
	require.Len(t, top.Consenters(), 3)
	require.Len(t, top.Orgs, 6)
	regulator, ok := top.OrgByMSPID("RegulatorMSP")
	require.True(t, ok)
	require.True(t, regulator.ReadOnly)
	require.Equal(t, "127.0.0.1", top.Orgs[0].Peers[1].Host, "hosts are copied onto every node")
	require.Equal(t, map[string]string{"role": "supplier", "agency": "MOF", "supplierId": "SUP-A"}, top.Orgs[0].Users[4].Attrs)
}

func TestParseAppliesDefaults(t *testing.T) {
	top, err := topology.Parse([]byte(minimal))
	require.NoError(t, err)

	require.Equal(t, topology.DefaultHost, top.Host)
	require.Equal(t, topology.ConsensusRaft, top.Ordering.Consensus)
	require.Equal(t, topology.Batch{Timeout: 100 * time.Millisecond, MaxMessageCount: 500, AbsoluteMaxBytes: "10 MB", PreferredMaxBytes: "2 MB"}, top.Channel.Batch)
	require.Equal(t, "127.0.0.1", top.Ordering.CA.Host)
	require.Equal(t, "127.0.0.1", top.Ordering.Orderers[0].Host)
	require.Equal(t, "127.0.0.1", top.Orgs[0].CA.Host)

	t.Run("makes the first peer the anchor when none is marked", func(t *testing.T) {
		require.True(t, top.Orgs[0].Peers[0].Anchor)
		require.False(t, top.Orgs[0].Peers[1].Anchor)
	})
	t.Run("versions a chaincode 1.0, sequence 1", func(t *testing.T) {
		require.Equal(t, "1.0", top.Chaincodes[0].Version)
		require.Equal(t, 1, top.Chaincodes[0].Sequence)
	})
	t.Run("endorses by a majority of endorsing orgs, never the read-only one", func(t *testing.T) {
		require.Equal(t, "OutOf(2,'AMSP.peer','BMSP.peer','CMSP.peer')", top.Chaincodes[0].EndorsementPolicy)
	})
	t.Run("lets any collection member endorse collection writes", func(t *testing.T) {
		require.Equal(t, "OR('AMSP.peer','BMSP.peer')", top.Chaincodes[0].Collections[0].EndorsementPolicy)
	})
}

func TestParseKeepsExplicitValues(t *testing.T) {
	doc := strings.Replace(minimal, "name: mini\n", "name: mini\nhost: 10.1.2.3\n", 1)
	doc = strings.Replace(doc, "channel: {name: ch}", "channel: {name: ch, batch: {timeout: 2s, maxMessageCount: 10, absoluteMaxBytes: 1 MB, preferredMaxBytes: 512 KB}}", 1)
	doc = strings.Replace(doc, "      - {name: peer1, port: 7210, chaincodePort: 7211, operationsPort: 9301}",
		"      - {name: peer1, host: 10.9.9.9, port: 7210, chaincodePort: 7211, operationsPort: 9301, anchor: true}", 1)
	top, err := topology.Parse([]byte(doc))
	require.NoError(t, err)

	require.Equal(t, "10.1.2.3", top.Orgs[0].Peers[0].Host)
	require.Equal(t, "10.9.9.9", top.Orgs[0].Peers[1].Host)
	require.False(t, top.Orgs[0].Peers[0].Anchor, "a marked anchor replaces the default")
	require.Equal(t, topology.Batch{Timeout: 2 * time.Second, MaxMessageCount: 10, AbsoluteMaxBytes: "1 MB", PreferredMaxBytes: "512 KB"}, top.Channel.Batch)
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want string
	}{
		{"an empty document", "", "empty document"},
		{"a misspelt field", strings.Replace(minimal, "mspID: AMSP", "mspId: AMSP", 1), "field mspId not found"},
		{"a field of the wrong type", strings.Replace(minimal, "port: 7050", "port: seventy", 1), "cannot unmarshal"},
		{"a duration that is no duration", strings.Replace(minimal, "channel: {name: ch}", "channel: {name: ch, batch: {timeout: soon}}", 1), "cannot unmarshal"},
		{"a second YAML document", minimal + "\n---\nname: other\n", "more than one YAML document"},
		{"a document larger than the limit", "name: x\n" + strings.Repeat("#", topology.MaxFileSize), "larger than"},
		{"a valid document breaking a rule", strings.Replace(minimal, "name: ch", "name: CH", 1), "channel.name"},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			_, err := topology.Parse([]byte(c.doc))
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
		})
	}
	t.Run("marks syntax errors with ErrParse", func(t *testing.T) {
		_, err := topology.Parse([]byte("orgs: {"))
		require.ErrorIs(t, err, topology.ErrParse)
	})
}

func TestLoadReportsTheFile(t *testing.T) {
	dir := t.TempDir()
	t.Run("that is missing", func(t *testing.T) {
		_, err := topology.Load(filepath.Join(dir, "nope.yaml"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("that is invalid", func(t *testing.T) {
		path := filepath.Join(dir, "bad.yaml")
		require.NoError(t, os.WriteFile(path, []byte(strings.Replace(minimal, "name: ch", "name: CH", 1)), 0o600))
		_, err := topology.Load(path)
		require.ErrorIs(t, err, topology.ErrInvalid)
		require.Contains(t, err.Error(), path)
	})
	t.Run("that is a folder", func(t *testing.T) {
		_, err := topology.Load(dir)
		require.Error(t, err)
	})
}
