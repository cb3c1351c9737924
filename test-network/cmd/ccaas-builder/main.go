// Command ccaas-builder is the peer's external builder for chaincode run as a
// service. One binary serves as bin/detect, bin/build and bin/release (links
// or copies) and acts on the name it was started under; see package ccaas.
package main

import (
	"os"
	"path/filepath"

	"github.com/govledger/govledger/test-network/ccaas"
)

func main() {
	os.Exit(ccaas.Main(filepath.Base(os.Args[0]), os.Args[1:], os.Stderr))
}
