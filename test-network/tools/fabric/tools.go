//go:build tools

// Package tools pins the Hyperledger Fabric v3.1.1 commands the local network
// runs, so that `go build` in this module produces exactly the pinned
// binaries. Fabric CA lives in a module of its own (../fabric-ca) because it
// needs an older viper than Fabric does.
package tools

import (
	_ "github.com/hyperledger/fabric/cmd/configtxgen"
	_ "github.com/hyperledger/fabric/cmd/orderer"
	_ "github.com/hyperledger/fabric/cmd/osnadmin"
	_ "github.com/hyperledger/fabric/cmd/peer"
)
