// Package noop is the throughput baseline: a contract that does the least a
// transaction can do (one blind write, one read), so every other figure can
// be read as a ratio of what the network itself allows.
package noop

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// MaxValue bounds a stored value; the benchmark writes 100 bytes.
const MaxValue = 4096

// Contract is the noop contract.
type Contract struct {
	contractapi.Contract
}

// Put writes value under key without reading first (a blind write), so
// concurrent clients never conflict.
func (c *Contract) Put(ctx contractapi.TransactionContextInterface, key, value string) error {
	if err := validate.All(validate.Required("key", key), validate.MaxLen("value", value, MaxValue)); err != nil {
		return ccerror.From(err)
	}
	return ctx.GetStub().PutState(key, []byte(value))
}

// Get returns the value stored under key, empty when there is none.
func (c *Contract) Get(ctx contractapi.TransactionContextInterface, key string) (string, error) {
	v, err := ctx.GetStub().GetState(key)
	if err != nil {
		return "", fmt.Errorf("get %q: %w", key, err)
	}
	return string(v), nil
}

// Ping does nothing: the cost of a transaction with no state access.
func (c *Contract) Ping(contractapi.TransactionContextInterface) error { return nil }

// Chaincode returns the noop chaincode ready to serve.
func Chaincode() (*contractapi.ContractChaincode, error) {
	c := &Contract{}
	c.Name = "Noop"
	cc, err := contractapi.NewChaincode(c)
	if err != nil {
		return nil, fmt.Errorf("noop chaincode: %w", err)
	}
	cc.Info.Title = "GovLedger noop"
	cc.Info.Version = "1.0.0"
	return cc, nil
}
