package contract_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/procurement/contract"
)

// FuzzCreateTender drives the tender draft decoder and its validation with
// arbitrary documents: whatever a client sends, the contract answers with a
// classified error or a tender, never a panic or an INTERNAL error.
func FuzzCreateTender(f *testing.F) {
	seed, err := json.Marshal(draft("T-FUZZ"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	f.Add(`{}`)
	f.Add(`{"id":"T-1","budget":{"amount":-1,"currency":"EUR"}}`)
	f.Add(`[`)
	cc := chaincode(f)
	f.Fuzz(func(t *testing.T, doc string) {
		_, err := ledgerAt(cc).Submit(buyer, "procurement:CreateTender", doc)
		requireClassified(t, err)
	})
}

// FuzzRevealBid does the same for the bid reveal document on a tender open
// for reveals.
func FuzzRevealBid(f *testing.F) {
	seed, err := json.Marshal(bidContent("T-1", "SUP-A", 100))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	f.Add(`{"tenderId":"T-1","salt":""}`)
	f.Add(`null`)
	cc := chaincode(f)
	f.Fuzz(func(t *testing.T, doc string) {
		_, err := ledgerAt(cc).Submit(supplierA, "procurement:RevealBid", "T-1", doc)
		requireClassified(t, err)
	})
}

// chaincode builds the contract once per fuzz target: contractapi's
// reflection is far dearer than one transaction.
func chaincode(f *testing.F) *contractapi.ContractChaincode {
	cc, err := contract.Chaincode()
	if err != nil {
		f.Fatal(err)
	}
	return cc
}

// ledgerAt gives each input a fresh ledger at the fixture's start time.
func ledgerAt(cc *contractapi.ContractChaincode) *memstub.Network {
	n := memstub.New(cc)
	n.Ledger.SetTime(t0)
	return n
}

func requireClassified(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ce *ccerror.Error
	if !errors.As(err, &ce) {
		t.Fatalf("unclassified error: %v", err)
	}
	if ce.Code == ccerror.Internal {
		t.Fatalf("input reached an INTERNAL error: %v", err)
	}
}
