// Command benefits serves the benefits contract as a chaincode server.
package main

import (
	"log"

	"github.com/govledger/govledger/chaincode/benefits/contract"
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
