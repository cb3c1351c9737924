package indexer

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	// The pure-Go SQLite driver, registered as "sqlite".
	"modernc.org/sqlite"
)

// migration is one step of the schema. Steps are append-only: a released
// step never changes, a new one gets the next version.
type migration struct {
	version     int
	description string
	statements  []string
}

var migrations = []migration{{
	version:     1,
	description: "audit trail: checkpoint, blocks, actions, writes",
	statements: []string{
		`CREATE TABLE checkpoint (
			id         INTEGER PRIMARY KEY CHECK (id = 1),
			next_block INTEGER NOT NULL,
			last_hash  BLOB
		)`,
		`INSERT INTO checkpoint (id, next_block, last_hash) VALUES (1, 0, NULL)`,
		`CREATE TABLE blocks (
			number        INTEGER PRIMARY KEY,
			hash          BLOB NOT NULL,
			previous_hash BLOB,
			data_hash     BLOB NOT NULL,
			tx_count      INTEGER NOT NULL
		)`,
		`CREATE TABLE actions (
			block_number    INTEGER NOT NULL REFERENCES blocks (number),
			tx_index        INTEGER NOT NULL,
			tx_id           TEXT NOT NULL,
			channel         TEXT NOT NULL,
			type            TEXT NOT NULL,
			ts_seconds      INTEGER,
			ts_nanos        INTEGER,
			creator_msp     TEXT NOT NULL,
			subject         TEXT NOT NULL,
			attributes      TEXT NOT NULL,
			chaincode       TEXT NOT NULL,
			function        TEXT NOT NULL,
			validation_code INTEGER NOT NULL,
			validation      TEXT NOT NULL,
			malformed       TEXT NOT NULL,
			PRIMARY KEY (block_number, tx_index)
		) WITHOUT ROWID`,
		`CREATE INDEX actions_identity ON actions (creator_msp, subject, block_number, tx_index)`,
		`CREATE INDEX actions_chaincode ON actions (chaincode, block_number, tx_index)`,
		`CREATE INDEX actions_time ON actions (ts_seconds, ts_nanos)`,
		`CREATE INDEX actions_tx_id ON actions (tx_id)`,
		`CREATE TABLE writes (
			block_number INTEGER NOT NULL,
			tx_index     INTEGER NOT NULL,
			seq          INTEGER NOT NULL,
			namespace    TEXT NOT NULL,
			collection   TEXT NOT NULL,
			key          TEXT NOT NULL,
			key_hash     BLOB,
			kind         TEXT NOT NULL,
			PRIMARY KEY (block_number, tx_index, seq),
			FOREIGN KEY (block_number, tx_index) REFERENCES actions (block_number, tx_index)
		) WITHOUT ROWID`,
		`CREATE INDEX writes_key ON writes (namespace, key, block_number, tx_index)`,
		`CREATE INDEX writes_key_hash ON writes (namespace, key_hash, block_number, tx_index)`,
	},
}}

// SchemaVersion is the schema version this package migrates databases to.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// SQLiteStore is the default Store: one SQLite database file per channel.
// Writers serialise on SQLite's write lock (transactions begin IMMEDIATE);
// readers run concurrently with the writer thanks to the WAL journal.
type SQLiteStore struct {
	db *sql.DB
}

var _ Store = (*SQLiteStore)(nil)

// OpenSQLite opens (creating if needed) the index database at path and
// migrates it to SchemaVersion. Close it when done.
func OpenSQLite(ctx context.Context, path string) (*SQLiteStore, error) {
	if path == "" {
		return nil, errors.New("open index: path is required")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	// The driver reads parameters after the first '?'; such a path would
	// silently open a different file.
	if strings.ContainsAny(abs, "?#") {
		return nil, fmt.Errorf("open index %s: path must not contain '?' or '#'", path)
	}
	dsn := abs + "?_busy_timeout=10000&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	s := &SQLiteStore{db: db}
	if err := s.init(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	return s, nil
}

// walRetry is how long opening waits for other connections to let it
// switch a new database to WAL.
const walRetry = 10 * time.Second

func (s *SQLiteStore) init(ctx context.Context) error {
	if err := s.enableWAL(ctx); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version     INTEGER PRIMARY KEY,
		description TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("schema_migrations: %w", err)
	}
	current, err := s.schemaVersion(ctx, s.db)
	if err != nil {
		return err
	}
	if current > SchemaVersion() {
		return fmt.Errorf("%w: database is at version %d, this program knows %d", ErrSchemaTooNew, current, SchemaVersion())
	}
	for _, m := range migrations {
		if err := s.migrate(ctx, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.description, err)
		}
	}
	return nil
}

// enableWAL switches the file to the WAL journal (a persistent setting, so
// only the first open of a new file changes anything). SQLite answers
// SQLITE_BUSY at once, without its busy handler, when another connection
// holds the file during the switch, so it is retried here.
func (s *SQLiteStore) enableWAL(ctx context.Context) error {
	deadline := time.Now().Add(walRetry)
	for {
		var mode string
		err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
		var sqliteErr *sqlite.Error
		switch {
		case err == nil && strings.EqualFold(mode, "wal"):
			return nil
		case err == nil:
			return fmt.Errorf("journal mode is %q, want wal", mode)
		case !errors.As(err, &sqliteErr) || sqliteErr.Code()&0xff != sqliteBusy || time.Now().After(deadline):
			return fmt.Errorf("journal mode: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// sqliteBusy is SQLite's primary result code SQLITE_BUSY.
const sqliteBusy = 5

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *SQLiteStore) schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// migrate applies m unless it is applied; the version is re-read inside the
// write transaction so two processes opening a new file apply it once.
func (s *SQLiteStore) migrate(ctx context.Context, m migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	current, err := s.schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if current >= m.version {
		return nil
	}
	for _, stmt := range m.statements {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, description) VALUES (?, ?)`, m.version, m.description); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (s *SQLiteStore) Close() error { return s.db.Close() }

// Checkpoint implements Store.
func (s *SQLiteStore) Checkpoint(ctx context.Context) (Checkpoint, error) {
	return readCheckpoint(ctx, s.db)
}

func readCheckpoint(ctx context.Context, q querier) (Checkpoint, error) {
	var (
		next int64
		last []byte
	)
	if err := q.QueryRowContext(ctx, `SELECT next_block, last_hash FROM checkpoint WHERE id = 1`).Scan(&next, &last); err != nil {
		return Checkpoint{}, fmt.Errorf("read checkpoint: %w", err)
	}
	return Checkpoint{NextBlock: uint64(next), LastHash: last}, nil //nolint:gosec // next_block is only written by Commit as a block number below MaxInt64 plus one, so it is never negative
}

// Commit implements Store.
func (s *SQLiteStore) Commit(ctx context.Context, block BlockRecord, actions []Action) error {
	if block.Number >= math.MaxInt64 {
		return &BlockError{Block: block.Number, Field: "header.number", Rule: "exceeds the index's range"}
	}
	if len(actions) != block.TxCount {
		return &BlockError{Block: block.Number, Field: "data", Rule: fmt.Sprintf("%d actions for %d transactions", len(actions), block.TxCount)}
	}
	for i, a := range actions {
		if a.BlockNumber != block.Number || a.TxIndex != i {
			return &BlockError{Block: block.Number, Field: fmt.Sprintf("actions[%d]", i),
				Rule: fmt.Sprintf("is block %d tx %d", a.BlockNumber, a.TxIndex)}
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("commit block %d: %w", block.Number, err)
	}
	defer func() { _ = tx.Rollback() }()
	cp, err := readCheckpoint(ctx, tx)
	if err != nil {
		return fmt.Errorf("commit block %d: %w", block.Number, err)
	}
	switch {
	case block.Number < cp.NextBlock:
		stored, err := s.block(ctx, tx, block.Number)
		if err != nil {
			return fmt.Errorf("commit block %d: %w", block.Number, err)
		}
		if !bytes.Equal(stored.Hash, block.Hash) {
			return &ConflictError{Block: block.Number, Stored: stored.Hash, Got: block.Hash}
		}
		return nil
	case block.Number > cp.NextBlock:
		return &GapError{Want: cp.NextBlock, Got: block.Number}
	}
	if err := insertBlock(ctx, tx, block, actions); err != nil {
		return fmt.Errorf("commit block %d: %w", block.Number, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE checkpoint SET next_block = ?, last_hash = ? WHERE id = 1`,
		int64(block.Number)+1, nullable(block.Hash)); err != nil {
		return fmt.Errorf("commit block %d: checkpoint: %w", block.Number, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit block %d: %w", block.Number, err)
	}
	return nil
}

func insertBlock(ctx context.Context, tx *sql.Tx, block BlockRecord, actions []Action) (retErr error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO blocks (number, hash, previous_hash, data_hash, tx_count)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (number) DO NOTHING`,
		int64(block.Number), nullable(block.Hash), nullable(block.PreviousHash), nullable(block.DataHash), block.TxCount); err != nil { //nolint:gosec // Commit rejects block numbers at or above MaxInt64
		return fmt.Errorf("block: %w", err)
	}
	insAction, err := tx.PrepareContext(ctx, `INSERT INTO actions (block_number, tx_index, tx_id, channel, type,
		ts_seconds, ts_nanos, creator_msp, subject, attributes, chaincode, function, validation_code, validation, malformed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (block_number, tx_index) DO NOTHING`)
	if err != nil {
		return err
	}
	defer func() { retErr = errors.Join(retErr, closeStmt("action statement", insAction)) }()
	insWrite, err := tx.PrepareContext(ctx, `INSERT INTO writes (block_number, tx_index, seq, namespace, collection, key, key_hash, kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (block_number, tx_index, seq) DO NOTHING`)
	if err != nil {
		return err
	}
	defer func() { retErr = errors.Join(retErr, closeStmt("write statement", insWrite)) }()
	for _, a := range actions {
		attrs, err := json.Marshal(a.Attributes)
		if err != nil {
			return fmt.Errorf("tx %d attributes: %w", a.TxIndex, err)
		}
		if a.Attributes == nil {
			attrs = []byte("{}")
		}
		var sec, nsec sql.NullInt64
		if !a.Timestamp.IsZero() {
			sec = sql.NullInt64{Int64: a.Timestamp.Unix(), Valid: true}
			nsec = sql.NullInt64{Int64: int64(a.Timestamp.Nanosecond()), Valid: true}
		}
		//nolint:gosec // Commit checks every action is in its block, whose number is below MaxInt64
		if _, err := insAction.ExecContext(ctx, int64(a.BlockNumber), a.TxIndex, a.TxID, a.Channel, a.Type, sec, nsec,
			a.CreatorMSPID, a.Subject, string(attrs), a.Chaincode, a.Function, a.ValidationCode, a.Validation, a.Malformed); err != nil {
			return fmt.Errorf("tx %d: %w", a.TxIndex, err)
		}
		for seq, w := range a.Writes {
			//nolint:gosec // Commit checks every action is in its block, whose number is below MaxInt64
			if _, err := insWrite.ExecContext(ctx, int64(a.BlockNumber), a.TxIndex, seq, w.Namespace, w.Collection,
				w.Key, nullable(w.KeyHash), string(w.Kind)); err != nil {
				return fmt.Errorf("tx %d write %d: %w", a.TxIndex, seq, err)
			}
		}
	}
	return nil
}

// closeStmt closes a prepared insert, naming it in the error so a failed
// close inside a write transaction is not lost.
func closeStmt(name string, stmt *sql.Stmt) error {
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	return nil
}

// Block implements Store.
func (s *SQLiteStore) Block(ctx context.Context, number uint64) (BlockRecord, error) {
	return s.block(ctx, s.db, number)
}

func (s *SQLiteStore) block(ctx context.Context, q querier, number uint64) (BlockRecord, error) {
	if number >= math.MaxInt64 {
		return BlockRecord{}, fmt.Errorf("block %d: %w", number, ErrNotFound)
	}
	rec := BlockRecord{Number: number}
	err := q.QueryRowContext(ctx, `SELECT hash, previous_hash, data_hash, tx_count FROM blocks WHERE number = ?`, int64(number)).
		Scan((*[]byte)(&rec.Hash), (*[]byte)(&rec.PreviousHash), (*[]byte)(&rec.DataHash), &rec.TxCount)
	if errors.Is(err, sql.ErrNoRows) {
		return BlockRecord{}, fmt.Errorf("block %d: %w", number, ErrNotFound)
	}
	if err != nil {
		return BlockRecord{}, fmt.Errorf("block %d: %w", number, err)
	}
	return rec, nil
}

const selectActions = `SELECT a.block_number, b.hash, a.tx_index, a.tx_id, a.channel, a.type, a.ts_seconds, a.ts_nanos,
	a.creator_msp, a.subject, a.attributes, a.chaincode, a.function, a.validation_code, a.validation, a.malformed
	FROM actions a JOIN blocks b ON b.number = a.block_number`

// BlockActions implements Store.
func (s *SQLiteStore) BlockActions(ctx context.Context, number uint64) ([]Action, error) {
	if number >= math.MaxInt64 {
		return nil, fmt.Errorf("block %d: %w", number, ErrNotFound)
	}
	actions, err := s.actions(ctx, selectActions+` WHERE a.block_number = ? ORDER BY a.tx_index`, int64(number))
	if err != nil {
		return nil, fmt.Errorf("block %d actions: %w", number, err)
	}
	return actions, nil
}

// Query implements Store.
func (s *SQLiteStore) Query(ctx context.Context, q Query) (Page, error) {
	pos, err := q.position()
	if err != nil {
		return Page{}, err
	}
	var (
		where []string
		args  []any
	)
	if q.MSPID != "" {
		where, args = append(where, `a.creator_msp = ?`), append(args, q.MSPID)
	}
	if q.Subject != "" {
		where, args = append(where, `a.subject = ?`), append(args, q.Subject)
	}
	switch {
	case q.Key != "":
		where = append(where, `(a.block_number, a.tx_index) IN (SELECT w.block_number, w.tx_index FROM writes w
			WHERE w.namespace = ? AND ((w.collection = '' AND w.key = ?) OR w.key_hash = ?))`)
		args = append(args, q.Chaincode, q.Key, []byte(pos.keyHash))
	case q.Chaincode != "":
		where = append(where, `(a.chaincode = ? OR (a.block_number, a.tx_index) IN
			(SELECT w.block_number, w.tx_index FROM writes w WHERE w.namespace = ?))`)
		args = append(args, q.Chaincode, q.Chaincode)
	}
	if !q.From.IsZero() {
		where, args = append(where, `(a.ts_seconds, a.ts_nanos) >= (?, ?)`), append(args, q.From.Unix(), q.From.Nanosecond())
	}
	if !q.To.IsZero() {
		where, args = append(where, `(a.ts_seconds, a.ts_nanos) < (?, ?)`), append(args, q.To.Unix(), q.To.Nanosecond())
	}
	if q.BeforeBlock != 0 {
		where, args = append(where, `a.block_number < ?`), append(args, clampInt64(q.BeforeBlock))
	}
	if pos.after {
		where, args = append(where, `(a.block_number, a.tx_index) > (?, ?)`), append(args, clampInt64(pos.block), int64(pos.tx))
	}
	stmt := selectActions
	if len(where) > 0 {
		stmt += ` WHERE ` + strings.Join(where, ` AND `)
	}
	stmt += ` ORDER BY a.block_number, a.tx_index LIMIT ?`
	args = append(args, pos.pageSize+1)
	actions, err := s.actions(ctx, stmt, args...)
	if err != nil {
		return Page{}, fmt.Errorf("query: %w", err)
	}
	page := Page{Actions: actions}
	if len(actions) > pos.pageSize {
		page.Actions = actions[:pos.pageSize]
		page.Next = q.cursorAfter(page.Actions[pos.pageSize-1])
	}
	return page, nil
}

// nullable stores an empty hash as NULL, which reads back as nil, the way
// protobuf decodes an absent bytes field.
func nullable(h Hash) any {
	if len(h) == 0 {
		return nil
	}
	return []byte(h)
}

func clampInt64(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// actions runs a selectActions query and attaches each action's writes.
func (s *SQLiteStore) actions(ctx context.Context, stmt string, args ...any) ([]Action, error) {
	rows, err := s.db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []Action
	for rows.Next() {
		var (
			a         Action
			block     int64
			sec, nsec sql.NullInt64
			attrs     string
		)
		if err := rows.Scan(&block, (*[]byte)(&a.BlockHash), &a.TxIndex, &a.TxID, &a.Channel, &a.Type, &sec, &nsec,
			&a.CreatorMSPID, &a.Subject, &attrs, &a.Chaincode, &a.Function, &a.ValidationCode, &a.Validation, &a.Malformed); err != nil {
			return nil, err
		}
		a.BlockNumber = uint64(block) //nolint:gosec // block_number comes from a block Commit accepted, below MaxInt64
		if sec.Valid && nsec.Valid {
			a.Timestamp = time.Unix(sec.Int64, nsec.Int64).UTC()
		}
		if err := json.Unmarshal([]byte(attrs), &a.Attributes); err != nil {
			return nil, fmt.Errorf("block %d tx %d attributes: %w", block, a.TxIndex, err)
		}
		if len(a.Attributes) == 0 {
			a.Attributes = nil
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.attachWrites(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *SQLiteStore) attachWrites(ctx context.Context, actions []Action) error {
	if len(actions) == 0 {
		return nil
	}
	index := make(map[[2]int64]int, len(actions))
	values := make([]string, 0, len(actions))
	args := make([]any, 0, 2*len(actions))
	for i, a := range actions {
		index[[2]int64{int64(a.BlockNumber), int64(a.TxIndex)}] = i //nolint:gosec // actions were read back from the index, whose block numbers are below MaxInt64
		values = append(values, `(?, ?)`)
		args = append(args, int64(a.BlockNumber), a.TxIndex) //nolint:gosec // as above: an indexed block number is below MaxInt64
	}
	//nolint:gosec // G202: only the constant placeholder `(?, ?)` is joined into the query; every value is a bound argument
	rows, err := s.db.QueryContext(ctx, `SELECT block_number, tx_index, namespace, collection, key, key_hash, kind FROM writes
		WHERE (block_number, tx_index) IN (VALUES `+strings.Join(values, `, `)+`)
		ORDER BY block_number, tx_index, seq`, args...)
	if err != nil {
		return fmt.Errorf("writes: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var (
			block, tx int64
			w         Write
			kind      string
		)
		if err := rows.Scan(&block, &tx, &w.Namespace, &w.Collection, &w.Key, (*[]byte)(&w.KeyHash), &kind); err != nil {
			return fmt.Errorf("writes: %w", err)
		}
		w.Kind = WriteKind(kind)
		i := index[[2]int64{block, tx}]
		actions[i].Writes = append(actions[i].Writes, w)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("writes: %w", err)
	}
	return nil
}
