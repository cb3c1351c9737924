package topology_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/network/topology"
)

const realTopology = "../topology.yaml"

// fresh loads the real topology anew, so every case mutates its own copy.
func fresh(t *testing.T) *topology.Topology {
	t.Helper()
	top, err := topology.Load(realTopology)
	require.NoError(t, err)
	return top
}

// withCollection gives the procurement chaincode a valid private collection.
func withCollection(top *topology.Topology) *topology.Collection {
	cc, _ := top.Chaincode("procurement")
	cc.Collections = append(cc.Collections, topology.Collection{
		Name:              "bids",
		Members:           []string{"ProcurementMSP", "AuditOfficeMSP"},
		RequiredPeerCount: 1,
		MaxPeerCount:      2,
		EndorsementPolicy: "OR('ProcurementMSP.peer','AuditOfficeMSP.peer')",
	})
	return &cc.Collections[len(cc.Collections)-1]
}

func TestValidateAcceptsTheRealTopology(t *testing.T) {
	top := fresh(t)
	require.NoError(t, top.Validate())

	t.Run("and it in BFT mode", func(t *testing.T) {
		bft, err := top.WithConsensus(topology.ConsensusBFT)
		require.NoError(t, err)
		require.NoError(t, bft.Validate())
	})
	t.Run("and it with a private collection", func(t *testing.T) {
		top := fresh(t)
		withCollection(top)
		require.NoError(t, top.Validate())
	})
	t.Run("and listeners on different hosts sharing a port", func(t *testing.T) {
		top := fresh(t)
		top.Orgs[1].Peers[0].Host = "127.0.0.2"
		top.Orgs[1].Peers[0].Port = 7200
		require.NoError(t, top.Validate())
	})
}

func TestValidateRejects(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*topology.Topology)
		field  string
		rule   string
	}{
		{"a missing consortium name", func(t *topology.Topology) { t.Name = "" }, "name", "is required"},
		{"a consortium name with spaces", func(t *topology.Topology) { t.Name = "gov ledger" }, "name", "must be letters"},
		{"a host that is no host name", func(t *topology.Topology) { t.Host = "bad host!" }, "host", "neither an IP address nor a DNS name"},
		{"an upper-case channel name", func(t *topology.Topology) { t.Channel.Name = "Public" }, "channel.name", "lower case"},
		{"a channel name starting with a digit", func(t *topology.Topology) { t.Channel.Name = "1public" }, "channel.name", "starting with a letter"},
		{"a channel name of 250 characters", func(t *topology.Topology) { t.Channel.Name = strings.Repeat("a", 250) }, "channel.name", "shorter than 250"},
		{"a negative batch timeout", func(t *topology.Topology) { t.Channel.Batch.Timeout = -1 }, "channel.batch.timeout", "must be positive"},
		{"a zero max message count", func(t *topology.Topology) { t.Channel.Batch.MaxMessageCount = 0 }, "channel.batch.maxMessageCount", "must be 1.."},
		{"an unreadable byte size", func(t *topology.Topology) { t.Channel.Batch.AbsoluteMaxBytes = "ten" }, "channel.batch.absoluteMaxBytes", "must be a size"},
		{"a zero byte size", func(t *topology.Topology) { t.Channel.Batch.AbsoluteMaxBytes = "0" }, "channel.batch.absoluteMaxBytes", "more than 0 bytes"},
		{"a preferred size above the absolute maximum", func(t *topology.Topology) { t.Channel.Batch.PreferredMaxBytes = "20 MB" }, "channel.batch.preferredMaxBytes", "exceeds absoluteMaxBytes"},

		{"an ordering org name with spaces", func(t *topology.Topology) { t.Ordering.Name = "Orderer Org" }, "ordering.name", "letters, digits"},
		{"an org name of '..'", func(t *topology.Topology) { t.Orgs[0].Name = ".." }, "orgs[0].name", "reserved"},
		{"two orgs with one name", func(t *topology.Topology) { t.Orgs[1].Name = "Procurement" }, "orgs[1].name", `name "Procurement" already used by orgs[0].name`},
		{"an org named like the ordering org", func(t *topology.Topology) { t.Orgs[0].Name = "OrdererOrg" }, "orgs[0].name", "already used by ordering.name"},
		{"a missing MSP ID", func(t *topology.Topology) { t.Orgs[0].MSPID = "" }, "orgs[0].mspID", "is required"},
		{"an MSP ID with an underscore", func(t *topology.Topology) { t.Orgs[0].MSPID = "Procurement_MSP" }, "orgs[0].mspID", "letters, digits, '.' or '-'"},
		{"two orgs with one MSP ID", func(t *topology.Topology) { t.Orgs[1].MSPID = "ProcurementMSP" }, "orgs[1].mspID", "already used by orgs[0].mspID"},
		{"an org sharing the ordering MSP ID", func(t *topology.Topology) { t.Orgs[5].MSPID = "OrdererMSP" }, "orgs[5].mspID", "already used by ordering.mspID"},
		{"an upper-case domain", func(t *topology.Topology) { t.Orgs[0].Domain = "Procurement.example" }, "orgs[0].domain", "lower-case DNS name"},
		{"a domain that is an IP address", func(t *topology.Topology) { t.Orgs[0].Domain = "10.0.0.1" }, "orgs[0].domain", "lower-case DNS name"},
		{"two orgs with one domain", func(t *topology.Topology) { t.Orgs[1].Domain = t.Orgs[0].Domain }, "orgs[1].domain", "already used by orgs[0].domain"},
		{"a description with a control character", func(t *topology.Topology) { t.Orgs[0].Description = "a\x1bb" }, "orgs[0].description", "control characters"},

		{"an unknown consensus type", func(t *topology.Topology) { t.Ordering.Consensus = "kafka" }, "ordering.consensus", "must be etcdraft or BFT"},
		{"Raft without orderers", func(t *topology.Topology) { t.Ordering.Orderers = nil }, "ordering.orderers", "at least 1 orderer"},
		{"BFT with three orderers", func(t *topology.Topology) {
			t.Ordering.Consensus = topology.ConsensusBFT
			t.Ordering.BFTOrderers = t.Ordering.BFTOrderers[:3]
		}, "ordering.bftOrderers", "at least 4 orderers"},
		{"an orderer name that is no DNS label", func(t *topology.Topology) { t.Ordering.Orderers[0].Name = "Orderer_0" }, "ordering.orderers[0].name", "lower-case DNS label"},
		{"two orderers with one name", func(t *topology.Topology) { t.Ordering.Orderers[1].Name = "orderer0" }, "ordering.orderers[1].name", "already used by ordering.orderers[0].name"},
		{"an orderer on an invalid host", func(t *topology.Topology) { t.Ordering.Orderers[0].Host = "-bad-" }, "ordering.orderers[0].host", "neither an IP address"},
		{"an orderer without a port", func(t *topology.Topology) { t.Ordering.Orderers[0].Port = 0 }, "ordering.orderers[0].port", "is required (1..65535)"},
		{"an orderer admin port above 65535", func(t *topology.Topology) { t.Ordering.Orderers[0].AdminPort = 70000 }, "ordering.orderers[0].adminPort", "70000 is not 1..65535"},
		{"an orderer operations port clashing with a peer's", func(t *topology.Topology) { t.Ordering.Orderers[2].OperationsPort = 9300 }, "orgs[0].peers[0].operationsPort", "9300 already used by ordering.orderers[2].operationsPort"},
		{"an idle BFT orderer clashing with a peer", func(t *topology.Topology) { t.Ordering.BFTOrderers[3].Port = 7230 }, "orgs[2].peers[0].port", "7230 already used by ordering.bftOrderers[3].port"},
		{"an org without a CA port", func(t *topology.Topology) { t.Orgs[1].CA.Port = 0 }, "orgs[1].ca.port", "is required"},
		{"an ordering CA without an operations port", func(t *topology.Topology) { t.Ordering.CA.OperationsPort = 0 }, "ordering.ca.operationsPort", "is required"},
		{"a CA on an invalid host", func(t *topology.Topology) { t.Orgs[0].CA.Host = "a..b" }, "orgs[0].ca.host", "neither an IP address"},
		{"two peers on one port", func(t *topology.Topology) { t.Orgs[2].Peers[0].Port = 7200 }, "orgs[2].peers[0].port", "7200 already used by orgs[0].peers[0].port"},
		{"a peer's chaincode port on its own port", func(t *topology.Topology) { t.Orgs[0].Peers[1].ChaincodePort = 7210 }, "orgs[0].peers[1].chaincodePort", "7210 already used by orgs[0].peers[1].port"},
		{"a wildcard listener sharing a port", func(t *topology.Topology) {
			t.Orgs[1].Peers[0].Host = "0.0.0.0"
			t.Orgs[1].Peers[0].Port = 7200
		}, "orgs[1].peers[0].port", "7200 already used by orgs[0].peers[0].port"},
		{"localhost and 127.0.0.1 sharing a port", func(t *topology.Topology) {
			t.Orgs[1].Peers[0].Host = "localhost"
			t.Orgs[1].Peers[0].Port = 7200
		}, "orgs[1].peers[0].port", "7200 already used by orgs[0].peers[0].port"},
		{"a chaincode server on a peer's port", func(t *topology.Topology) { t.Chaincodes[0].Address = "127.0.0.1:7200" }, "chaincodes[0].address", "7200 already used by orgs[0].peers[0].port"},

		{"no application orgs", func(t *topology.Topology) { t.Orgs = nil; t.Chaincodes = nil }, "orgs", "at least one application organisation"},
		{"only read-only orgs", func(t *topology.Topology) {
			t.Orgs = t.Orgs[5:]
			t.Chaincodes = nil
		}, "orgs", "must not be readOnly"},
		{"an org without peers", func(t *topology.Topology) { t.Orgs[0].Peers = nil }, "orgs[0].peers", "at least one peer"},
		{"an org without an anchor peer", func(t *topology.Topology) { t.Orgs[1].Peers[0].Anchor = false }, "orgs[1].peers", "must be an anchor"},
		{"two peers with one name", func(t *topology.Topology) { t.Orgs[0].Peers[1].Name = "peer0" }, "orgs[0].peers[1].name", "already used by orgs[0].peers[0].name"},
		{"a peer on an invalid host", func(t *topology.Topology) { t.Orgs[0].Peers[0].Host = "" }, "orgs[0].peers[0].host", "is required"},

		{"a user named like the admin", func(t *topology.Topology) { t.Orgs[0].Users[0].Name = "admin" }, "orgs[0].users[0].name", "reserved for the organisation's admin"},
		{"two users with one name", func(t *topology.Topology) { t.Orgs[0].Users[1].Name = "Buyer1" }, "orgs[0].users[1].name", "already used by orgs[0].users[0].name"},
		{"a user name with a slash", func(t *topology.Topology) { t.Orgs[0].Users[0].Name = "../x" }, "orgs[0].users[0].name", "letters, digits"},
		{"an ordering user with a bad attribute", func(t *topology.Topology) {
			t.Ordering.Users = []topology.User{{Name: "ops", Attrs: map[string]string{"role": "a,b"}}}
		}, "ordering.users[0].attrs.role", "must not contain ,"},
		{"an attribute name with a space", func(t *topology.Topology) { t.Orgs[0].Users[0].Attrs["my role"] = "x" }, "orgs[0].users[0].attrs.my role", "attribute name must be"},
		{"an attribute in Fabric CA's hf. namespace", func(t *topology.Topology) { t.Orgs[0].Users[0].Attrs["hf.Registrar.Roles"] = "client" }, "orgs[0].users[0].attrs.hf.Registrar.Roles", "reserved by Fabric CA"},
		{"an attribute value with '='", func(t *topology.Topology) { t.Orgs[0].Users[0].Attrs["role"] = "a=b" }, "orgs[0].users[0].attrs.role", "must not contain"},
		{"an attribute value with ':'", func(t *topology.Topology) { t.Orgs[0].Users[0].Attrs["role"] = "buyer:ecert" }, "orgs[0].users[0].attrs.role", "must not contain"},
		{"an empty attribute value", func(t *topology.Topology) { t.Orgs[0].Users[0].Attrs["role"] = "" }, "orgs[0].users[0].attrs.role", "value is required"},
		{"an attribute value with a newline", func(t *topology.Topology) { t.Orgs[0].Users[0].Attrs["role"] = "a\nb" }, "orgs[0].users[0].attrs.role", "control characters"},
		{"an attribute value with surrounding spaces", func(t *topology.Topology) { t.Orgs[0].Users[0].Attrs["role"] = " buyer" }, "orgs[0].users[0].attrs.role", "surrounding spaces"},
		{"an overlong attribute value", func(t *topology.Topology) { t.Orgs[0].Users[0].Attrs["role"] = strings.Repeat("x", 257) }, "orgs[0].users[0].attrs.role", "at most 256"},

		{"a chaincode name with a space", func(t *topology.Topology) { t.Chaincodes[0].Name = "my cc" }, "chaincodes[0].name", "letters and digits"},
		{"a chaincode name with a doubled separator", func(t *topology.Topology) { t.Chaincodes[0].Name = "my--cc" }, "chaincodes[0].name", "letters and digits"},
		{"a system chaincode name", func(t *topology.Topology) { t.Chaincodes[0].Name = "lscc" }, "chaincodes[0].name", "Fabric system chaincode"},
		{"two chaincodes with one name", func(t *topology.Topology) { t.Chaincodes[1].Name = "noop" }, "chaincodes[1].name", "already used by chaincodes[0].name"},
		{"a chaincode version with a space", func(t *topology.Topology) { t.Chaincodes[0].Version = "1 0" }, "chaincodes[0].version", "letters, digits"},
		{"a chaincode sequence of 0", func(t *topology.Topology) { t.Chaincodes[0].Sequence = 0 }, "chaincodes[0].sequence", "at least 1"},
		{"a chaincode path leaving the repository", func(t *topology.Topology) { t.Chaincodes[0].Path = "chaincode/../../etc" }, "chaincodes[0].path", "clean path inside the repository"},
		{"an absolute chaincode path", func(t *topology.Topology) { t.Chaincodes[0].Path = "/usr/bin" }, "chaincodes[0].path", "relative"},
		{"a chaincode without an address", func(t *topology.Topology) { t.Chaincodes[0].Address = "" }, "chaincodes[0].address", "is required"},
		{"a chaincode address without a port", func(t *topology.Topology) { t.Chaincodes[0].Address = "127.0.0.1" }, "chaincodes[0].address", "must be host:port"},
		{"a chaincode address with port 0", func(t *topology.Topology) { t.Chaincodes[0].Address = "127.0.0.1:0" }, "chaincodes[0].address", "must be host:port"},
		{"a chaincode address on an invalid host", func(t *topology.Topology) { t.Chaincodes[0].Address = "bad_host:9900" }, "chaincodes[0].address", "host is neither"},

		{"an endorsement policy that does not parse", func(t *topology.Topology) { t.Chaincodes[1].EndorsementPolicy = "AND('ProcurementMSP.peer'" }, "chaincodes[1].endorsementPolicy", "is not a signature policy"},
		{"an endorsement policy naming the regulator", func(t *topology.Topology) {
			t.Chaincodes[1].EndorsementPolicy = "OutOf(2,'ProcurementMSP.peer','RegulatorMSP.peer')"
		}, "chaincodes[1].endorsementPolicy", "RegulatorMSP is readOnly and cannot endorse"},
		{"an endorsement policy naming an unknown org", func(t *topology.Topology) {
			t.Chaincodes[1].EndorsementPolicy = "OR('ProcurementMSP.peer','TaxMSP.peer')"
		}, "chaincodes[1].endorsementPolicy", "TaxMSP is not an organisation of the topology"},
		{"an endorsement policy naming the ordering org", func(t *topology.Topology) {
			t.Chaincodes[1].EndorsementPolicy = "OR('OrdererMSP.orderer')"
		}, "chaincodes[1].endorsementPolicy", "OrdererMSP is the ordering organisation and cannot endorse"},
		{"an empty endorsement policy", func(t *topology.Topology) { t.Chaincodes[0].EndorsementPolicy = " " }, "chaincodes[0].endorsementPolicy", "is required"},

		{"a collection name starting with '_'", func(t *topology.Topology) { withCollection(t).Name = "_implicit" }, "chaincodes[1].collections[0].name", "not starting with '_'"},
		{"two collections with one name", func(t *topology.Topology) {
			withCollection(t)
			withCollection(t)
		}, "chaincodes[1].collections[1].name", "already used by chaincodes[1].collections[0].name"},
		{"a collection without members", func(t *topology.Topology) { withCollection(t).Members = nil }, "chaincodes[1].collections[0].members", "at least one member"},
		{"a collection with an unknown member", func(t *topology.Topology) { withCollection(t).Members[1] = "TaxMSP" }, "chaincodes[1].collections[0].members[1]", "TaxMSP is not an organisation"},
		{"a collection with the regulator as member", func(t *topology.Topology) { withCollection(t).Members[1] = "RegulatorMSP" }, "chaincodes[1].collections[0].members[1]", "RegulatorMSP is readOnly and cannot be a member"},
		{"a collection listing a member twice", func(t *topology.Topology) { withCollection(t).Members[1] = "ProcurementMSP" }, "chaincodes[1].collections[0].members[1]", "already used by chaincodes[1].collections[0].members[0]"},
		{"a negative required peer count", func(t *topology.Topology) { withCollection(t).RequiredPeerCount = -1 }, "chaincodes[1].collections[0].requiredPeerCount", "must not be negative"},
		{"a max peer count below the required count", func(t *topology.Topology) { withCollection(t).MaxPeerCount = 0 }, "chaincodes[1].collections[0].maxPeerCount", "less than requiredPeerCount 1"},
		{"a max peer count beyond int32", func(t *topology.Topology) { withCollection(t).MaxPeerCount = 1 << 31 }, "chaincodes[1].collections[0].maxPeerCount", "exceeds"},
		{"a collection endorsement policy naming the regulator", func(t *topology.Topology) {
			withCollection(t).EndorsementPolicy = "OR('RegulatorMSP.peer')"
		}, "chaincodes[1].collections[0].endorsementPolicy", "readOnly and cannot endorse"},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			top := fresh(t)
			c.mutate(top)
			err := top.Validate()
			require.Error(t, err)
			require.ErrorIs(t, err, topology.ErrInvalid)

			var ve *topology.ValidationError
			require.ErrorAs(t, err, &ve)
			var found []string
			for _, f := range ve.Fields {
				if f.Field == c.field && strings.Contains(f.Rule, c.rule) {
					return
				}
				found = append(found, f.Error())
			}
			require.Failf(t, "no matching field error", "want %s: ...%s...; got %q", c.field, c.rule, found)
		})
	}
}

func TestValidationErrorReportsEveryBrokenRule(t *testing.T) {
	top := fresh(t)
	top.Channel.Name = "Bad"
	top.Orgs[2].Peers[0].Port = 7200
	err := top.Validate()

	var ve *topology.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Fields, 2)
	require.Equal(t, `invalid topology: channel.name: "Bad" must be lower case, starting with a letter, then letters, digits, '.' or '-'; orgs[2].peers[0].port: 7200 already used by orgs[0].peers[0].port`, err.Error())

	var fe *topology.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "channel.name", fe.Field)
}

func TestPolicyFieldErrorsUnwrapToTheSyntaxError(t *testing.T) {
	top := fresh(t)
	top.Chaincodes[0].EndorsementPolicy = "MAYBE('ProcurementMSP.peer')"
	err := top.Validate()
	require.ErrorIs(t, err, topology.ErrPolicySyntax)
	var se *topology.PolicySyntaxError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 0, se.Offset)
}

func TestWarnings(t *testing.T) {
	t.Run("is quiet for three Raft consenters", func(t *testing.T) {
		require.Empty(t, fresh(t).Warnings())
	})
	t.Run("warns about a single Raft consenter", func(t *testing.T) {
		top := fresh(t)
		top.Ordering.Orderers = top.Ordering.Orderers[:1]
		require.NoError(t, top.Validate())
		require.Len(t, top.Warnings(), 1)
		require.Contains(t, top.Warnings()[0], "3 are recommended")
	})
	t.Run("warns about BFT consenters that are not 3f+1", func(t *testing.T) {
		top := fresh(t)
		top.Ordering.BFTOrderers = append(top.Ordering.BFTOrderers, topology.Orderer{
			Name: "orderer4", Host: "127.0.0.1", Port: 7090, AdminPort: 7093, OperationsPort: 9444,
		})
		bft, err := top.WithConsensus(topology.ConsensusBFT)
		require.NoError(t, err)
		require.Len(t, bft.Warnings(), 1)
		require.Contains(t, bft.Warnings()[0], "use 3f+1 nodes")
	})
}

func TestFieldErrorWithoutCause(t *testing.T) {
	fe := &topology.FieldError{Field: "host", Rule: "is required"}
	require.Equal(t, "host: is required", fe.Error())
	require.NoError(t, errors.Unwrap(fe), "nothing to unwrap")
}
