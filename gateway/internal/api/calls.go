package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/govledger/govledger/gateway/internal/catalog"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/problem"
	"github.com/govledger/govledger/gateway/internal/strictjson"
	"github.com/govledger/govledger/gateway/internal/txn"
)

// Actions of the non-custodial flow, appended to the function segment
// (POST /v1/procurement/CreateTender:prepare).
const (
	actionPrepare  = "prepare"
	actionEvaluate = "evaluate"
	actionEndorse  = "endorse"
	actionSubmit   = "submit"
)

// IdempotencyHeader carries the client's idempotency key.
const IdempotencyHeader = "Idempotency-Key"

// call dispatches GET|POST /v1/{chaincode}/{function}[:action].
func (s *Server) call(w http.ResponseWriter, r *http.Request) error {
	chaincode := r.PathValue("chaincode")
	route, action, _ := strings.Cut(r.PathValue("function"), ":")
	in := infoFrom(r.Context())
	in.chaincode, in.function = chaincode, route
	fn, err := s.catalogs.Catalog().Lookup(chaincode, route)
	if err != nil {
		return err
	}
	if action != "" && r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return problem.ErrMethodNotAllowed
	}
	switch action {
	case "":
		if fn.Kind == catalog.KindEvaluate {
			return s.evaluate(w, r, fn)
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			return problem.ErrMethodNotAllowed
		}
		return s.submit(w, r, fn)
	case actionPrepare:
		return s.prepare(w, r, fn)
	case actionEvaluate:
		if fn.Kind != catalog.KindEvaluate {
			return &catalog.NotFoundError{Chaincode: chaincode, Function: route + ":" + action, Err: catalog.ErrUnknownFunction}
		}
		return s.evaluateSigned(w, r, fn)
	case actionEndorse, actionSubmit:
		if fn.Kind != catalog.KindSubmit {
			return &catalog.NotFoundError{Chaincode: chaincode, Function: route + ":" + action, Err: catalog.ErrUnknownFunction}
		}
		if s.readOnly {
			return problem.ErrReadOnly
		}
		if action == actionEndorse {
			return s.endorseSigned(w, r, fn)
		}
		return s.submitSigned(w, r, fn)
	}
	return &catalog.NotFoundError{Chaincode: chaincode, Function: route + ":" + action, Err: catalog.ErrUnknownFunction}
}

// readBody reads a bounded JSON body; an empty body reads as {}.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, &strictjson.Error{Rule: strictjson.RuleSyntax, Field: "Content-Type", Detail: "must be application/json"}
		}
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &strictjson.Error{Rule: strictjson.RuleTooLarge, Detail: "exceeds the size limit", Cause: err}
		}
		return nil, &strictjson.Error{Rule: strictjson.RuleSyntax, Detail: "unreadable body", Cause: err}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("{}"), nil
	}
	return raw, nil
}

// invocation validates the request against the function's schemas.
func (s *Server) invocation(w http.ResponseWriter, r *http.Request, fn *catalog.Function) (*catalog.Invocation, error) {
	var input catalog.Input
	if r.Method == http.MethodGet {
		var err error
		if input, err = fn.InputFromQuery(r.URL.Query()); err != nil {
			return nil, err
		}
	} else {
		raw, err := s.readBody(w, r)
		if err != nil {
			return nil, err
		}
		members, err := strictjson.Object(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		if input, err = catalog.InputFromMembers(members); err != nil {
			return nil, err
		}
	}
	return fn.Bind(input)
}

func callOf(r *http.Request, fn *catalog.Function, inv *catalog.Invocation) txn.Call {
	return txn.Call{
		Caller: callerOf(r).ID, Chaincode: fn.Chaincode, Function: fn.Route(), Transaction: fn.Qualified(),
		Args: inv.Args, Transient: inv.Transient, EndorsingOrgs: fn.EndorsingOrgs,
	}
}

func (s *Server) evaluate(w http.ResponseWriter, r *http.Request, fn *catalog.Function) error {
	inv, err := s.invocation(w, r, fn)
	if err != nil {
		return err
	}
	signer, err := s.wallet.Identity(callerOf(r).User)
	if err != nil {
		return err
	}
	out, err := s.txns.Evaluate(r.Context(), signer, callOf(r, fn, inv))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, evaluation{Result: result(fn, out)})
	return nil
}

type evaluation struct {
	Result json.RawMessage `json:"result"`
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, fn *catalog.Function) error {
	if s.readOnly {
		return problem.ErrReadOnly
	}
	key := r.Header.Get(IdempotencyHeader)
	if err := checkKey(key); err != nil {
		return err
	}
	async, err := wantsAsync(r)
	if err != nil {
		return err
	}
	inv, err := s.invocation(w, r, fn)
	if err != nil {
		return err
	}
	signer, err := s.wallet.Identity(callerOf(r).User)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.syncWait)
	defer cancel()
	rec, err := s.txns.Submit(ctx, signer, callOf(r, fn, inv), txn.SubmitOptions{Key: key, Async: async})
	if err != nil {
		return err
	}
	return s.respondReceipt(w, r, fn, rec, async)
}

// respondReceipt answers 200 with the committed result, or 202 with the
// receipt while the transaction is still pending.
func (s *Server) respondReceipt(w http.ResponseWriter, r *http.Request, fn *catalog.Function, rec *txn.Receipt, async bool) error {
	infoFrom(r.Context()).txID = rec.TxID
	if rec.State == txn.StateFailed && rec.Err != nil {
		return rec.Err
	}
	w.Header().Set("Location", "/v1/transactions/"+rec.TxID)
	if rec.State == txn.StatePending {
		if async {
			w.Header().Set("Preference-Applied", "respond-async")
		}
		writeJSON(w, http.StatusAccepted, receiptOf(fn, rec))
		return nil
	}
	writeJSON(w, http.StatusOK, submitted{Result: result(fn, rec.Result), TxID: rec.TxID, BlockNumber: rec.Block, ValidationCode: rec.Code})
	return nil
}

type submitted struct {
	Result         json.RawMessage `json:"result"`
	TxID           string          `json:"txId"`
	BlockNumber    uint64          `json:"blockNumber"`
	ValidationCode string          `json:"validationCode"`
}

// checkKey accepts idempotency keys of 1..200 visible ASCII characters.
func checkKey(key string) error {
	if len(key) > 200 {
		return &strictjson.Error{Field: IdempotencyHeader, Rule: "length", Detail: "must be at most 200 characters"}
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return &strictjson.Error{Field: IdempotencyHeader, Rule: "charset", Detail: "must be visible ASCII"}
		}
	}
	return nil
}

// wantsAsync reads ?async=true or Prefer: respond-async.
func wantsAsync(r *http.Request) (bool, error) {
	if v := r.URL.Query().Get("async"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, &strictjson.Error{Field: "async", Rule: "type", Detail: "must be true or false"}
		}
		return b, nil
	}
	for _, pref := range r.Header.Values("Prefer") {
		for _, tok := range strings.Split(pref, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "respond-async") {
				return true, nil
			}
		}
	}
	return false, nil
}

// result renders a chaincode return value as JSON: strings the function
// declares as strings are quoted, JSON is passed as is, anything else becomes
// a JSON string (base64 when it is not UTF-8).
func result(fn *catalog.Function, out []byte) json.RawMessage {
	if len(out) == 0 && !fn.ReturnsString() {
		return json.RawMessage("null")
	}
	if !fn.ReturnsString() && json.Valid(out) {
		return json.RawMessage(out)
	}
	var s string
	if utf8.Valid(out) {
		s = string(out)
	} else {
		s = base64.StdEncoding.EncodeToString(out)
	}
	raw, _ := json.Marshal(s)
	return raw
}

// receiptJSON is the public form of a receipt.
type receiptJSON struct {
	TxID           string           `json:"txId"`
	Status         txn.State        `json:"status"`
	Chaincode      string           `json:"chaincode"`
	Function       string           `json:"function"`
	Result         json.RawMessage  `json:"result,omitempty"`
	BlockNumber    uint64           `json:"blockNumber,omitempty"`
	ValidationCode string           `json:"validationCode,omitempty"`
	Attempts       []string         `json:"attempts"`
	Error          *problem.Problem `json:"error,omitempty"`
}

func receiptOf(fn *catalog.Function, rec *txn.Receipt) receiptJSON {
	out := receiptJSON{
		TxID: rec.TxID, Status: rec.State, Chaincode: rec.Chaincode, Function: rec.Function,
		BlockNumber: rec.Block, ValidationCode: rec.Code, Attempts: rec.Attempts,
	}
	if rec.State == txn.StateCommitted {
		out.Result = result(fn, rec.Result)
	}
	if rec.Err != nil {
		out.Error = problem.From(rec.Err)
	}
	return out
}

func (s *Server) receipt(w http.ResponseWriter, r *http.Request) error {
	txID := r.PathValue("txId")
	infoFrom(r.Context()).txID = txID
	rec, err := s.txns.Receipt(callerOf(r).ID, txID)
	if err != nil {
		return err
	}
	infoFrom(r.Context()).chaincode, infoFrom(r.Context()).function = rec.Chaincode, rec.Function
	fn, lookupErr := s.catalogs.Catalog().Lookup(rec.Chaincode, rec.Function)
	if lookupErr != nil {
		// The function left the catalog since; render its result untyped.
		fn = &catalog.Function{Chaincode: rec.Chaincode}
	}
	writeJSON(w, http.StatusOK, receiptOf(fn, rec))
	return nil
}

// Offline (non-custodial) flow.

type prepared struct {
	TxID     string `json:"txId"`
	Proposal []byte `json:"proposal"`
	Digest   []byte `json:"digest"`
}

func (s *Server) prepare(w http.ResponseWriter, r *http.Request, fn *catalog.Function) error {
	if fn.Kind == catalog.KindSubmit && s.readOnly {
		return problem.ErrReadOnly
	}
	inv, err := s.invocation(w, r, fn)
	if err != nil {
		return err
	}
	id, err := s.wallet.Identity(callerOf(r).User)
	if err != nil {
		return err
	}
	prop, err := s.txns.Prepare(id.Creator(), callOf(r, fn, inv))
	if err != nil {
		return err
	}
	infoFrom(r.Context()).txID = prop.TxID
	writeJSON(w, http.StatusOK, prepared{TxID: prop.TxID, Proposal: prop.Bytes, Digest: prop.Digest})
	return nil
}

type signedProposal struct {
	Proposal  []byte `json:"proposal"`
	Signature []byte `json:"signature"`
}

func (s *Server) decodeSigned(w http.ResponseWriter, r *http.Request, v any, fields ...string) error {
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if err := strictjson.Decode(bytes.NewReader(raw), v); err != nil {
		return err
	}
	members, _ := strictjson.Object(bytes.NewReader(raw))
	for _, f := range fields {
		if len(members[f]) == 0 || string(members[f]) == `""` || string(members[f]) == "null" {
			return &strictjson.Error{Field: f, Rule: "required", Detail: "is required (base64)"}
		}
	}
	return nil
}

func (s *Server) evaluateSigned(w http.ResponseWriter, r *http.Request, fn *catalog.Function) error {
	var body signedProposal
	if err := s.decodeSigned(w, r, &body, "proposal", "signature"); err != nil {
		return err
	}
	out, err := s.txns.EvaluateSigned(r.Context(), ledger.Signed{Bytes: body.Proposal, Signature: body.Signature})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, evaluation{Result: result(fn, out)})
	return nil
}

type endorsed struct {
	TxID        string          `json:"txId"`
	Transaction []byte          `json:"transaction"`
	Digest      []byte          `json:"digest"`
	Result      json.RawMessage `json:"result"`
}

func (s *Server) endorseSigned(w http.ResponseWriter, r *http.Request, fn *catalog.Function) error {
	var body signedProposal
	if err := s.decodeSigned(w, r, &body, "proposal", "signature"); err != nil {
		return err
	}
	tx, err := s.txns.EndorseSigned(r.Context(), ledger.Signed{Bytes: body.Proposal, Signature: body.Signature})
	if err != nil {
		return err
	}
	infoFrom(r.Context()).txID = tx.TxID
	writeJSON(w, http.StatusOK, endorsed{TxID: tx.TxID, Transaction: tx.Bytes, Digest: tx.Digest, Result: result(fn, tx.Result)})
	return nil
}

type signedTransaction struct {
	Transaction []byte `json:"transaction"`
	Signature   []byte `json:"signature"`
}

func (s *Server) submitSigned(w http.ResponseWriter, r *http.Request, fn *catalog.Function) error {
	async, err := wantsAsync(r)
	if err != nil {
		return err
	}
	var body signedTransaction
	if err := s.decodeSigned(w, r, &body, "transaction", "signature"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.syncWait)
	defer cancel()
	call := txn.Call{Caller: callerOf(r).ID, Chaincode: fn.Chaincode, Function: fn.Route(), Transaction: fn.Qualified()}
	rec, err := s.txns.SubmitSigned(ctx, call, ledger.Signed{Bytes: body.Transaction, Signature: body.Signature}, async)
	if err != nil {
		return err
	}
	return s.respondReceipt(w, r, fn, rec, async)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
