package topology

import "path/filepath"

// Layout names where an organisation's crypto material lives below a root
// folder. The local network runner enrols identities into these paths and the
// generators refer to them, so both agree without hand-kept copies.
//
//	<root>/<mspID>/ca/                      Fabric CA server home
//	<root>/<mspID>/msp/                     organisation MSP (cacerts, tlscacerts, config.yaml)
//	<root>/<mspID>/tlsca.pem                TLS root of the organisation's nodes
//	<root>/<mspID>/peers/<peer>/{msp,tls}   peer identity and TLS pair
//	<root>/<mspID>/orderers/<name>/{msp,tls}
//	<root>/<mspID>/users/<user>/msp         client identities (Admin included)
type Layout struct {
	Root string
}

// OrgDir is the folder of one organisation's material.
func (l Layout) OrgDir(mspID string) string { return filepath.Join(l.Root, mspID) }

// CAHome is the Fabric CA server's home folder.
func (l Layout) CAHome(mspID string) string { return filepath.Join(l.OrgDir(mspID), "ca") }

// CACert is the CA's self-signed root, which also signs its TLS certificate.
func (l Layout) CACert(mspID string) string { return filepath.Join(l.CAHome(mspID), "ca-cert.pem") }

// OrgMSPDir is the organisation's MSP folder used in channel configuration.
func (l Layout) OrgMSPDir(mspID string) string { return filepath.Join(l.OrgDir(mspID), "msp") }

// TLSCACert is the root that signs every TLS certificate of the organisation.
func (l Layout) TLSCACert(mspID string) string { return filepath.Join(l.OrgDir(mspID), "tlsca.pem") }

// NodeDir is a peer's or orderer's folder; kind is "peers" or "orderers".
func (l Layout) NodeDir(mspID, kind, name string) string {
	return filepath.Join(l.OrgDir(mspID), kind, name)
}

// PeerDir is a peer's folder.
func (l Layout) PeerDir(mspID, peer string) string { return l.NodeDir(mspID, "peers", peer) }

// OrdererDir is an orderer's folder.
func (l Layout) OrdererDir(mspID, orderer string) string {
	return l.NodeDir(mspID, "orderers", orderer)
}

// NodeMSPDir is a peer's or orderer's own MSP folder (its signing identity).
func NodeMSPDir(nodeDir string) string { return filepath.Join(nodeDir, "msp") }

// TLSCert is a node's TLS server (and client) certificate.
func TLSCert(nodeDir string) string { return filepath.Join(nodeDir, "tls", "server.crt") }

// TLSKey is a node's TLS private key.
func TLSKey(nodeDir string) string { return filepath.Join(nodeDir, "tls", "server.key") }

// SignCert is the enrolment certificate in an MSP folder.
func SignCert(mspDir string) string { return filepath.Join(mspDir, "signcerts", "cert.pem") }

// KeyStore is the folder holding an MSP's private key.
func KeyStore(mspDir string) string { return filepath.Join(mspDir, "keystore") }

// UserMSPDir is a client identity's MSP folder. The organisation's admin is
// the user named AdminUser.
func (l Layout) UserMSPDir(mspID, user string) string {
	return filepath.Join(l.OrgDir(mspID), "users", user, "msp")
}

// AdminUser is the name every organisation's admin identity is enrolled under.
const AdminUser = "Admin"
