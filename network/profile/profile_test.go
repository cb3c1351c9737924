package profile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/network/profile"
	"github.com/govledger/govledger/network/topology"
)

var layout = topology.Layout{Root: "/crypto"}

func load(t *testing.T) *topology.Topology {
	t.Helper()
	top, err := topology.Load("../topology.yaml")
	require.NoError(t, err)
	return top
}

func build(t *testing.T, mspID string) *profile.Profile {
	t.Helper()
	p, err := profile.Build(load(t), layout, mspID)
	require.NoError(t, err)
	return p
}

func TestBuild(t *testing.T) {
	p := build(t, "HospitalMSP")

	require.Equal(t, "HospitalMSP", p.MSPID)
	require.Equal(t, "public-services", p.Channel)
	require.False(t, p.ReadOnly)

	t.Run("lists the org's own peers first", func(t *testing.T) {
		require.Len(t, p.Peers, 7)
		require.Equal(t, profile.Endpoint{
			Name:       "peer0",
			MSPID:      "HospitalMSP",
			Address:    "127.0.0.1:7230",
			TLSCACert:  "/crypto/HospitalMSP/tlsca.pem",
			ServerName: "peer0.hospital.govledger.example",
		}, p.Peers[0])
		require.Equal(t, "ProcurementMSP", p.Peers[1].MSPID)
		require.Equal(t, []profile.Endpoint{p.Peers[0]}, p.OwnPeers())
	})
	t.Run("lists the active orderers", func(t *testing.T) {
		require.Len(t, p.Orderers, 3)
		require.Equal(t, profile.Endpoint{
			Name:       "orderer2",
			MSPID:      "OrdererMSP",
			Address:    "127.0.0.1:7070",
			TLSCACert:  "/crypto/OrdererMSP/tlsca.pem",
			ServerName: "orderer2.orderer.govledger.example",
		}, p.Orderers[2])
	})
	t.Run("lists chaincodes", func(t *testing.T) {
		require.Len(t, p.Chaincodes, len(load(t).Chaincodes))
		require.Equal(t, profile.Chaincode{Name: "noop"}, p.Chaincodes[0])
	})
	t.Run("locates the admin and every user", func(t *testing.T) {
		require.Len(t, p.Users, 4)
		admin, ok := p.User(topology.AdminUser)
		require.True(t, ok)
		require.Equal(t, profile.User{
			CertPath: "/crypto/HospitalMSP/users/Admin/msp/signcerts/cert.pem",
			KeyDir:   "/crypto/HospitalMSP/users/Admin/msp/keystore",
		}, admin)
		_, ok = p.User("reporter2")
		require.True(t, ok)
		_, ok = p.User("buyer1")
		require.False(t, ok, "another org's user")
	})
}

func TestBuildMarksTheRegulatorReadOnly(t *testing.T) {
	p := build(t, "RegulatorMSP")
	require.True(t, p.ReadOnly)
	require.Equal(t, "RegulatorMSP", p.Peers[0].MSPID)
}

func TestBuildListsCollectionsWithTheirMembers(t *testing.T) {
	t.Run("lists the topology's collections with their members", func(t *testing.T) {
		p := build(t, "AuditOfficeMSP")
		var health profile.Chaincode
		for _, cc := range p.Chaincodes {
			if cc.Name == "health" {
				health = cc
			}
		}
		require.Equal(t, []profile.Collection{{Name: "healthRecords", Members: []string{"PublicHealthMSP", "HospitalMSP"}}}, health.Collections,
			"every organisation's profile lists the members, not only the members' profiles")
	})
	t.Run("does not share the topology's member slice", func(t *testing.T) {
		top := load(t)
		cc, _ := top.Chaincode("procurement")
		cc.Collections = []topology.Collection{{Name: "bids", Members: []string{"ProcurementMSP", "AuditOfficeMSP"}, EndorsementPolicy: "OR('ProcurementMSP.peer')"}}
		p, err := profile.Build(top, layout, "ProcurementMSP")
		require.NoError(t, err)
		require.Equal(t, profile.Chaincode{Name: "procurement", Collections: []profile.Collection{{Name: "bids", Members: []string{"ProcurementMSP", "AuditOfficeMSP"}}}}, p.Chaincodes[1])
		p.Chaincodes[1].Collections[0].Members[0] = "changed"
		require.Equal(t, "ProcurementMSP", cc.Collections[0].Members[0])
	})
}

func TestBuildUnderBFTListsFourOrderers(t *testing.T) {
	top, err := load(t).WithConsensus(topology.ConsensusBFT)
	require.NoError(t, err)
	p, err := profile.Build(top, layout, "ProcurementMSP")
	require.NoError(t, err)
	require.Len(t, p.Orderers, 4)
}

func TestBuildRejects(t *testing.T) {
	t.Run("rejects an unknown org", func(t *testing.T) {
		_, err := profile.Build(load(t), layout, "TaxMSP")
		require.ErrorIs(t, err, profile.ErrUnknownOrg)
	})
	t.Run("rejects the ordering org", func(t *testing.T) {
		_, err := profile.Build(load(t), layout, "OrdererMSP")
		require.ErrorIs(t, err, profile.ErrUnknownOrg)
	})
	t.Run("rejects an invalid topology", func(t *testing.T) {
		top := load(t)
		top.Channel.Name = ""
		_, err := profile.Build(top, layout, "ProcurementMSP")
		require.ErrorIs(t, err, topology.ErrInvalid)
	})
}

func TestMarshalAndLoadRoundTrip(t *testing.T) {
	p := build(t, "ProcurementMSP")
	data, err := p.Marshal()
	require.NoError(t, err)
	again, err := p.Marshal()
	require.NoError(t, err)
	require.Equal(t, string(data), string(again), "output is deterministic")

	path := filepath.Join(t.TempDir(), "ProcurementMSP.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	loaded, err := profile.Load(path)
	require.NoError(t, err)
	require.Equal(t, p, loaded)
}

func TestParseRejects(t *testing.T) {
	good, err := build(t, "ProcurementMSP").Marshal()
	require.NoError(t, err)
	doc := string(good)

	cases := []struct {
		name string
		doc  string
		want string
	}{
		{"malformed JSON", "{", "unexpected EOF"},
		{"an unknown field", strings.Replace(doc, `"channel"`, `"chanel"`, 1), `unknown field "chanel"`},
		{"a second object", doc + "{}", "data after the profile object"},
		{"a file over the size limit", `{"mspID":"` + strings.Repeat("x", profile.MaxFileSize) + `"}`, "larger than"},
		{"a missing MSP ID", strings.Replace(doc, `"mspID": "ProcurementMSP",`+"\n  \"channel\"", `"mspID": "",`+"\n  \"channel\"", 1), "mspID: is required"},
		{"a missing channel", strings.Replace(doc, `"channel": "public-services"`, `"channel": ""`, 1), "channel: is required"},
		{"no peer of the org", strings.ReplaceAll(doc, `"mspID": "ProcurementMSP",`+"\n      \"address\"", `"mspID": "OtherMSP",`+"\n      \"address\""), "peers: no peer of ProcurementMSP"},
		{"a peer without an address port", strings.Replace(doc, `"127.0.0.1:7200"`, `"127.0.0.1"`, 1), "peers[0].address"},
		{"a peer with port 0", strings.Replace(doc, `"127.0.0.1:7200"`, `"127.0.0.1:0"`, 1), "peers[0].address"},
		{"a peer without a TLS root", strings.Replace(doc, `"tlsCACert": "/crypto/ProcurementMSP/tlsca.pem"`, `"tlsCACert": ""`, 1), "peers[0].tlsCACert: is required"},
		{"a peer without a server name", strings.Replace(doc, `"serverName": "peer0.procurement.govledger.example"`, `"serverName": ""`, 1), "peers[0].serverName: is required"},
		{"an orderer without a name", strings.Replace(doc, `"name": "orderer0"`, `"name": ""`, 1), "orderers[0].name: is required"},
		{"an orderer without an MSP ID", strings.Replace(doc, `"mspID": "OrdererMSP"`, `"mspID": ""`, 1), "orderers[0].mspID: is required"},
		{"a chaincode without a name", strings.Replace(doc, `"name": "noop"`, `"name": ""`, 1), "chaincodes[0].name: is required"},
		{"a collection without a name", strings.Replace(doc, `"name": "healthRecords"`, `"name": ""`, 1), "chaincodes[3].collections[0].name: is required"},
		{"a collection listed twice", strings.Replace(doc, `"name": "healthRecords",`+"\n          \"members\": [\n            \"PublicHealthMSP\",\n            \"HospitalMSP\"\n          ]\n        }",
			`"name": "healthRecords",`+"\n          \"members\": [\"HospitalMSP\"]\n        }, {\"name\": \"healthRecords\", \"members\": [\"HospitalMSP\"]}", 1),
			`chaincodes[3].collections[1].name: "healthRecords" is listed twice`},
		{"a collection without members", strings.Replace(doc, "\"members\": [\n            \"PublicHealthMSP\",\n            \"HospitalMSP\"\n          ]", `"members": []`, 1), "chaincodes[3].collections[0].members: needs at least one MSP ID"},
		{"a collection with an empty member", strings.Replace(doc, `"PublicHealthMSP",`+"\n            \"HospitalMSP\"", `"", "HospitalMSP"`, 1), "chaincodes[3].collections[0].members[0]: is empty"},
		{"a collection with a member twice", strings.Replace(doc, `"PublicHealthMSP",`+"\n            \"HospitalMSP\"", `"HospitalMSP", "HospitalMSP"`, 1), `chaincodes[3].collections[0].members[1]: "HospitalMSP" is listed twice`},
		{"a collection that is a bare name", strings.Replace(doc, "{\n          \"name\": \"healthRecords\",\n          \"members\": [\n            \"PublicHealthMSP\",\n            \"HospitalMSP\"\n          ]\n        }", `"healthRecords"`, 1), "cannot unmarshal string"},
		{"a user without a certificate", strings.Replace(doc, `"certPath": "/crypto/ProcurementMSP/users/buyer1/msp/signcerts/cert.pem"`, `"certPath": ""`, 1), "users.buyer1.certPath: is required"},
		{"a user without a key folder", strings.Replace(doc, `"keyDir": "/crypto/ProcurementMSP/users/buyer1/msp/keystore"`, `"keyDir": ""`, 1), "users.buyer1.keyDir: is required"},
		{"a user without a name", strings.Replace(doc, `"buyer1": {`, `"": {`, 1), "user name is empty"},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			require.NotEqual(t, doc, c.doc, "the case must change the document")
			_, err := profile.Parse([]byte(c.doc))
			require.ErrorIs(t, err, profile.ErrInvalid)
			require.Contains(t, err.Error(), c.want)
		})
	}
}

func TestLoadReportsAMissingFile(t *testing.T) {
	_, err := profile.Load(filepath.Join(t.TempDir(), "nope.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadNamesTheFileOfAnInvalidProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"mspID": ""}`), 0o600))
	_, err := profile.Load(path)
	require.ErrorIs(t, err, profile.ErrInvalid)
	require.Contains(t, err.Error(), path)
}
