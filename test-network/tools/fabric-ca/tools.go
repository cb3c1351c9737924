//go:build tools

// Package tools pins the Hyperledger Fabric CA v1.5.15 server and client the
// local network runs.
package tools

import (
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-client"
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-server"
)
