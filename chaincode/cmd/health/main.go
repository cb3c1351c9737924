// Command health serves the public-health contract as a chaincode server.
package main

import (
	"log"

	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/server"
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
