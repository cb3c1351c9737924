// Command noop serves the noop contract as a chaincode server.
package main

import (
	"log"

	"github.com/govledger/govledger/chaincode/internal/server"
	"github.com/govledger/govledger/chaincode/noop"
)

func main() {
	cc, err := noop.Chaincode()
	if err != nil {
		log.Fatal(err)
	}
	if err := server.Run(cc); err != nil {
		log.Fatal(err)
	}
}
