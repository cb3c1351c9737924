package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/govledger/govledger/network/topology"
)

// enrolment is one certificate holder an organisation's CA enrols.
type enrolment struct {
	name  string
	typ   string // peer, orderer, client or admin (Fabric CA identity types, matching NodeOU roles)
	attrs map[string]string
	// mspDir is where the enrolment certificate and key go.
	mspDir string
	// tlsDir, when set, also receives a TLS server/client pair for hosts.
	tlsDir string
	hosts  []string
}

// caProcess describes the organisation's Fabric CA server.
func (n *Network) caProcess(o org) *Process {
	home := n.Layout.CAHome(o.MSPID)
	return &Process{
		Name: "ca." + o.key(), Kind: "ca", Path: n.Bin.Path("fabric-ca-server"),
		Args: []string{
			"start", "--home", home, "--address", o.CA.Host, "--port", strconv.Itoa(o.CA.Port),
			"-b", "admin:" + n.caSecret(o),
			"--ca.name", o.caName(), "--csr.cn", "ca." + o.Domain,
			"--csr.hosts", strings.Join([]string{o.CA.Host, "localhost", "ca." + o.Domain}, ","),
			"--tls.enabled",
			"--operations.listenaddress", hostPort(o.CA.Host, o.CA.OperationsPort),
			"--metrics.provider", "prometheus",
		},
		Env:     os.Environ(),
		Address: hostPort(o.CA.Host, o.CA.Port),
		Health:  "http://" + hostPort(o.CA.Host, o.CA.OperationsPort) + "/healthz",
	}
}

// caSecret is the CA bootstrap administrator's password: random per network,
// kept only in the CA's home folder (0600), never in the repository.
func (n *Network) caSecret(o org) string {
	path := filepath.Join(n.Layout.CAHome(o.MSPID), "bootstrap.secret")
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b))
	}
	s := randomSecret()
	_ = os.MkdirAll(filepath.Dir(path), 0o700)
	_ = os.WriteFile(path, []byte(s), 0o600)
	return s
}

func randomSecret() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// enrolOrg registers and enrols every node and user of the organisation and
// assembles its MSP folders (with NodeOUs) the way Fabric expects them.
func (n *Network) enrolOrg(ctx context.Context, o org) error {
	caCert := n.Layout.CACert(o.MSPID)
	url := "https://" + hostPort(o.CA.Host, o.CA.Port)
	adminHome := filepath.Join(n.Layout.CAHome(o.MSPID), "client")
	cli := caClient{bin: n.Bin.Path("fabric-ca-client"), caName: o.caName(), tlsCert: caCert}

	if err := cli.run(ctx, "enroll", "-H", adminHome, "-u", withCreds(url, "admin", n.caSecret(o))); err != nil {
		return fmt.Errorf("%s: enrol CA admin: %w", o.MSPID, err)
	}
	// The organisation MSP: the CA root signs both identities and TLS pairs.
	orgMSP := n.Layout.OrgMSPDir(o.MSPID)
	if err := writeMSPRoot(orgMSP, caCert, true); err != nil {
		return err
	}
	if err := copyFile(caCert, n.Layout.TLSCACert(o.MSPID)); err != nil {
		return err
	}
	for _, id := range n.identities(o) {
		secret := randomSecret()
		args := []string{"register", "-H", adminHome, "-u", url, "--id.name", id.name, "--id.secret", secret, "--id.type", id.typ}
		if attrs := attrFlag(id.attrs); attrs != "" {
			args = append(args, "--id.attrs", attrs)
		}
		if err := cli.run(ctx, args...); err != nil {
			return fmt.Errorf("%s: register %s: %w", o.MSPID, id.name, err)
		}
		enrolURL := withCreds(url, id.name, secret)
		home := filepath.Join(n.Layout.CAHome(o.MSPID), "enrol", id.name)
		if err := cli.run(ctx, "enroll", "-H", home, "-u", enrolURL, "-M", id.mspDir, "--csr.hosts", strings.Join(id.hosts, ",")); err != nil {
			return fmt.Errorf("%s: enrol %s: %w", o.MSPID, id.name, err)
		}
		if err := tidyMSP(id.mspDir); err != nil {
			return err
		}
		if id.tlsDir == "" {
			continue
		}
		if err := cli.run(ctx, "enroll", "-H", home, "-u", enrolURL, "-M", id.tlsDir, "--enrollment.profile", "tls", "--csr.hosts", strings.Join(id.hosts, ",")); err != nil {
			return fmt.Errorf("%s: enrol TLS for %s: %w", o.MSPID, id.name, err)
		}
		if err := tidyTLS(id.tlsDir); err != nil {
			return err
		}
	}
	return nil
}

// identities lists what the organisation's CA enrols: its admin, its nodes
// (with TLS pairs) and its users. The admin also gets a TLS pair, which the
// orderers' channel participation API demands of its clients.
func (n *Network) identities(o org) []enrolment {
	admin := enrolment{
		name: o.adminName(), typ: "admin",
		attrs:  map[string]string{"role": "admin"},
		mspDir: n.Layout.UserMSPDir(o.MSPID, topology.AdminUser),
		tlsDir: filepath.Join(filepath.Dir(n.Layout.UserMSPDir(o.MSPID, topology.AdminUser)), "tls"),
		hosts:  []string{"admin." + o.Domain},
	}
	ids := []enrolment{admin}
	for _, nd := range o.Nodes {
		dir := n.Layout.NodeDir(o.MSPID, nd.kind+"s", nd.Name)
		ids = append(ids, enrolment{
			name: nd.Name + "." + o.Domain, typ: nd.kind,
			mspDir: filepath.Join(dir, "msp"), tlsDir: filepath.Join(dir, "tls"),
			hosts: []string{nd.Name + "." + o.Domain, nd.Host, "localhost"},
		})
	}
	if o.Ordering {
		// The consortium runs the chaincode servers for every org's peers, so
		// their TLS pairs come from the ordering org's CA.
		for _, cc := range n.Topology.Chaincodes {
			host, _, _ := strings.Cut(cc.Address, ":")
			dir := n.chaincodeDir(cc)
			ids = append(ids, enrolment{
				name: "chaincode-" + cc.Name + "." + o.Domain, typ: "client",
				mspDir: filepath.Join(dir, "msp"), tlsDir: filepath.Join(dir, "tls"),
				hosts: []string{host, "localhost", cc.Name + "." + o.Domain},
			})
		}
	}
	for _, u := range o.Users {
		ids = append(ids, enrolment{
			// The enrolment ID becomes the certificate CN, which contracts use to
			// name people (an evaluator, a signer): the plain user name, unique
			// within the org's CA, as in the topology.
			name: u.Name, typ: "client", attrs: u.Attrs,
			mspDir: n.Layout.UserMSPDir(o.MSPID, u.Name),
			hosts:  []string{u.Name + "." + o.Domain},
		})
	}
	return ids
}

// attrFlag renders attributes for `--id.attrs`, each marked `:ecert` so it is
// written into the enrolment certificate where chaincode reads it.
func attrFlag(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+attrs[k]+":ecert")
	}
	return strings.Join(parts, ",")
}

const nodeOUs = `NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: orderer
`

// writeMSPRoot writes an MSP folder's CA roots and NodeOU configuration.
func writeMSPRoot(dir, caCert string, tlsRoots bool) error {
	if err := copyFile(caCert, filepath.Join(dir, "cacerts", "ca.pem")); err != nil {
		return err
	}
	if tlsRoots {
		if err := copyFile(caCert, filepath.Join(dir, "tlscacerts", "ca.pem")); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(nodeOUs), 0o600)
}

// tidyMSP renames the CA root fabric-ca-client wrote (named after the CA's
// address) to cacerts/ca.pem so one NodeOU configuration fits every MSP, and
// names the key key.pem.
func tidyMSP(dir string) error {
	if err := renameOnly(filepath.Join(dir, "cacerts"), "ca.pem"); err != nil {
		return err
	}
	if err := renameOnly(filepath.Join(dir, "keystore"), "key.pem"); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(nodeOUs), 0o600)
}

// tidyTLS lays a TLS enrolment out as tls/server.crt, server.key and ca.crt.
func tidyTLS(dir string) error {
	moves := map[string]string{"signcerts": "server.crt", "keystore": "server.key", "tlscacerts": "ca.crt"}
	for sub, name := range moves {
		files, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return fmt.Errorf("%s: expected one file in %s, found %d", dir, sub, len(files))
		}
		if err := os.Rename(filepath.Join(dir, sub, files[0].Name()), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

func renameOnly(dir, name string) error {
	files, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return fmt.Errorf("%s: expected one file, found %d", dir, len(files))
	}
	return os.Rename(filepath.Join(dir, files[0].Name()), filepath.Join(dir, name))
}

func withCreds(url, user, secret string) string {
	return strings.Replace(url, "https://", "https://"+user+":"+secret+"@", 1)
}

// caClient runs fabric-ca-client against one CA.
type caClient struct {
	bin, caName, tlsCert string
}

func (c caClient) run(ctx context.Context, args ...string) error {
	args = append(args, "--caname", c.caName, "--tls.certfiles", c.tlsCert)
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(os.Environ(), "FABRIC_CA_CLIENT_HOME=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		// The URL may hold an enrolment secret: report the command name only.
		return fmt.Errorf("fabric-ca-client %s: %w: %s", args[0], err, lastLines(string(out), 5))
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
