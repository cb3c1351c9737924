package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	audit "github.com/govledger/govledger/chaincode/audit/contract"
	benefits "github.com/govledger/govledger/chaincode/benefits/contract"
	health "github.com/govledger/govledger/chaincode/health/contract"
	identity "github.com/govledger/govledger/chaincode/identity/contract"
	"github.com/govledger/govledger/chaincode/noop"
	procurement "github.com/govledger/govledger/chaincode/procurement/contract"
)

// Chaincode is one GovLedger chaincode: how to build it and where the Go
// source of its contracts lives.
type Chaincode struct {
	// Name is the chaincode's name in network/topology.yaml.
	Name string
	// New builds the chaincode as its server serves it.
	New func() (*contractapi.ContractChaincode, error)
	// Contracts are the chaincode's contracts, the system contract aside.
	Contracts []Contract
}

// Contract locates one contract's methods in the Go source.
type Contract struct {
	// Name is the contract's name in the metadata (contractapi's GetName).
	Name string
	// Dir is the Go package directory, slash-separated and relative to the
	// repository root.
	Dir string
	// Type is the Go type whose methods are the contract's transactions.
	Type string
}

// The chaincodes, in name order. Contract names come from the packages'
// constants where they have one, so a rename cannot leave this list behind.
var chaincodes = []Chaincode{
	{Name: "audit", New: audit.Chaincode,
		Contracts: []Contract{{Name: audit.Name, Dir: "chaincode/audit/contract", Type: "Contract"}}},
	{Name: "benefits", New: benefits.Chaincode,
		Contracts: []Contract{{Name: benefits.Name, Dir: "chaincode/benefits/contract", Type: "Contract"}}},
	{Name: "health", New: health.Chaincode,
		Contracts: []Contract{{Name: health.Name, Dir: "chaincode/health/contract", Type: "Contract"}}},
	{Name: "identity", New: identity.Chaincode,
		Contracts: []Contract{{Name: identity.Name, Dir: "chaincode/identity/contract", Type: "Contract"}}},
	{Name: "noop", New: noop.Chaincode,
		Contracts: []Contract{{Name: "Noop", Dir: "chaincode/noop", Type: "Contract"}}},
	{Name: "procurement", New: procurement.Chaincode,
		Contracts: []Contract{{Name: procurement.Name, Dir: "chaincode/procurement/contract", Type: "Contract"}}},
}

// All returns every GovLedger chaincode in name order. The slice is the
// caller's own.
func All() []Chaincode {
	out := make([]Chaincode, len(chaincodes))
	for i, c := range chaincodes {
		c.Contracts = slices.Clone(c.Contracts)
		out[i] = c
	}
	return out
}

// Lookup returns the chaincode called name.
func Lookup(name string) (Chaincode, bool) {
	for _, c := range All() {
		if c.Name == name {
			return c, true
		}
	}
	return Chaincode{}, false
}

// Sentinel errors, wrapped by *Error or returned directly; test with
// errors.Is.
var (
	// ErrUnknownChaincode: the name is not in the catalog.
	ErrUnknownChaincode = errors.New("unknown chaincode")
	// ErrWorkingDirMetadata: the process's working directory holds a contract
	// metadata file, which contractapi would serve instead of the reflected
	// metadata Metadata starts from.
	ErrWorkingDirMetadata = errors.New("working directory holds a contract metadata file")
	// ErrSource: the contract's Go source cannot be read or parsed.
	ErrSource = errors.New("contract source unreadable")
	// ErrMismatch: the catalog or the source does not describe the chaincode
	// contractapi reflects (a contract or method is missing, or the
	// parameters differ).
	ErrMismatch = errors.New("source does not match the chaincode")
	// ErrParameterName: a parameter has no name the gateway accepts.
	ErrParameterName = errors.New("invalid parameter name")
	// ErrDirective: a //govledger: directive is malformed or misplaced.
	ErrDirective = errors.New("invalid directive")
)

// Error is a problem with one chaincode's metadata and says where it is.
type Error struct {
	Chaincode string
	// Contract and Transaction are empty when the problem is not theirs.
	Contract    string
	Transaction string
	// Position is "file:line" relative to the repository root, when the
	// problem is in the source.
	Position string
	Err      error
}

// Error renders the location, then the cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("catalog: chaincode " + e.Chaincode)
	if e.Contract != "" {
		b.WriteString(", contract " + e.Contract)
	}
	if e.Transaction != "" {
		b.WriteString(", transaction " + e.Transaction)
	}
	if e.Position != "" {
		b.WriteString(" (" + e.Position + ")")
	}
	return fmt.Sprintf("%s: %v", b.String(), e.Err)
}

// Unwrap returns the cause, which wraps one of the sentinel errors.
func (e *Error) Unwrap() error { return e.Err }
