// Command procurement serves the procurement contract as a chaincode server.
package main

import (
	"log"

	"github.com/govledger/govledger/chaincode/internal/server"
	"github.com/govledger/govledger/chaincode/procurement/contract"
)

func main() {
	cc, err := contract.Chaincode()
	if err != nil {
		log.Fatal(err)
	}
	if err := server.Run(cc); err != nil {
		log.Fatal(err)
	}
}
