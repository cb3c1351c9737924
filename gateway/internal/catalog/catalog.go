// Package catalog turns the contract metadata a contractapi chaincode reports
// (org.hyperledger.fabric:GetMetadata) into the set of functions the gateway
// exposes, validates requests against the metadata's JSON schemas before
// anything reaches a peer, and describes the result as an OpenAPI document.
//
// Routing is derived, never hand-written: every transaction of every contract
// becomes one function. Functions of the chaincode's default contract are
// addressed by their bare name (CreateTender); functions of other contracts as
// <contract>.<function> (audit.RecordFinding).
package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/xeipuuv/gojsonschema"
)

// SystemContract is contractapi's built-in contract (GetMetadata). It is not
// exposed as a route: its one function feeds this catalog.
const SystemContract = "org.hyperledger.fabric"

// MetadataTransaction is the qualified name of the transaction that returns a
// chaincode's contract metadata.
const MetadataTransaction = SystemContract + ":GetMetadata"

// TransientField is the request field that carries private data.
const TransientField = "transient"

// Kind says whether a function writes the ledger (submit) or only reads it
// (evaluate).
type Kind int

// Function kinds. contractapi tags every transaction "submit"/"SUBMIT" or
// "evaluate"/"EVALUATE"; an untagged one is a submit, as in contractapi.
const (
	KindSubmit Kind = iota + 1
	KindEvaluate
)

// String names the kind as contractapi tags it.
func (k Kind) String() string {
	if k == KindEvaluate {
		return "evaluate"
	}
	return "submit"
}

// Sentinel errors for lookups; they are wrapped in *NotFoundError.
var (
	ErrUnknownChaincode = errors.New("unknown chaincode")
	ErrUnknownFunction  = errors.New("unknown function")
)

// NotFoundError reports a route that names no known chaincode or function.
type NotFoundError struct {
	Chaincode string
	Function  string
	Err       error // ErrUnknownChaincode or ErrUnknownFunction
}

func (e *NotFoundError) Error() string {
	if errors.Is(e.Err, ErrUnknownChaincode) {
		return fmt.Sprintf("chaincode %q is not served by this gateway", e.Chaincode)
	}
	return fmt.Sprintf("chaincode %q has no function %q", e.Chaincode, e.Function)
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// MetadataError reports metadata the catalog cannot serve.
type MetadataError struct {
	Chaincode string
	// Where locates the problem (contract, transaction or parameter).
	Where string
	Err   error
}

func (e *MetadataError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("metadata of chaincode %q: %v", e.Chaincode, e.Err)
	}
	return fmt.Sprintf("metadata of chaincode %q at %s: %v", e.Chaincode, e.Where, e.Err)
}

func (e *MetadataError) Unwrap() error { return e.Err }

// CollectionMembers returns the MSP IDs of a private data collection's
// members, false if the chaincode defines no such collection. The connection
// profile provides it.
type CollectionMembers func(chaincode, collection string) ([]string, bool)

// Param is one positional argument of a function.
type Param struct {
	Name        string
	Description string
	// Schema is the parameter's JSON schema exactly as the metadata has it.
	Schema   json.RawMessage
	compiled *gojsonschema.Schema
	// scalar records the schema's type when it is a plain JSON type, so
	// query-string values can be converted and integers normalised.
	scalar string
}

// Secret is one private (transient) input a function declares.
type Secret struct {
	Key      string
	Optional bool
	// SchemaRef names a component schema the value must match; empty accepts
	// any JSON value.
	SchemaRef string
	compiled  *gojsonschema.Schema
}

// Function is one callable chaincode transaction.
type Function struct {
	Chaincode string
	// Contract is the contract name; Transaction the function's own name.
	Contract    string
	Transaction string
	Default     bool
	Kind        Kind
	Params      []Param
	Secrets     []Secret
	// Collections are the private data collections the function writes.
	Collections []string
	// EndorsingOrgs restricts endorsement to organisations that hold every
	// collection in Collections; empty lets the Fabric gateway choose.
	EndorsingOrgs []string
	// Returns is the return value's JSON schema, nil when nothing is returned.
	Returns json.RawMessage
}

// Route is the {function} path segment that addresses the function.
func (f *Function) Route() string {
	if f.Default {
		return f.Transaction
	}
	return f.Contract + "." + f.Transaction
}

// Qualified is the transaction name sent to the chaincode (contract:function).
func (f *Function) Qualified() string { return f.Contract + ":" + f.Transaction }

// ReturnsString reports whether the chaincode returns a bare string, which the
// peer hands back unquoted.
func (f *Function) ReturnsString() bool {
	if len(f.Returns) == 0 {
		return false
	}
	var s struct {
		Type   string `json:"type"`
		Format string `json:"format"`
	}
	return json.Unmarshal(f.Returns, &s) == nil && s.Type == "string" && s.Format != "byte"
}

// Chaincode is the catalog of one chaincode.
type Chaincode struct {
	Name        string
	Title       string
	Description string
	Version     string
	// Components are the metadata's shared schemas, keyed by name.
	Components map[string]json.RawMessage
	functions  map[string]*Function
	routes     []string
}

// Functions lists the chaincode's functions ordered by route.
func (c *Chaincode) Functions() []*Function {
	out := make([]*Function, 0, len(c.routes))
	for _, r := range c.routes {
		out = append(out, c.functions[r])
	}
	return out
}

// Catalog is an immutable set of chaincodes; a refresh builds a new one.
type Catalog struct {
	chaincodes map[string]*Chaincode
	names      []string
}

// New builds a catalog from parsed chaincodes; a later duplicate name wins.
func New(chaincodes ...*Chaincode) *Catalog {
	c := &Catalog{chaincodes: make(map[string]*Chaincode, len(chaincodes))}
	for _, cc := range chaincodes {
		c.chaincodes[cc.Name] = cc
	}
	for name := range c.chaincodes {
		c.names = append(c.names, name)
	}
	sort.Strings(c.names)
	return c
}

// Chaincodes lists the catalog's chaincodes ordered by name.
func (c *Catalog) Chaincodes() []*Chaincode {
	out := make([]*Chaincode, 0, len(c.names))
	for _, n := range c.names {
		out = append(out, c.chaincodes[n])
	}
	return out
}

// Lookup finds the function a route addresses.
func (c *Catalog) Lookup(chaincode, route string) (*Function, error) {
	cc, ok := c.chaincodes[chaincode]
	if !ok {
		return nil, &NotFoundError{Chaincode: chaincode, Function: route, Err: ErrUnknownChaincode}
	}
	fn, ok := cc.functions[route]
	if !ok {
		return nil, &NotFoundError{Chaincode: chaincode, Function: route, Err: ErrUnknownFunction}
	}
	return fn, nil
}

// metadata mirrors contractapi's ContractChaincodeMetadata JSON. Schemas stay
// raw so the catalog never drops a keyword it does not know.
type metadata struct {
	Info       *info                       `json:"info"`
	Contracts  map[string]contractMetadata `json:"contracts"`
	Components struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

type info struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Version     string `json:"version"`
}

type contractMetadata struct {
	Name         string                `json:"name"`
	Default      bool                  `json:"default"`
	Transactions []transactionMetadata `json:"transactions"`
}

type transactionMetadata struct {
	Name       string              `json:"name"`
	Tag        []string            `json:"tag"`
	Parameters []parameterMetadata `json:"parameters"`
	Returns    json.RawMessage     `json:"returns"`
}

type parameterMetadata struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
}

var (
	namePattern      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,127}$`)
	contractPattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,127}$`)
	chaincodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$`)
)

// ValidChaincodeName reports whether name can be a chaincode name in a route.
func ValidChaincodeName(name string) bool { return chaincodePattern.MatchString(name) }

// Parse builds the catalog of one chaincode from its GetMetadata result.
// members resolves collection tags to endorsing organisations; nil means the
// profile declares no collections.
func Parse(chaincode string, raw []byte, members CollectionMembers) (*Chaincode, error) {
	registerFormats()
	if !ValidChaincodeName(chaincode) {
		return nil, &MetadataError{Chaincode: chaincode, Err: errors.New("chaincode name must match " + chaincodePattern.String())}
	}
	var md metadata
	if err := json.Unmarshal(raw, &md); err != nil {
		return nil, &MetadataError{Chaincode: chaincode, Err: fmt.Errorf("decode: %w", err)}
	}
	components, err := json.Marshal(md.Components)
	if err != nil {
		return nil, &MetadataError{Chaincode: chaincode, Err: fmt.Errorf("encode components: %w", err)}
	}
	cc := &Chaincode{
		Name:       chaincode,
		Components: md.Components.Schemas,
		functions:  make(map[string]*Function),
	}
	if md.Info != nil {
		cc.Title, cc.Description, cc.Version = md.Info.Title, md.Info.Description, md.Info.Version
	}
	contractNames := make([]string, 0, len(md.Contracts))
	for name := range md.Contracts {
		contractNames = append(contractNames, name)
	}
	sort.Strings(contractNames)
	for _, key := range contractNames {
		contract := md.Contracts[key]
		if key == SystemContract {
			continue
		}
		if contract.Name == "" {
			contract.Name = key
		}
		if !contractPattern.MatchString(contract.Name) {
			return nil, &MetadataError{Chaincode: chaincode, Where: "contract " + contract.Name, Err: errors.New("contract name must match " + contractPattern.String())}
		}
		for _, tx := range contract.Transactions {
			fn, err := parseFunction(chaincode, contract, tx, components, md.Components.Schemas, members)
			if err != nil {
				return nil, err
			}
			route := fn.Route()
			if _, dup := cc.functions[route]; dup {
				return nil, &MetadataError{Chaincode: chaincode, Where: "transaction " + route, Err: errors.New("two transactions share one route")}
			}
			cc.functions[route] = fn
			cc.routes = append(cc.routes, route)
		}
	}
	sort.Strings(cc.routes)
	return cc, nil
}

func parseFunction(chaincode string, contract contractMetadata, tx transactionMetadata, components []byte, schemas map[string]json.RawMessage, members CollectionMembers) (*Function, error) {
	where := "transaction " + contract.Name + ":" + tx.Name
	fail := func(err error) error { return &MetadataError{Chaincode: chaincode, Where: where, Err: err} }
	if !namePattern.MatchString(tx.Name) {
		return nil, fail(errors.New("transaction name must match " + namePattern.String()))
	}
	fn := &Function{
		Chaincode:   chaincode,
		Contract:    contract.Name,
		Transaction: tx.Name,
		Default:     contract.Default,
		Kind:        KindSubmit,
		Returns:     tx.Returns,
	}
	tags, err := parseTags(tx.Tag)
	if err != nil {
		return nil, fail(err)
	}
	fn.Kind = tags.kind
	seen := map[string]bool{TransientField: true}
	for _, p := range tx.Parameters {
		if seen[p.Name] || !namePattern.MatchString(p.Name) {
			return nil, fail(fmt.Errorf("parameter %q must be unique, not %q, and match %s", p.Name, TransientField, namePattern))
		}
		seen[p.Name] = true
		schema := p.Schema
		if len(schema) == 0 {
			schema = json.RawMessage(`{}`)
		}
		compiled, err := compile(p.Name, schema, components)
		if err != nil {
			return nil, fail(fmt.Errorf("parameter %s schema: %w", p.Name, err))
		}
		fn.Params = append(fn.Params, Param{
			Name:        p.Name,
			Description: p.Description,
			Schema:      schema,
			compiled:    compiled,
			scalar:      scalarType(schema),
		})
	}
	for _, s := range tags.secrets {
		if s.SchemaRef != "" {
			if _, ok := schemas[s.SchemaRef]; !ok {
				return nil, fail(fmt.Errorf("transient %s names unknown component schema %q", s.Key, s.SchemaRef))
			}
			ref, _ := json.Marshal(map[string]string{"$ref": "#/components/schemas/" + s.SchemaRef})
			compiled, err := compile(s.Key, ref, components)
			if err != nil {
				return nil, fail(fmt.Errorf("transient %s schema: %w", s.Key, err))
			}
			s.compiled = compiled
		}
		fn.Secrets = append(fn.Secrets, s)
	}
	fn.Collections = tags.collections
	if len(fn.Collections) > 0 {
		orgs, err := endorsers(chaincode, fn.Collections, members)
		if err != nil {
			return nil, fail(err)
		}
		fn.EndorsingOrgs = orgs
	}
	return fn, nil
}

// endorsers intersects the members of every collection, so each endorsing
// peer can read and write all the private data the function touches.
func endorsers(chaincode string, collections []string, members CollectionMembers) ([]string, error) {
	var orgs []string
	for i, name := range collections {
		var m []string
		ok := false
		if members != nil {
			m, ok = members(chaincode, name)
		}
		if !ok {
			return nil, fmt.Errorf("collection %q is not defined for chaincode %q in the connection profile", name, chaincode)
		}
		if i == 0 {
			orgs = slices.Clone(m)
			continue
		}
		orgs = slices.DeleteFunc(orgs, func(o string) bool { return !slices.Contains(m, o) })
	}
	if len(orgs) == 0 {
		return nil, fmt.Errorf("collections %s have no member in common", strings.Join(collections, ", "))
	}
	sort.Strings(orgs)
	return slices.Compact(orgs), nil
}

func compile(name string, schema json.RawMessage, components []byte) (*gojsonschema.Schema, error) {
	doc := fmt.Appendf(nil, `{"components":%s,"properties":{%q:%s}}`, components, name, schema)
	return gojsonschema.NewSchema(gojsonschema.NewBytesLoader(doc))
}

func scalarType(schema json.RawMessage) string {
	var s struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return ""
	}
	switch s.Type {
	case "string", "integer", "number", "boolean":
		return s.Type
	}
	return ""
}
