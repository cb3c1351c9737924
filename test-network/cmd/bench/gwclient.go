package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// gatewayClient calls the GovLedger gateways' HTTP API, each user through
// its own organisation's gateway with the user's development API key
// ("dev-<user>", gateway/config/local.yaml).
type gatewayClient struct {
	http  *http.Client
	bases map[string]string // MSP ID → http://host:port
}

// maxResponse bounds what is read of a response body.
const maxResponse = 4 << 20

func newGatewayClient(bases map[string]string, clients int) *gatewayClient {
	// Every client keeps its connection: a benchmark of the gateway must
	// not measure TCP handshakes.
	t := &http.Transport{
		Proxy:               nil, // never through an HTTP_PROXY: the gateways are local
		MaxIdleConns:        clients * 2,
		MaxIdleConnsPerHost: clients * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &gatewayClient{http: &http.Client{Transport: t, Timeout: 2 * time.Minute}, bases: bases}
}

// errGateway is wrapped by every *problemError.
var errGateway = errors.New("gateway refused the request")

// problemError is a gateway's problem document.
type problemError struct {
	Status int
	Code   string
	Detail string
}

func (e *problemError) Error() string {
	return fmt.Sprintf("%v: %d %s: %s", errGateway, e.Status, e.Code, e.Detail)
}

func (e *problemError) Unwrap() error { return errGateway }

// kind groups problems by status and code, e.g. "http_409:COMMIT_FAILED".
func (e *problemError) kind() string { return "http_" + strconv.Itoa(e.Status) + ":" + e.Code }

// submit POSTs body to /v1/{chaincode}/{route} and waits for the commit.
func (g *gatewayClient) submit(ctx context.Context, u user, chaincode, route string, body any) ([]byte, string, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, "request", err
	}
	return g.do(ctx, u, http.MethodPost, g.path(chaincode, route), bytes.NewReader(raw))
}

// evaluate GETs /v1/{chaincode}/{route} with query as the arguments.
func (g *gatewayClient) evaluate(ctx context.Context, u user, chaincode, route string, query url.Values) ([]byte, string, error) {
	return g.do(ctx, u, http.MethodGet, g.path(chaincode, route)+"?"+query.Encode(), nil)
}

func (g *gatewayClient) path(chaincode, route string) string {
	return "/v1/" + url.PathEscape(chaincode) + "/" + url.PathEscape(route)
}

func (g *gatewayClient) do(ctx context.Context, u user, method, path string, body io.Reader) ([]byte, string, error) {
	base, ok := g.bases[u.MSPID]
	if !ok {
		return nil, "connect", fmt.Errorf("no gateway for %s", u.MSPID)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return nil, "request", err
	}
	req.Header.Set("X-API-Key", "dev-"+u.Name)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.http.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return nil, "timeout", err
		}
		return nil, "http", err
	}
	defer func() { _ = resp.Body.Close() }()
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, "http", err
	}
	if resp.StatusCode != http.StatusOK {
		p := &problemError{Status: resp.StatusCode}
		var doc struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		}
		if json.Unmarshal(out, &doc) == nil {
			p.Code, p.Detail = doc.Code, doc.Detail
		}
		return nil, p.kind(), p
	}
	return out, "", nil
}
