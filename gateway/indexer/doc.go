// Package indexer is the ledger-wide audit trail: it follows a channel's
// blocks from the genesis block, proves each one extends the hash chain, and
// records for every transaction who acted (MSP, certificate subject and
// attributes), what they invoked (chaincode, function), which keys they wrote
// (public keys by name, private data only as collection and key hash) and how
// the peer judged it (the validation code). Auditors then ask for every
// action of an identity, on an entity, in a time window or of a contract, and
// export the answer as JSON or CSV with the block numbers and hashes anyone
// can re-check against a peer.
//
// # Trust model
//
// The index is only as good as its proof. Before a block is stored the
// indexer checks that its data hash is SHA-256 over the concatenated
// transaction envelopes and that its previous hash is the hash of the
// previous block's header (SHA-256 over the ASN.1 DER sequence of number,
// previous hash and data hash), exactly as Fabric's protoutil computes them.
// A broken link stops indexing with a *ChainError naming the block.
//
// The hash chain does not cover block metadata: validation codes come from
// the serving peer's own validation and orderer signatures are not checked
// here. Verify re-reads the chain (ideally from a different organisation's
// peer) and reports the first transaction whose indexed fields differ.
//
// # Restart without gap or duplicate
//
// Each block's record, its transactions and the checkpoint (next block and
// last header hash) are written in one store transaction, so a crash leaves
// either all of a block or none of it. Run resumes at the checkpoint; rows are
// keyed by block number and transaction index and inserted idempotently, and
// a re-delivered block is accepted only if its header hash matches what was
// stored.
//
// # Storage
//
// Store is the port; SQLiteStore (database/sql with the pure-Go
// modernc.org/sqlite driver, WAL journal, schema migrations versioned in
// code) is the implementation. A PostgreSQL store would satisfy the same
// interface with the same schema (BYTEA for hashes, BIGINT for numbers; the
// row-value comparisons, ON CONFLICT DO NOTHING and keyset paging used here
// are all PostgreSQL syntax too) and SELECT ... FOR UPDATE on the checkpoint
// row in Commit so two indexers cannot interleave. It is not implemented:
// it needs a PostgreSQL driver module the repository does not require yet.
//
// # Wiring
//
// Against a live peer:
//
//	store, err := indexer.OpenSQLite(ctx, "audit.db")
//	ix, err := indexer.NewForNetwork(gateway.GetNetwork("public-services"), store)
//	err = ix.Run(ctx) // returns ErrSourceUnavailable when the stream drops: call Run again
//
// The command gateway/cmd/govledger-indexer does this from a connection
// profile.
package indexer
