// Package catalog is the one list of GovLedger chaincodes (All, Lookup) and
// the generator of their contract metadata (Metadata): the JSON that
// contractapi serves from org.hyperledger.fabric:GetMetadata and that the
// GovLedger gateway turns into HTTP routes with named JSON bodies.
//
// contractapi reflects every transaction parameter as param0, param1, ...
// because Go reflection has no parameter names. It does read a metadata file
// from the chaincode's working directory, META-INF/metadata.json (or
// contract-metadata/metadata.json), and that file replaces the reflected
// contracts. Metadata writes such a file: the reflected metadata, obtained by
// evaluating GetMetadata, with each parameter renamed after the Go source and
// the contract's directives added as transaction tags. The test-network
// harness writes it next to every chaincode server it starts.
//
// # Parameter names
//
// A contract author does nothing: a parameter is named as in the Go method.
//
//	func (c *Contract) CloseAlert(ctx *txn.Context, alertID, reason string) (*health.Alert, error)
//
// takes the JSON body {"alertID": "...", "reason": "..."}. The transaction
// context, when the method takes one, is not a parameter. Every other
// parameter needs a name the gateway accepts: a letter, then letters, digits
// or underscores, at most 128 characters, and not "transient" (the gateway's
// member for private inputs). Renaming a parameter renames the HTTP field,
// so it is an API change. Transactions are looked up as methods declared on
// the contract's own type in its package; a method promoted from an embedded
// type of another package has no source here, and Metadata refuses it.
//
// # Private inputs and collections
//
// Inputs that must not be recorded on the ledger travel in the proposal's
// transient map, and a function that writes private data must be endorsed
// only by the collection's members. A contract declares both with directives
// at the end of the method's doc comment, one per line, which become the
// tags the gateway parses:
//
//	// SubmitCaseReport stores the case report carried in the transient map.
//	//
//	//govledger:transient report
//	//govledger:collection healthRecords
//	func (c *Contract) SubmitCaseReport(ctx *txn.Context) (*SubmitResult, error)
//
//	//govledger:transient <key>            tag transient:<key>: the function reads private input <key>
//	//govledger:transient <key>?           tag transient:<key>?: ... which the caller may omit
//	//govledger:transient <key>:<Schema>   tag transient:<key>:<Schema>: ... whose value must match
//	                                       components.schemas.<Schema> of the metadata
//	//govledger:collection <name>          tag collection:<name>: the function writes collection <name>
//
// Keys and schema names follow the parameter-name rule, collection names may
// also hold '.' and '-'. A directive that is malformed, names an unknown
// schema, repeats a transient key, or sits on anything but a transaction
// method of a catalogued contract makes Metadata fail, so a mistake is found
// when the network is built rather than when a request is refused.
//
// # Adding a chaincode
//
// Add an entry to the list in catalog.go: the name it has in
// network/topology.yaml, its Chaincode constructor, and for each contract the
// contract name, package directory and Go type.
package catalog
