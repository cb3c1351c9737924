package fhiringest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/gateway/internal/app"
	"github.com/govledger/govledger/gateway/internal/auth"
	"github.com/govledger/govledger/gateway/internal/config"
	"github.com/govledger/govledger/gateway/internal/fakeledger"
	"github.com/govledger/govledger/gateway/internal/fhiringest"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/testpki"
	"github.com/govledger/govledger/gateway/internal/wallet"
)

const (
	reporterKey = "fhir-test-reporter-0123456789"
	// today is the fake chaincode's week of submission: like the real
	// contract, it refuses onsets after it.
	today = "2026-W12"
)

var (
	secret     = bytes.Repeat([]byte("s3cr"), 10)
	collection = []string{"HospitalMSP", "PublicHealthMSP"}
	// The 2000-census list: 059 is a small-population prefix.
	smallPopulation = deid.SafeHarbor2000Prefixes()
)

// syncBuffer collects the gateway's logs from its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// healthChaincode stands in for chaincode/health/contract: GetSettings
// returns the policy, and SubmitCaseReport takes a report only from the
// transient map, runs the same de-identification gate under it, refuses an
// onset after today, and keeps the report under caserecord/<record id>,
// where the tests read what reached the chaincode.
func healthChaincode(t *testing.T) fakeledger.Chaincode {
	t.Helper()
	policy := deid.Config{SmallPopulationPrefixes: smallPopulation}
	settings, err := json.Marshal(map[string]any{"config": map[string]any{
		"minCellSize": 5, "duplicateWindowWeeks": 4, "retentionWeeks": 156, "smallPopulationPrefixes": smallPopulation,
	}, "revision": 0})
	require.NoError(t, err)
	refuse := func(field, rule string) error {
		return &ccerror.Error{Code: ccerror.InvalidArgument, Field: field, Rule: rule, Message: "case report rejected"}
	}
	return fakeledger.Chaincode{
		Metadata: []byte(`{"contracts":{"health":{"name":"health","default":true,"transactions":[{"name":"GetSettings","tag":["evaluate"]}]}}}`),
		Transactions: map[string]fakeledger.Func{
			"health:GetSettings": func(*fakeledger.Stub) ([]byte, error) { return settings, nil },
			"health:SubmitCaseReport": func(stub *fakeledger.Stub) ([]byte, error) {
				if len(stub.Args()) > 0 {
					return nil, refuse("args", "transient-only")
				}
				raw := stub.Transient()["report"]
				r, err := deid.DecodeReport(raw)
				if err != nil {
					return nil, refuse("report", "json")
				}
				if err := deid.Check(r, policy); err != nil {
					var v *deid.Violation
					if !errors.As(err, &v) {
						return nil, err
					}
					return nil, refuse("report."+v.Field, string(v.Rule))
				}
				if r.OnsetWeek > today {
					return nil, refuse("report.onsetWeek", "not-future")
				}
				id := "CR-" + stub.TxID[:20]
				stub.Put("caserecord/"+id, raw)
				sum := sha256.Sum256(raw)
				return json.Marshal(map[string]any{"recordId": id, "sha256": hex.EncodeToString(sum[:])})
			},
		},
	}
}

// gateway is a HospitalMSP gateway assembled by package app over a fake
// network.
type gateway struct {
	t     *testing.T
	url   string
	net   *fakeledger.Ledger
	logs  *syncBuffer
	audit string
}

type settings struct {
	org        string
	chaincodes []string
	readOnly   bool
	secret     []byte
	secretMode os.FileMode
	noSecret   bool
}

func hospital() settings {
	return settings{org: "HospitalMSP", chaincodes: []string{"health"}, secret: secret, secretMode: 0o600}
}

// assemble builds the gateway's configuration and app.
func assemble(t *testing.T, s settings, net *fakeledger.Ledger, logs io.Writer) (*app.App, *config.Config, error) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"GOVLEDGER_ORG":              s.org,
		"GOVLEDGER_STATE_FILE":       filepath.Join(dir, "state", "gateway.db"),
		"GOVLEDGER_AUDIT_LOG":        filepath.Join(dir, "state", "audit.jsonl"),
		"GOVLEDGER_API_KEYS":         "hospital-app:" + auth.HashKey(reporterKey) + ":reporter1",
		"GOVLEDGER_TIMEOUT_SHUTDOWN": "5s",
	}
	if !s.noSecret {
		path := filepath.Join(dir, "pseudonym.secret")
		require.NoError(t, os.WriteFile(path, s.secret, 0o600))
		require.NoError(t, os.Chmod(path, s.secretMode))
		env["GOVLEDGER_HEALTH_PSEUDONYM_SECRET_FILE"] = path
	}
	cfg, err := config.Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	reporter, admin := testpki.New(t, "reporter1"), testpki.New(t, "Admin")
	w := wallet.FromCredentials(s.org, map[string]wallet.Credential{
		"reporter1": {Certificate: reporter.CertPEM, Sign: reporter.Sign},
		"Admin":     {Certificate: admin.CertPEM, Sign: admin.Sign},
	})
	a, err := app.New(cfg, app.Setup{
		Ledger: net, Wallet: w, Chaincodes: s.chaincodes, ReadOnly: s.readOnly,
		Members: func(cc, coll string) ([]string, bool) {
			return collection, cc == fhiringest.Chaincode && coll == fhiringest.Collection
		},
	}, app.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		app.WithCatalogRetry(10*time.Millisecond))
	return a, cfg, err
}

// start runs a gateway until the test ends.
func start(t *testing.T, s settings) *gateway {
	t.Helper()
	g := &gateway{t: t, net: fakeledger.New(map[string]fakeledger.Chaincode{"health": healthChaincode(t)}), logs: &syncBuffer{}}
	a, cfg, err := assemble(t, s, g.net, g.logs)
	require.NoError(t, err)
	g.audit = cfg.AuditLog
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g.url = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return g
}

type response struct {
	status int
	raw    []byte
	body   map[string]any
}

// post sends a bundle; headers alternate name and value.
func (g *gateway) post(body []byte, headers ...string) response {
	g.t.Helper()
	req, err := http.NewRequest(http.MethodPost, g.url+fhiringest.Path, bytes.NewReader(body))
	require.NoError(g.t, err)
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set(auth.APIKeyHeader, reporterKey)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(g.t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(g.t, err)
	out := response{status: resp.StatusCode, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (r response) result(t *testing.T) fhiringest.Result {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	var res fhiringest.Result
	require.NoError(t, json.Unmarshal(r.raw, &res))
	return res
}

// stored is the report the chaincode received for a record.
func (g *gateway) stored(recordID string) deid.Report {
	g.t.Helper()
	raw, ok := g.net.Value("health", "caserecord/"+recordID)
	require.True(g.t, ok, "record %s", recordID)
	r, err := deid.DecodeReport(raw)
	require.NoError(g.t, err)
	return r
}

func (g *gateway) submits() []fakeledger.TxRecord {
	var out []fakeledger.TxRecord
	for _, tx := range g.net.Transactions() {
		if tx.Function == "health:SubmitCaseReport" {
			out = append(out, tx)
		}
	}
	return out
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "chaincode", "deid", "testdata", name))
	require.NoError(t, err)
	return raw
}

func patientKey(id string) string { return deid.Pseudonym(secret, id) }

func TestIngestsBundles(t *testing.T) {
	g := start(t, hospital())

	t.Run("submits the de-identified report as private input and answers with its ids", func(t *testing.T) {
		res := g.post(testdata(t, "normal.json")).result(t)
		require.Len(t, res.Reports, 1)
		got := res.Reports[0]
		require.Equal(t, deid.Report{
			Condition: &deid.Condition{System: deid.SystemICD10, Code: "J10.1"},
			OnsetWeek: "2026-W07", AgeBand: "45-49", Sex: deid.SexFemale, Region: "021",
			Lab:        &deid.LabResult{Code: "92142-9", Interpretation: deid.Positive},
			PatientKey: patientKey("us-ssn|000-12-3456"),
		}, g.stored(got.RecordID))
		raw, _ := g.net.Value("health", "caserecord/"+got.RecordID)
		sum := sha256.Sum256(raw)
		require.Equal(t, hex.EncodeToString(sum[:]), got.SHA256)

		txs := g.submits()
		require.Len(t, txs, 1)
		require.Equal(t, got.TxID, txs[0].TxID)
		require.Equal(t, ledger.CodeValid, txs[0].Code)
		require.Empty(t, txs[0].Args, "the report travels only in the transient map")
		require.Equal(t, collection, txs[0].EndorsingOrgs, "the collection's members endorse")
		require.Equal(t, "HospitalMSP", txs[0].Creator.MSPID)
	})
	t.Run("lets no identifier of the bundle leave the gateway", func(t *testing.T) {
		raw := g.post(testdata(t, "normal.json")).raw
		var public bytes.Buffer
		public.Write(raw)
		for _, tx := range g.net.Transactions() {
			public.WriteString(tx.Function)
			for _, a := range tx.Args {
				public.Write(a)
			}
		}
		audit, err := os.ReadFile(g.audit)
		require.NoError(t, err)
		public.Write(audit)
		public.WriteString(g.logs.String())
		// Digit runs short enough to occur in transaction ids are checked
		// as whole JSON strings.
		for _, id := range []string{"Okafor", "Adaeze", "MRN0012345", "000-12-3456", "1980-05-17", `"02139"`, "555 0142",
			"example.com", "Massachusetts", "Lindqvist", "pat-1001", "2026-02-12", "Elm Street", string(secret)} {
			require.NotContains(t, public.String(), id)
		}
	})
	t.Run("applies the ledger's small-population list", func(t *testing.T) {
		res := g.post(testdata(t, "small_population_zip.json")).result(t)
		require.Len(t, res.Reports, 1)
		require.Equal(t, deid.SuppressedRegion, g.stored(res.Reports[0].RecordID).Region)
	})
	t.Run("submits each report of a bundle in order", func(t *testing.T) {
		before := len(g.submits())
		res := g.post(testdata(t, "multiple_conditions.json")).result(t)
		require.Len(t, res.Reports, 3)
		txs := g.submits()[before:]
		require.Len(t, txs, 3)
		var conditions []string
		for i, r := range res.Reports {
			require.Equal(t, txs[i].TxID, r.TxID)
			rep := g.stored(r.RecordID)
			if rep.Condition == nil {
				conditions = append(conditions, "lab "+rep.Lab.Code)
				continue
			}
			conditions = append(conditions, rep.Condition.Code)
		}
		require.Equal(t, []string{"J10.1", "J18.9", "lab 94500-6"}, conditions)
	})
	t.Run("answers an empty list for a bundle with nothing to report", func(t *testing.T) {
		before := len(g.submits())
		res := g.post([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","identifier":[{"system":"https://h.example/mrn","value":"H-1"}]}}]}`)).result(t)
		require.Empty(t, res.Reports)
		require.NotNil(t, res.Reports)
		require.Len(t, g.submits(), before)
	})
	t.Run("submits a bundle retried with the same idempotency key once", func(t *testing.T) {
		before := len(g.submits())
		first := g.post(testdata(t, "multiple_conditions.json"), fhiringest.IdempotencyHeader, "bundle-42").result(t)
		again := g.post(testdata(t, "multiple_conditions.json"), fhiringest.IdempotencyHeader, "bundle-42").result(t)
		require.Equal(t, first, again)
		require.Len(t, g.submits(), before+3)
	})
}

// twoOnsets is a bundle of one patient with a condition this week and one
// dated in the future, which the chaincode refuses.
const twoOnsets = `{"resourceType":"Bundle","entry":[
 {"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","identifier":[{"system":"https://h.example/mrn","value":"H-7"}],"gender":"male"}},
 {"resource":{"resourceType":"Condition","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"B05.9"}]},"subject":{"reference":"urn:uuid:p"},"onsetDateTime":"2026-03-03"}},
 {"resource":{"resourceType":"Condition","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"A37.0"}]},"subject":{"reference":"urn:uuid:p"},"onsetDateTime":"2026-06-02"}}]}`

func TestRefusesBundles(t *testing.T) {
	g := start(t, hospital())
	tests := []struct {
		name    string
		body    []byte
		headers []string
		status  int
		code    string
		field   string
		rule    string
	}{
		{"names the FHIR path of an unsupported coding", testdata(t, "unknown_coding.json"), nil,
			http.StatusUnprocessableEntity, "INVALID_ARGUMENT", "entry[1].resource.code.coding", fhiringest.RuleUnsupported},
		{"names the FHIR path of a malformed element", []byte(`{"resourceType":"Patient"}`), nil,
			http.StatusUnprocessableEntity, "INVALID_ARGUMENT", "resourceType", fhiringest.RuleMalformed},
		{"names the FHIR path of a limit", []byte(`{"resourceType":"Bundle","entry":[` + strings.Repeat("{},", deid.MaxBundleEntries) + `{}]}`), nil,
			http.StatusUnprocessableEntity, "INVALID_ARGUMENT", "entry", fhiringest.RuleLimit},
		{"names where JSON is truncated", testdata(t, "malformed.json"), nil,
			http.StatusUnprocessableEntity, "INVALID_ARGUMENT", "entry[1].resource", fhiringest.RuleMalformed},
		{"refuses a body that is not a JSON object as malformed", []byte(`[]`), nil,
			http.StatusBadRequest, "MALFORMED_BODY", "", fhiringest.RuleMalformed},
		{"refuses a bundle over the size limit", append(testdata(t, "normal.json"), bytes.Repeat([]byte(" "), deid.MaxBundleBytes)...), nil,
			http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE", "", ""},
		{"refuses another media type", testdata(t, "normal.json"), []string{"Content-Type", "application/xml"},
			http.StatusBadRequest, "MALFORMED_BODY", "Content-Type", "syntax"},
		{"refuses an idempotency key too long to number the reports", testdata(t, "normal.json"),
			[]string{fhiringest.IdempotencyHeader, strings.Repeat("k", fhiringest.MaxKeyLen+1)},
			http.StatusBadRequest, "MALFORMED_BODY", fhiringest.IdempotencyHeader, "length"},
		{"refuses an idempotency key with white space", testdata(t, "normal.json"),
			[]string{fhiringest.IdempotencyHeader, "bundle 7"},
			http.StatusBadRequest, "MALFORMED_BODY", fhiringest.IdempotencyHeader, "charset"},
		{"refuses a caller without credentials", testdata(t, "normal.json"), []string{auth.APIKeyHeader, "wrong-key-0123456789"},
			http.StatusUnauthorized, "UNAUTHENTICATED", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(g.submits())
			r := g.post(tt.body, tt.headers...)
			require.Equal(t, tt.status, r.status, "%s", r.raw)
			require.Equal(t, tt.code, r.body["code"])
			if tt.field != "" {
				require.Equal(t, tt.field, r.body["field"])
			}
			if tt.rule != "" {
				require.Equal(t, tt.rule, r.body["rule"])
			}
			require.Len(t, g.submits(), before, "nothing reaches the ledger")
		})
	}

	t.Run("reports a chaincode refusal with what was committed before it", func(t *testing.T) {
		before := len(g.submits())
		r := g.post([]byte(twoOnsets), fhiringest.IdempotencyHeader, "onsets")
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.raw)
		require.Equal(t, "INVALID_ARGUMENT", r.body["code"])
		require.Equal(t, "report.onsetWeek", r.body["field"])
		require.Equal(t, "not-future", r.body["rule"])
		require.Contains(t, r.body["detail"], "case report 2 of 2")
		require.Contains(t, r.body["detail"], "report 1 is committed")
		valid := 0
		for _, tx := range g.submits()[before:] {
			if tx.Code == ledger.CodeValid {
				valid++
			}
		}
		require.Equal(t, 1, valid)

		again := g.post([]byte(twoOnsets), fhiringest.IdempotencyHeader, "onsets")
		require.Equal(t, r.status, again.status)
		require.Equal(t, r.body["field"], again.body["field"])
		require.Len(t, g.submits(), before+1, "the retry submits neither report again")
	})
	t.Run("answers 503 while the network is unreachable", func(t *testing.T) {
		g.net.SetDown(true)
		defer g.net.SetDown(false)
		r := g.post(testdata(t, "normal.json"))
		require.Equal(t, http.StatusServiceUnavailable, r.status, "%s", r.raw)
		require.Equal(t, "UNAVAILABLE", r.body["code"])
	})
}

func TestServesOnlyAHospitalWithASecret(t *testing.T) {
	t.Run("a read-only gateway refuses ingestion", func(t *testing.T) {
		s := hospital()
		s.readOnly = true
		g := start(t, s)
		r := g.post(testdata(t, "normal.json"))
		require.Equal(t, http.StatusForbidden, r.status)
		require.Equal(t, "READ_ONLY", r.body["code"])
		require.Empty(t, g.submits())
	})
	t.Run("a gateway without a secret does not mount the route", func(t *testing.T) {
		s := hospital()
		s.noSecret = true
		g := start(t, s)
		r := g.post(testdata(t, "normal.json"))
		require.Equal(t, http.StatusNotFound, r.status)
		require.Empty(t, g.submits())
	})

	refusals := []struct {
		name   string
		edit   func(s *settings)
		target error
	}{
		{"refuses to start another organisation's gateway with a secret", func(s *settings) { s.org = "ProcurementMSP" }, config.ErrInvalid},
		{"refuses to start without the health chaincode", func(s *settings) { s.chaincodes = []string{"procurement"} }, config.ErrInvalid},
		{"refuses a secret others may read", func(s *settings) { s.secretMode = 0o640 }, fhiringest.ErrSecret},
		{"refuses a short secret", func(s *settings) { s.secret = secret[:deid.MinSecretLen-1] }, fhiringest.ErrSecret},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			s := hospital()
			tt.edit(&s)
			_, _, err := assemble(t, s, fakeledger.New(nil), io.Discard)
			require.ErrorIs(t, err, tt.target)
			require.ErrorIs(t, err, config.ErrInvalid)
			require.ErrorContains(t, err, "health.pseudonymSecretFile")
			require.NotContains(t, err.Error(), string(secret[:deid.MinSecretLen-1]))
		})
	}
}

func TestLoadSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, content []byte, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, content, 0o600))
		require.NoError(t, os.Chmod(path, mode))
		return path
	}
	t.Run("reads the bytes as stored", func(t *testing.T) {
		stored := append(bytes.Clone(secret), '\n')
		got, err := fhiringest.LoadSecret(write("ok", stored, 0o400))
		require.NoError(t, err)
		require.Equal(t, stored, got)
	})
	for _, tt := range []struct {
		name string
		path string
	}{
		{"refuses a missing file", filepath.Join(dir, "absent")},
		{"refuses a directory", dir},
		{"refuses a group-readable file", write("group", secret, 0o640)},
		{"refuses a world-readable file", write("world", secret, 0o604)},
		{"refuses fewer than 32 bytes", write("short", secret[:31], 0o600)},
		{"refuses a file larger than any secret", write("large", bytes.Repeat(secret, 200), 0o600)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fhiringest.LoadSecret(tt.path)
			require.ErrorIs(t, err, fhiringest.ErrSecret)
			require.Nil(t, got)
			require.NotContains(t, err.Error(), string(secret))
		})
	}
}

func TestNewRefusesAShortSecret(t *testing.T) {
	_, err := fhiringest.New(nil, nil, secret[:deid.MinSecretLen-1], fhiringest.Options{})
	require.ErrorIs(t, err, fhiringest.ErrSecret)
}

func TestTheSecretSetting(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gateway.yaml")
	require.NoError(t, os.WriteFile(file, []byte("health:\n  pseudonymSecretFile: /etc/govledger/pseudonym.secret\n"), 0o600))
	t.Run("is read from YAML", func(t *testing.T) {
		cfg, err := config.Load(file, nil)
		require.NoError(t, err)
		require.Equal(t, "/etc/govledger/pseudonym.secret", cfg.Health.PseudonymSecretFile)
	})
	t.Run("is overridden by the environment", func(t *testing.T) {
		cfg, err := config.Load(file, func(k string) (string, bool) {
			return "/run/secrets/pseudonym", k == "GOVLEDGER_HEALTH_PSEUDONYM_SECRET_FILE"
		})
		require.NoError(t, err)
		require.Equal(t, "/run/secrets/pseudonym", cfg.Health.PseudonymSecretFile)
	})
}
