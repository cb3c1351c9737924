//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/procurement"
	"github.com/govledger/govledger/test-network/harness"
)

// The gateways share TestMain's network; the first test that needs them
// starts them, and Down stops them with everything else.
var (
	gatewaysOnce sync.Once
	gatewaysErr  error
)

func startGateways(t *testing.T) {
	t.Helper()
	gatewaysOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		start := time.Now()
		gatewaysErr = net.StartGateways(ctx)
		t.Logf("gateways ready in %.1fs", time.Since(start).Seconds())
	})
	require.NoError(t, gatewaysErr, "start the gateways")
}

// apiClient calls one organisation's gateway as one of its users.
type apiClient struct {
	gw   harness.Gateway
	user string
	// params are the parameter names of every function route, from the
	// gateway's OpenAPI document: param0… until a chaincode ships real
	// names in its metadata, the real names afterwards.
	params map[string][]string
}

// evaluates reports whether the gateway serves a function as an evaluation
// (its metadata tags it evaluate): only those have an :evaluate route.
func (c *apiClient) evaluates(t *testing.T, chaincode, function string) bool {
	t.Helper()
	_, ok := c.params[c.path(t, chaincode, function)+":evaluate"]
	return ok
}

// query is the query string of an evaluation with positional arguments.
// The function must be an evaluation: a read-only gateway refuses submits,
// and only evaluations take GET.
func (c *apiClient) query(t *testing.T, chaincode, function string, values ...any) string {
	t.Helper()
	require.True(t, c.evaluates(t, chaincode, function),
		"%s %s is a submit in its contract metadata: a read must be tagged evaluate (contractapi GetEvaluateTransactions) to be read through a gateway without a transaction", chaincode, function)
	q := url.Values{}
	for name, v := range c.args(t, chaincode, function, values...) {
		q.Set(name, fmt.Sprint(v))
	}
	return c.path(t, chaincode, function) + "?" + q.Encode()
}

func newAPIClient(t *testing.T, mspID, user string) *apiClient {
	t.Helper()
	gw, err := net.Gateway(mspID)
	require.NoError(t, err)
	c := &apiClient{gw: gw, user: user}
	var doc struct {
		Paths map[string]struct {
			Post struct {
				RequestBody struct {
					Content map[string]struct {
						Schema struct {
							Required []string `json:"required"`
						} `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			} `json:"post"`
		} `json:"paths"`
	}
	r := c.do(t, http.MethodGet, "/v1/openapi.json", nil, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.NoError(t, json.Unmarshal(r.body, &doc))
	c.params = map[string][]string{}
	for path, item := range doc.Paths {
		var names []string
		for _, n := range item.Post.RequestBody.Content["application/json"].Schema.Required {
			if n != "transient" {
				names = append(names, n)
			}
		}
		c.params[path] = names
	}
	return c
}

type apiReply struct {
	status int
	header http.Header
	body   []byte
}

func (c *apiClient) do(t *testing.T, method, path string, body any, header map[string]string) apiReply {
	t.Helper()
	r, err := c.try(method, path, body, header)
	require.NoError(t, err)
	return r
}

// try is do for conditions polled outside the test's goroutine: it fails
// nothing itself.
func (c *apiClient) try(method, path string, body any, header map[string]string) (apiReply, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return apiReply{}, err
		}
		rd = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.gw.URL()+path, rd)
	if err != nil {
		return apiReply{}, err
	}
	req.Header.Set(harness.APIKeyHeader, harness.DevAPIKey(c.user))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return apiReply{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return apiReply{}, err
	}
	return apiReply{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// await polls a GET until it answers 200 and accept agrees, and returns the
// last reply either way so a failure shows what the gateway said.
func (c *apiClient) await(t *testing.T, path string, accept func([]byte) bool, what string) apiReply {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		last, err := c.try(http.MethodGet, path, nil, nil)
		if err == nil && last.status == http.StatusOK && accept(last.body) {
			return last
		}
		if time.Now().After(deadline) {
			require.Failf(t, "condition never satisfied", "%s: last answer %d %s (error %v)", what, last.status, last.body, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// path is the route of a chaincode function.
func (c *apiClient) path(t *testing.T, chaincode, function string) string {
	t.Helper()
	p := "/v1/" + chaincode + "/" + function
	_, ok := c.params[p]
	require.True(t, ok, "the gateway of %s serves %s", c.gw.MSPID, p)
	return p
}

// args names positional arguments as the function's parameters.
func (c *apiClient) args(t *testing.T, chaincode, function string, values ...any) map[string]any {
	t.Helper()
	names := c.params[c.path(t, chaincode, function)]
	require.Len(t, names, len(values), "%s.%s parameters %v", chaincode, function, names)
	out := map[string]any{}
	for i, v := range values {
		out[names[i]] = v
	}
	return out
}

// committedTx is a committed submit's answer.
type committedTx struct {
	Result         json.RawMessage `json:"result"`
	TxID           string          `json:"txId"`
	BlockNumber    uint64          `json:"blockNumber"`
	ValidationCode string          `json:"validationCode"`
}

func (c *apiClient) submit(t *testing.T, chaincode, function string, body map[string]any, header map[string]string) committedTx {
	t.Helper()
	r := c.do(t, http.MethodPost, c.path(t, chaincode, function), body, header)
	require.Equal(t, http.StatusOK, r.status, "%s %s.%s: %s", c.user, chaincode, function, r.body)
	var out committedTx
	require.NoError(t, json.Unmarshal(r.body, &out))
	require.Equal(t, "VALID", out.ValidationCode)
	require.NotEmpty(t, out.TxID)
	return out
}

// problemDoc is the part of a problem document the tests read.
type problemDoc struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Field  string `json:"field"`
	Rule   string `json:"rule"`
}

func problemOf(t *testing.T, r apiReply) problemDoc {
	t.Helper()
	require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "%s", r.body)
	var p problemDoc
	require.NoError(t, json.Unmarshal(r.body, &p))
	require.Equal(t, r.status, p.Status)
	return p
}

// sseEvent is one server-sent event.
type sseEvent struct {
	ID, Name string
	Data     struct {
		ID          string `json:"id"`
		Event       string `json:"event"`
		BlockNumber uint64 `json:"blockNumber"`
		TxID        string `json:"txId"`
		Payload     struct {
			ID string `json:"id"`
		} `json:"payload"`
	}
}

// stream is an open GET /v1/events response.
type stream struct {
	events <-chan sseEvent
	ended  <-chan struct{}
	close  func()
}

// openStream follows a chaincode's events and returns once the gateway has
// pinned the stream's start, so nothing committed afterwards is missed.
func (c *apiClient) openStream(t *testing.T, chaincode, lastEventID string) stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.gw.URL()+"/v1/events?chaincode="+url.QueryEscape(chaincode), nil)
	require.NoError(t, err)
	req.Header.Set(harness.APIKeyHeader, harness.DevAPIKey(c.user))
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req) //nolint:bodyclose // closed by the reader goroutine
	if err != nil {
		cancel()
		require.NoError(t, err)
	}
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		cancel()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	}
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	events, ended, opened := make(chan sseEvent, 64), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		defer func() { _ = resp.Body.Close() }()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var ev sseEvent
		var data string
		first := true
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, ":"):
				if first {
					first = false
					close(opened)
				}
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && data != "":
				if json.Unmarshal([]byte(data), &ev.Data) == nil {
					events <- ev
				}
				ev, data = sseEvent{}, ""
			}
		}
	}()
	select {
	case <-opened:
	case <-ended:
		cancel()
		t.Fatal("the event stream ended before it started")
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the event stream did not start within 30s")
	}
	return stream{events: events, ended: ended, close: cancel}
}

// next returns the next event of the stream.
func (s stream) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30s")
	}
	return sseEvent{}
}

// webhookReceiver records the deliveries whose signature verifies.
type webhookReceiver struct {
	mu       sync.Mutex
	secret   string
	received []sseEvent
	bad      []string
}

func (h *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	ts, mac, ok := parseSignature(r.Header.Get("X-GovLedger-Signature"))
	want := hmac.New(sha256.New, []byte(h.secret))
	want.Write([]byte(ts + "." + string(raw)))
	if !ok || !hmac.Equal(mac, want.Sum(nil)) {
		h.bad = append(h.bad, r.Header.Get("X-GovLedger-Event-Id"))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev sseEvent
	if err := json.Unmarshal(raw, &ev.Data); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ev.ID, ev.Name = r.Header.Get("X-GovLedger-Event-Id"), ev.Data.Event
	h.received = append(h.received, ev)
	w.WriteHeader(http.StatusNoContent)
}

func parseSignature(v string) (string, []byte, bool) {
	var ts, hexMAC string
	for _, part := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = val
		case "sha256":
			hexMAC = val
		}
	}
	mac, err := hex.DecodeString(hexMAC)
	return ts, mac, err == nil && ts != ""
}

func (h *webhookReceiver) snapshot() ([]sseEvent, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]sseEvent(nil), h.received...), append([]string(nil), h.bad...)
}

// gatewayTender is an open tender of the Ministry of Finance whose bids are
// due in an hour.
func gatewayTender(id string) procurement.TenderDraft {
	due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	return procurement.TenderDraft{
		ID: id, Title: "Gateway test tender", Description: "Tender created through the HTTP gateway",
		Buyer: procurement.Party{Name: "Ministry of Finance"}, Method: procurement.MethodOpen, Category: procurement.CategoryGoods,
		Items:       []procurement.Item{{ID: "desk", Description: "school desk", Quantity: 100, Unit: "piece"}},
		Budget:      procurement.Money{Amount: 5_000_000, Currency: "EUR"},
		AwardMethod: procurement.AwardLowestPrice,
		Deadlines:   procurement.Deadlines{EnquiryEnd: due, SubmissionDeadline: due, RevealEnd: due.Add(time.Hour)},
	}
}

func tenderJSON(t *testing.T, d procurement.TenderDraft) string {
	t.Helper()
	raw, err := json.Marshal(d)
	require.NoError(t, err)
	return string(raw)
}

type tenderView struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// createAndPublish runs the first step of a procurement through the
// Procurement gateway and returns the two committed transactions.
func createAndPublish(t *testing.T, buyer *apiClient, id string) (created, published committedTx) {
	t.Helper()
	created = buyer.submit(t, "procurement", "CreateTender", buyer.args(t, "procurement", "CreateTender", tenderJSON(t, gatewayTender(id))), nil)
	var tender tenderView
	require.NoError(t, json.Unmarshal(created.Result, &tender))
	require.Equal(t, id, tender.ID)
	require.Equal(t, string(procurement.StatusPlanning), tender.Status)
	published = buyer.submit(t, "procurement", "PublishTender", buyer.args(t, "procurement", "PublishTender", id), nil)
	require.NoError(t, json.Unmarshal(published.Result, &tender))
	require.Equal(t, string(procurement.StatusActive), tender.Status)
	return created, published
}

// eventID is the id the gateway gives the event of a committed transaction.
func eventID(s committedTx) string { return strconv.FormatUint(s.BlockNumber, 10) + ":" + s.TxID }

func TestGatewaysOnTheLiveNetwork(t *testing.T) {
	startGateways(t)
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	buyer := newAPIClient(t, "ProcurementMSP", "buyer1")
	regulator := newAPIClient(t, "RegulatorMSP", "regulator1")
	auditor := newAPIClient(t, "AuditOfficeMSP", "auditor1")

	// The audit office subscribes a webhook and the regulator follows the
	// stream before anything happens, so both must see every event.
	hook := &webhookReceiver{}
	receiver := httptest.NewServer(hook)
	defer receiver.Close()
	r := auditor.do(t, http.MethodPost, "/v1/subscriptions", map[string]any{
		"chaincode": "procurement", "url": receiver.URL, "eventNames": []string{"tender.created", "tender.published"},
	}, nil)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var sub struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	require.NoError(t, json.Unmarshal(r.body, &sub))
	require.NotEmpty(t, sub.Secret, "the secret is shown once, on creation")
	hook.mu.Lock()
	hook.secret = sub.Secret
	hook.mu.Unlock()
	defer func() { auditor.do(t, http.MethodDelete, "/v1/subscriptions/"+sub.ID, nil, nil) }()

	events := regulator.openStream(t, "procurement", "")
	defer events.close()

	tender1 := "GW1-" + runID
	var created1, published1 committedTx

	t.Run("creates and publishes a tender through the procurement gateway", func(t *testing.T) {
		created1, published1 = createAndPublish(t, buyer, tender1)
		require.Greater(t, published1.BlockNumber, created1.BlockNumber)
	})

	t.Run("the regulator's gateway reads the tender back", func(t *testing.T) {
		regulator.await(t, regulator.query(t, "procurement", "GetTender", tender1), func(body []byte) bool {
			var out struct {
				Result tenderView `json:"result"`
			}
			return json.Unmarshal(body, &out) == nil && out.Result.Status == string(procurement.StatusActive)
		}, "the regulator's peer serves the published tender")
	})

	t.Run("the event stream sees both events in ledger order", func(t *testing.T) {
		for _, want := range []struct {
			name string
			tx   committedTx
		}{{"tender.created", created1}, {"tender.published", published1}} {
			ev := events.next(t)
			require.Equal(t, eventID(want.tx), ev.ID)
			require.Equal(t, want.name, ev.Name)
			require.Equal(t, ev.ID, ev.Data.ID)
			require.Equal(t, want.tx.TxID, ev.Data.TxID)
			require.Equal(t, tender1, ev.Data.Payload.ID)
		}
	})

	t.Run("the webhook receives both events, signed", func(t *testing.T) {
		require.Eventually(t, func() bool {
			got, _ := hook.snapshot()
			return len(got) >= 2
		}, 30*time.Second, 100*time.Millisecond)
		got, bad := hook.snapshot()
		require.Empty(t, bad, "every delivery carries a valid signature")
		require.Equal(t, []string{eventID(created1), eventID(published1)}, []string{got[0].ID, got[1].ID})
		require.Equal(t, "tender.published", got[1].Name)
		require.Equal(t, tender1, got[1].Data.Payload.ID)
	})

	t.Run("a restarted gateway resumes the stream after Last-Event-ID without a gap", func(t *testing.T) {
		gw := regulator.gw
		require.NoError(t, gw.Process.Stop(net.State, 15*time.Second))
		select {
		case <-events.ended:
		case <-time.After(15 * time.Second):
			t.Fatal("the stream did not end when its gateway stopped")
		}

		// Two more events while the regulator's gateway is down.
		tender2 := "GW2-" + runID
		created2, published2 := createAndPublish(t, buyer, tender2)

		require.NoError(t, gw.Process.Start(net.State))
		regulator.await(t, "/readyz", func([]byte) bool { return true }, "the restarted gateway gets ready")

		resumed := regulator.openStream(t, "procurement", eventID(published1))
		defer resumed.close()
		for _, want := range []committedTx{created2, published2} {
			ev := resumed.next(t)
			require.Equal(t, eventID(want), ev.ID, "the first events after the last one seen, in order")
			require.Equal(t, tender2, ev.Data.Payload.ID)
		}
	})

	t.Run("an idempotent retry returns the one transaction", func(t *testing.T) {
		key, value := "gw-idem-"+runID, "once"
		body := buyer.args(t, "noop", "Put", key, value)
		idem := map[string]string{"Idempotency-Key": "put-" + runID}
		var (
			wg      sync.WaitGroup
			replies [2]apiReply
		)
		for i := range replies {
			wg.Go(func() { replies[i] = buyer.do(t, http.MethodPost, "/v1/noop/Put", body, idem) })
		}
		wg.Wait()
		var first committedTx
		for i, r := range replies {
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var s committedTx
			require.NoError(t, json.Unmarshal(r.body, &s))
			if i == 0 {
				first = s
			}
			require.Equal(t, first.TxID, s.TxID, "concurrent duplicates share one transaction")
		}
		again := buyer.submit(t, "noop", "Put", body, idem)
		require.Equal(t, first.TxID, again.TxID, "a later retry returns the same transaction")
		require.Equal(t, first.BlockNumber, again.BlockNumber)

		// Anything a duplicate had sent would be ordered before this.
		marker := buyer.submit(t, "noop", "Put", buyer.args(t, "noop", "Put", "gw-marker-"+runID, "x"), nil)
		l := openLedgerReader(t)
		var txs []string
		for b := first.BlockNumber; b <= marker.BlockNumber; b++ {
			ids, err := l.writesOf(b, "noop", key)
			require.NoError(t, err)
			txs = append(txs, ids...)
		}
		require.Equal(t, []string{first.TxID}, txs, "exactly one transaction wrote the key")
		code, err := l.validationCode(first.TxID)
		require.NoError(t, err)
		require.Equal(t, peer.TxValidationCode_VALID, code)

		r := buyer.do(t, http.MethodPost, "/v1/noop/Put", buyer.args(t, "noop", "Put", key, "changed"), idem)
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		require.Equal(t, "IDEMPOTENCY_KEY_REUSED", problemOf(t, r).Code)
	})

	t.Run("a private case report goes through the hospital gateway as transient data only", func(t *testing.T) {
		reporter := newAPIClient(t, "HospitalMSP", "reporter1")
		path := reporter.path(t, "health", "SubmitCaseReport")
		require.Empty(t, reporter.params[path], "SubmitCaseReport takes no arguments")
		report := caseReport(runID)
		res := reporter.submit(t, "health", "SubmitCaseReport", map[string]any{"transient": map[string]any{"report": report}}, nil)
		var out struct {
			RecordID string `json:"recordId"`
			SHA256   string `json:"sha256"`
		}
		require.NoError(t, json.Unmarshal(res.Result, &out))
		require.NotEmpty(t, out.RecordID)

		block, err := openLedgerReader(t).block(res.BlockNumber)
		require.NoError(t, err)
		require.NotContains(t, string(block), report.PatientKey, "the block holds no part of the report")

		// The regulator reads the public trace: the record's hash.
		regulator.await(t, regulator.query(t, "health", "GetCaseRef", out.RecordID), func(body []byte) bool {
			return bytes.Contains(body, []byte(out.SHA256))
		}, "the case reference carries the record's hash")
	})

	t.Run("the regulator's gateway refuses a submit with 403", func(t *testing.T) {
		r := regulator.do(t, http.MethodPost, "/v1/noop/Put", regulator.args(t, "noop", "Put", "gw-reg-"+runID, "x"), nil)
		require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
		require.Equal(t, "READ_ONLY", problemOf(t, r).Code)
	})

	t.Run("a chaincode permission denial is a 403", func(t *testing.T) {
		supplier := newAPIClient(t, "ProcurementMSP", "supplierA")
		r := supplier.do(t, http.MethodPost, "/v1/procurement/CreateTender",
			supplier.args(t, "procurement", "CreateTender", tenderJSON(t, gatewayTender("GW3-"+runID))), nil)
		require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
		require.Equal(t, "PERMISSION_DENIED", problemOf(t, r).Code)
	})

	t.Run("bad input is refused naming the field", func(t *testing.T) {
		putParams := buyer.params["/v1/noop/Put"]
		broken := gatewayTender("GW4-" + runID)
		broken.Budget.Amount = 0
		cases := []struct {
			name   string
			path   string
			body   map[string]any
			status int
			code   string
			field  string
		}{
			{"an unknown member is a 400", "/v1/noop/Put", map[string]any{putParams[0]: "k", putParams[1]: "v", "colour": "red"},
				http.StatusBadRequest, "MALFORMED_BODY", "colour"},
			{"a missing parameter is a 422", "/v1/noop/Put", map[string]any{putParams[0]: "k"},
				http.StatusUnprocessableEntity, "INVALID_ARGUMENT", putParams[1]},
			{"a value the chaincode refuses is a 422", "/v1/procurement/CreateTender", buyer.args(t, "procurement", "CreateTender", tenderJSON(t, broken)),
				http.StatusUnprocessableEntity, "INVALID_ARGUMENT", "budget.amount"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := buyer.do(t, http.MethodPost, tc.path, tc.body, nil)
				require.Equal(t, tc.status, r.status, "%s", r.body)
				p := problemOf(t, r)
				require.Equal(t, tc.code, p.Code)
				require.Equal(t, tc.field, p.Field)
			})
		}
	})
}

// caseReport is a de-identified measles report with onset last week.
func caseReport(runID string) deid.Report {
	year, week := time.Now().UTC().AddDate(0, 0, -7).ISOWeek()
	return deid.Report{
		Condition:  &deid.Condition{System: deid.SystemICD10, Code: "B05.9"},
		OnsetWeek:  fmt.Sprintf("%04d-W%02d", year, week),
		AgeBand:    "5-9",
		Sex:        deid.SexFemale,
		Region:     "021",
		PatientKey: deid.Pseudonym([]byte("govledger-gateway-integration-secret"), "mrn|"+runID),
	}
}

// ledgerReader reads blocks and transactions through qscc on the Procurement
// peer, independently of the gateways under test.
type ledgerReader struct {
	evaluate func(fn string, args ...string) ([]byte, error)
}

func openLedgerReader(t *testing.T) *ledgerReader {
	t.Helper()
	gw, conn, err := net.Connect("ProcurementMSP", "peer0", "buyer1")
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = gw.Close()
		_ = conn.Close()
	})
	qscc := gw.GetNetwork(net.Topology.Channel.Name).GetContract("qscc")
	return &ledgerReader{evaluate: func(fn string, args ...string) ([]byte, error) {
		return qscc.EvaluateTransaction(fn, append([]string{net.Topology.Channel.Name}, args...)...)
	}}
}

// block returns block n once the peer has it: a commit status comes from
// the submitting gateway's peer, which may be ahead of this one.
func (l *ledgerReader) block(n uint64) ([]byte, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		raw, err := l.evaluate("GetChainInfo")
		if err != nil {
			return nil, err
		}
		var info common.BlockchainInfo
		if err := proto.Unmarshal(raw, &info); err != nil {
			return nil, err
		}
		if info.GetHeight() > n {
			return l.evaluate("GetBlockByNumber", strconv.FormatUint(n, 10))
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("block %d: the peer is still at height %d", n, info.GetHeight())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (l *ledgerReader) validationCode(txID string) (peer.TxValidationCode, error) {
	raw, err := l.evaluate("GetTransactionByID", txID)
	if err != nil {
		return 0, err
	}
	var pt peer.ProcessedTransaction
	if err := proto.Unmarshal(raw, &pt); err != nil {
		return 0, err
	}
	return peer.TxValidationCode(pt.GetValidationCode()), nil
}

// writesOf lists the transactions of block n that invoked chaincode with
// key as their first argument after the function name.
func (l *ledgerReader) writesOf(n uint64, chaincode, key string) ([]string, error) {
	raw, err := l.block(n)
	if err != nil {
		return nil, err
	}
	var block common.Block
	if err := proto.Unmarshal(raw, &block); err != nil {
		return nil, err
	}
	var out []string
	for _, envBytes := range block.GetData().GetData() {
		var env common.Envelope
		var payload common.Payload
		var ch common.ChannelHeader
		var tx peer.Transaction
		if err := proto.Unmarshal(envBytes, &env); err != nil {
			return nil, err
		}
		if err := proto.Unmarshal(env.GetPayload(), &payload); err != nil {
			return nil, err
		}
		if err := proto.Unmarshal(payload.GetHeader().GetChannelHeader(), &ch); err != nil {
			return nil, err
		}
		if common.HeaderType(ch.GetType()) != common.HeaderType_ENDORSER_TRANSACTION {
			continue
		}
		if err := proto.Unmarshal(payload.GetData(), &tx); err != nil {
			return nil, err
		}
		for _, action := range tx.GetActions() {
			var cap peer.ChaincodeActionPayload
			var cpp peer.ChaincodeProposalPayload
			var spec peer.ChaincodeInvocationSpec
			if err := proto.Unmarshal(action.GetPayload(), &cap); err != nil {
				return nil, err
			}
			if err := proto.Unmarshal(cap.GetChaincodeProposalPayload(), &cpp); err != nil {
				return nil, err
			}
			if err := proto.Unmarshal(cpp.GetInput(), &spec); err != nil {
				return nil, err
			}
			args := spec.GetChaincodeSpec().GetInput().GetArgs()
			if spec.GetChaincodeSpec().GetChaincodeId().GetName() == chaincode && len(args) > 1 && string(args[1]) == key {
				out = append(out, ch.GetTxId())
			}
		}
	}
	return out, nil
}

// TestGatewayFailsOverBetweenItsOrgsPeers stops the peer a gateway uses
// first and requires the next submit to commit through the org's other peer;
// the stopped peer is then restarted and caught up for the tests after it.
func TestGatewayFailsOverBetweenItsOrgsPeers(t *testing.T) {
	startGateways(t)
	buyer := newAPIClient(t, "ProcurementMSP", "buyer1")
	peer0, err := net.PeerProcess("ProcurementMSP", "peer0")
	require.NoError(t, err)
	require.NoError(t, peer0.Stop(net.State, 10*time.Second))
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		require.NoError(t, peer0.Start(net.State))
		require.NoError(t, net.AwaitHealthy(ctx, peer0))
		require.Eventually(t, func() bool {
			a, errA := net.ChainInfo(ctx, "ProcurementMSP", "peer0")
			b, errB := net.ChainInfo(ctx, "ProcurementMSP", "peer1")
			return errA == nil && errB == nil && a.Height >= b.Height
		}, time.Minute, 250*time.Millisecond, "the restarted peer catches up")
		// Its discovery must know every org again before other tests plan
		// endorsements through it.
		require.NoError(t, net.AwaitReady(ctx))
	}()

	key := "failover-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	tx := buyer.submit(t, "noop", "Put", buyer.args(t, "noop", "Put", key, "still served"), nil)
	require.NotZero(t, tx.BlockNumber)
	r := buyer.do(t, http.MethodGet, buyer.query(t, "noop", "Get", key), nil, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var got struct {
		Result string `json:"result"`
	}
	require.NoError(t, json.Unmarshal(r.body, &got))
	require.Equal(t, "still served", got.Result, "read back through the surviving peer")
}
