package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"

	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// Metadata returns the contract metadata file of the chaincode called name,
// reading its contracts' Go source below repoRoot; see Chaincode.Metadata.
func Metadata(name, repoRoot string) ([]byte, error) {
	c, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("catalog: chaincode %q: %w", name, ErrUnknownChaincode)
	}
	return c.Metadata(repoRoot)
}

// Metadata returns the complete metadata.json for c: what contractapi
// reflects, with every transaction parameter named as in the Go method and
// every //govledger: directive of the method added as a tag. The same source
// gives the same bytes. Written to META-INF/metadata.json in the chaincode's
// working directory, contractapi serves it from GetMetadata.
//
// The process's own working directory must not hold a metadata file, since
// contractapi would then reflect that file rather than the code
// (ErrWorkingDirMetadata). Other failures are an *Error.
func (c Chaincode) Metadata(repoRoot string) ([]byte, error) {
	md, err := c.reflect()
	if err != nil {
		return nil, err
	}
	sources := map[string]*sourcePackage{}
	used := map[string]map[*method]bool{}
	for _, spec := range c.Contracts {
		contract, ok := md.Contracts[spec.Name]
		if !ok {
			return nil, &Error{Chaincode: c.Name, Contract: spec.Name,
				Err: fmt.Errorf("%w: the catalog lists a contract the chaincode does not have", ErrMismatch)}
		}
		pkg, ok := sources[spec.Dir]
		if !ok {
			if pkg, err = parsePackage(repoRoot, spec.Dir); err != nil {
				return nil, &Error{Chaincode: c.Name, Contract: spec.Name, Err: err}
			}
			sources[spec.Dir] = pkg
			used[spec.Dir] = map[*method]bool{}
		}
		for i := range contract.Transactions {
			tx := &contract.Transactions[i]
			m := pkg.methods[spec.Type][tx.Name]
			if m == nil {
				return nil, &Error{Chaincode: c.Name, Contract: spec.Name, Transaction: tx.Name,
					Err: fmt.Errorf("%w: no method %s.%s in %s", ErrMismatch, spec.Type, tx.Name, spec.Dir)}
			}
			used[spec.Dir][m] = true
			if err := annotate(tx, m, md.Components); err != nil {
				return nil, &Error{Chaincode: c.Name, Contract: spec.Name, Transaction: tx.Name, Position: m.pos, Err: err}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(md.Contracts)) {
		if name != contractapi.SystemContractName && !slices.ContainsFunc(c.Contracts, func(s Contract) bool { return s.Name == name }) {
			return nil, &Error{Chaincode: c.Name, Contract: name,
				Err: fmt.Errorf("%w: the chaincode has a contract the catalog does not list", ErrMismatch)}
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(sources)) {
		if err := strayDirective(sources[dir], used[dir]); err != nil {
			return nil, &Error{Chaincode: c.Name, Err: err}
		}
	}
	out, err := json.MarshalIndent(md, "", "  ")
	if err != nil {
		return nil, &Error{Chaincode: c.Name, Err: fmt.Errorf("encode metadata: %w", err)}
	}
	return append(out, '\n'), nil
}

// reflect builds the chaincode and evaluates GetMetadata on an in-memory
// ledger, which answers with contractapi's reflected metadata.
func (c Chaincode) reflect() (metadata.ContractChaincodeMetadata, error) {
	var md metadata.ContractChaincodeMetadata
	if _, err := metadata.ReadMetadataFile(); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return md, fmt.Errorf("catalog: chaincode %s: %w (META-INF/metadata.json or contract-metadata/metadata.json): run from another directory",
			c.Name, ErrWorkingDirMetadata)
	}
	cc, err := c.New()
	if err != nil {
		return md, &Error{Chaincode: c.Name, Err: fmt.Errorf("build chaincode: %w", err)}
	}
	res, err := memstub.New(cc).Evaluate(memstub.Identity{}, contractapi.SystemContractName+":GetMetadata")
	if err != nil {
		return md, &Error{Chaincode: c.Name, Err: fmt.Errorf("evaluate GetMetadata: %w", err)}
	}
	if err := json.Unmarshal(res.Payload, &md); err != nil {
		return md, &Error{Chaincode: c.Name, Err: fmt.Errorf("decode GetMetadata: %w", err)}
	}
	// contractapi reflects before the constructor can set the chaincode's
	// title and version; the file is read after, so it can carry them.
	if cc.Info.Title != "" && cc.Info.Version != "" {
		info := cc.Info
		md.Info = &info
	}
	return md, nil
}

// annotate names tx's parameters after m and adds m's directive tags after
// contractapi's own, sorted.
func annotate(tx *metadata.TransactionMetadata, m *method, components metadata.ComponentMetadata) error {
	names, err := m.parameterNames(len(tx.Parameters))
	if err != nil {
		return err
	}
	for i, name := range names {
		tx.Parameters[i].Name = name
	}
	tags, err := m.tags(func(schema string) bool {
		_, ok := components.Schemas[schema]
		return ok
	})
	if err != nil {
		return err
	}
	slices.Sort(tags)
	for _, tag := range slices.Compact(tags) {
		if !slices.Contains(tx.Tag, tag) {
			tx.Tag = append(tx.Tag, tag)
		}
	}
	return nil
}

// strayDirective fails on a directive that no transaction carries: on an
// unexported or excluded method, or on another type's, it would silently do
// nothing.
func strayDirective(pkg *sourcePackage, used map[*method]bool) error {
	for _, recv := range slices.Sorted(maps.Keys(pkg.methods)) {
		methods := pkg.methods[recv]
		for _, name := range slices.Sorted(maps.Keys(methods)) {
			m := methods[name]
			if len(m.directives) > 0 && !used[m] {
				return directiveError(m.directives[0], fmt.Errorf("%s.%s is not a transaction of a catalogued contract", recv, name))
			}
		}
	}
	for _, m := range pkg.loose {
		if len(m.directives) > 0 {
			return directiveError(m.directives[0], fmt.Errorf("%s is not a transaction of a catalogued contract", m.name))
		}
	}
	return nil
}
