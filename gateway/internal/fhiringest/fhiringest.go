// Package fhiringest is the FHIR edge of a hospital's gateway:
// POST /v1/health/fhir takes a FHIR R4 Bundle, de-identifies it inside the
// hospital with chaincode/deid, and submits each resulting case report to the
// health chaincode as private (transient) input through the gateway's
// transaction service. The bundle goes no further than this process: not to
// a peer, not into a log or the journal, not into a response, which carries
// only transaction ids and what the ledger publishes of each record.
//
// The de-identification policy (the small-population ZIP prefixes) is read
// from the health chaincode's settings on every request, so the edge and the
// chaincode's gate judge a report by the same rules; the pseudonym secret
// that derives patient keys stays in the gateway.
package fhiringest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/problem"
	"github.com/govledger/govledger/gateway/internal/strictjson"
	"github.com/govledger/govledger/gateway/internal/txn"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

// Path is the route ingestion is served on.
const Path = "/v1/health/fhir"

// Names on the health chaincode (chaincode/health/contract), which the
// gateway does not import: its dependencies belong on the chaincode side.
const (
	// HospitalMSP is the only organisation whose gateway ingests FHIR.
	HospitalMSP = "HospitalMSP"
	// Chaincode is the health chaincode.
	Chaincode = "health"
	// Collection is the private data collection case reports go to; its
	// members endorse each submit.
	Collection = "healthRecords"
	// SubmitFunction is the transaction each report is submitted to.
	SubmitFunction = "SubmitCaseReport"

	contractName     = "health"
	settingsFunction = "GetSettings"
	transientReport  = "report"
)

// Rules of bundle errors that are not the de-identification gate's own
// (those carry the deid.Rule, such as "safe-harbor-g-national-id").
const (
	RuleMalformed   = "fhir-malformed"
	RuleUnsupported = "fhir-unsupported"
	RuleLimit       = "fhir-limit"
)

// MaxKeyLen bounds the Idempotency-Key: each report is submitted under the
// key with "/<index>" appended, within the transaction service's 200.
const MaxKeyLen = 190

// IdempotencyHeader carries the client's idempotency key.
const IdempotencyHeader = "Idempotency-Key"

// Transactions is the part of the gateway's transaction service ingestion
// drives.
type Transactions interface {
	Evaluate(ctx context.Context, signer txn.Signer, call txn.Call) ([]byte, error)
	Submit(ctx context.Context, signer txn.Signer, call txn.Call, opts txn.SubmitOptions) (*txn.Receipt, error)
}

// Wallet resolves a caller's wallet user.
type Wallet interface {
	Identity(name string) (*wallet.Identity, error)
}

// Options tune a Handler.
type Options struct {
	// EndorsingOrgs are the members of Collection; nil lets the network
	// plan endorsement.
	EndorsingOrgs []string
	// SyncWait bounds one request's submits (70s when zero); a request cut
	// short answers 504 with the pending transaction's id.
	SyncWait time.Duration
}

// Handler serves Path. Create it with New.
type Handler struct {
	txns      Transactions
	wallet    Wallet
	secret    []byte
	endorsers []string
	syncWait  time.Duration
}

// ErrSecret is wrapped by every refusal of a pseudonym secret.
var ErrSecret = errors.New("pseudonym secret unusable")

// New returns a handler deriving patient keys under secret, which must hold
// at least deid.MinSecretLen bytes.
func New(txns Transactions, w Wallet, secret []byte, opts Options) (*Handler, error) {
	if len(secret) < deid.MinSecretLen {
		return nil, fmt.Errorf("%w: at least %d bytes are required", ErrSecret, deid.MinSecretLen)
	}
	h := &Handler{
		txns: txns, wallet: w, secret: append([]byte(nil), secret...),
		endorsers: append([]string(nil), opts.EndorsingOrgs...), syncWait: opts.SyncWait,
	}
	if h.syncWait <= 0 {
		h.syncWait = 70 * time.Second
	}
	return h, nil
}

// Result answers an ingested bundle: one entry per case report, in the
// order deid.FromFHIR derived them. A bundle with nothing to report yields
// none.
type Result struct {
	Reports []Submitted `json:"reports"`
}

// Submitted is one committed case report, as public as the ledger makes it:
// never its content.
type Submitted struct {
	TxID     string `json:"txId"`
	RecordID string `json:"recordId"`
	// SHA256 is the hash of the stored record that the public reference
	// carries (health:VerifyRecordHash checks a copy against it).
	SHA256 string `json:"sha256"`
	// Alerts are the outbreak alerts this report raised.
	Alerts []string `json:"alerts,omitempty"`
}

// Serve ingests one bundle for caller. Reports are submitted one after the
// other, each waiting for its commit; when one fails, those before it stay
// committed, and a retry with the same Idempotency-Key returns their
// outcomes without submitting them again.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, caller auth.Caller) error {
	key := r.Header.Get(IdempotencyHeader)
	if err := checkKey(key); err != nil {
		return err
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	bundle, err := readBundle(w, r)
	if err != nil {
		return err
	}
	signer, err := h.wallet.Identity(caller.User)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.syncWait)
	defer cancel()
	cfg, err := h.policy(ctx, signer, caller.ID)
	if err != nil {
		return err
	}
	reports, err := deid.FromFHIR(bundle, h.secret, cfg)
	if err != nil {
		return bundleError(err)
	}
	out := Result{Reports: make([]Submitted, 0, len(reports))}
	for i, rep := range reports {
		s, err := h.submit(ctx, signer, caller.ID, rep, reportKey(key, i))
		if err != nil {
			return reportError(err, i, len(reports), key != "")
		}
		out.Reports = append(out.Reports, s)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// settings is the part of the health chaincode's health.Settings the edge
// needs.
type settings struct {
	Config struct {
		SmallPopulationPrefixes []string `json:"smallPopulationPrefixes"`
	} `json:"config"`
}

// policy reads the de-identification policy in force on the ledger.
func (h *Handler) policy(ctx context.Context, signer txn.Signer, caller string) (deid.Config, error) {
	out, err := h.txns.Evaluate(ctx, signer, txn.Call{
		Caller: caller, Chaincode: Chaincode, Function: settingsFunction, Transaction: contractName + ":" + settingsFunction,
	})
	if err != nil {
		return deid.Config{}, err
	}
	var s settings
	if err := json.Unmarshal(out, &s); err != nil {
		return deid.Config{}, fmt.Errorf("decode %s:%s result: %w", contractName, settingsFunction, err)
	}
	return deid.Config{SmallPopulationPrefixes: s.Config.SmallPopulationPrefixes}, nil
}

// submitResult is the health contract's SubmitResult.
type submitResult struct {
	RecordID string   `json:"recordId"`
	SHA256   string   `json:"sha256"`
	Alerts   []string `json:"alerts"`
}

func (h *Handler) submit(ctx context.Context, signer txn.Signer, caller string, rep deid.Report, key string) (Submitted, error) {
	raw, err := json.Marshal(rep)
	if err != nil {
		return Submitted{}, fmt.Errorf("encode case report: %w", err)
	}
	rec, err := h.txns.Submit(ctx, signer, txn.Call{
		Caller: caller, Chaincode: Chaincode, Function: SubmitFunction, Transaction: contractName + ":" + SubmitFunction,
		Transient: map[string][]byte{transientReport: raw}, EndorsingOrgs: h.endorsers,
	}, txn.SubmitOptions{Key: key})
	if err != nil {
		return Submitted{}, err
	}
	if rec.Err != nil {
		return Submitted{}, rec.Err
	}
	var res submitResult
	if err := json.Unmarshal(rec.Result, &res); err != nil {
		return Submitted{}, fmt.Errorf("transaction %s: %s result without a record id: %w", rec.TxID, SubmitFunction, err)
	}
	if res.RecordID == "" {
		return Submitted{}, fmt.Errorf("transaction %s: %s result without a record id", rec.TxID, SubmitFunction)
	}
	return Submitted{TxID: rec.TxID, RecordID: res.RecordID, SHA256: res.SHA256, Alerts: res.Alerts}, nil
}

// reportKey is the idempotency key of the index-th report of a bundle sent
// under key ("" for none).
func reportKey(key string, index int) string {
	if key == "" {
		return ""
	}
	return key + "/" + strconv.Itoa(index)
}

// checkKey accepts idempotency keys of up to MaxKeyLen visible ASCII
// characters.
func checkKey(key string) error {
	if len(key) > MaxKeyLen {
		return &strictjson.Error{Field: IdempotencyHeader, Rule: "length", Detail: fmt.Sprintf("must be at most %d characters", MaxKeyLen)}
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return &strictjson.Error{Field: IdempotencyHeader, Rule: "charset", Detail: "must be visible ASCII"}
		}
	}
	return nil
}

// checkContentType accepts FHIR JSON, plain JSON, or no declared type.
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/fhir+json" && mt != "application/json") {
		return &strictjson.Error{Field: "Content-Type", Rule: strictjson.RuleSyntax, Detail: "must be application/fhir+json or application/json"}
	}
	return nil
}

// readBundle reads at most deid.MaxBundleBytes; FromFHIR enforces the same
// limit, but a larger body must not be buffered first.
func readBundle(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, deid.MaxBundleBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &strictjson.Error{Rule: strictjson.RuleTooLarge, Detail: fmt.Sprintf("a bundle may hold at most %d bytes", deid.MaxBundleBytes), Cause: err}
		}
		return nil, &strictjson.Error{Rule: strictjson.RuleSyntax, Detail: "unreadable body", Cause: err}
	}
	return raw, nil
}

// bundleError renders a FromFHIR refusal as a problem naming the FHIR path
// and the rule. Its detail is the *deid.PathError's text, which never quotes
// the bundle. Anything else (an unusable policy) is the gateway's fault.
func bundleError(err error) error {
	var pe *deid.PathError
	if !errors.As(err, &pe) {
		return err
	}
	var (
		v    *deid.Violation
		rule = RuleMalformed
	)
	switch {
	case errors.Is(err, deid.ErrLimit) && pe.Path == "":
		return problem.New(http.StatusRequestEntityTooLarge, problem.CodeBodyTooLarge, pe.Error())
	case errors.Is(err, deid.ErrMalformed) && pe.Path == "":
		p := problem.New(http.StatusBadRequest, problem.CodeMalformedBody, pe.Error())
		p.Rule = RuleMalformed
		return p
	case errors.As(err, &v):
		rule = string(v.Rule)
	case errors.Is(err, deid.ErrUnsupported):
		rule = RuleUnsupported
	case errors.Is(err, deid.ErrLimit):
		rule = RuleLimit
	}
	p := problem.New(http.StatusUnprocessableEntity, problem.CodeInvalidArgument, pe.Error())
	p.Field, p.Rule = pe.Path, rule
	return p
}

// reportError is the problem of the index-th of n reports, saying what
// became of the others.
func reportError(err error, index, n int, keyed bool) error {
	p := *problem.From(err)
	var done string
	switch index {
	case 0:
		done = "none was submitted before it"
	case 1:
		done = "report 1 is committed"
	default:
		done = fmt.Sprintf("reports 1-%d are committed", index)
	}
	if index > 0 && keyed {
		done += "; retrying the bundle with the same Idempotency-Key submits only the rest"
	}
	p.Detail = fmt.Sprintf("case report %d of %d: %s (%s)", index+1, n, p.Detail, done)
	return &p
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
