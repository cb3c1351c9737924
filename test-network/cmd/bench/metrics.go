package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The gateway's own Prometheus metrics tell where a request's time goes: the
// Fabric stages it waited on, and the rest, which is the gateway's own work
// (authentication, validation, the journal) and its queueing.
const (
	metricRequest = "govledger_gateway_http_request_duration_seconds"
	metricStage   = "govledger_gateway_fabric_stage_duration_seconds"
	callRoute     = "/v1/{chaincode}/{function}"
	// ownKey is the part of a request no Fabric stage accounts for.
	ownKey = "gateway_own"
)

// requestStages are the Fabric stages a request waits on; the gateway's
// event streams record others, which no request waits for.
var requestStages = []string{"evaluate", "endorse", "submit", "commit"}

// totals are a histogram's sum and count per value of one label.
type totals map[string]struct{ sum, count float64 }

// histogramTotals reads metric's _sum and _count series from a Prometheus
// text exposition, adding up series that differ only in other labels.
func histogramTotals(text, metric, label string) totals {
	out := totals{}
	for _, line := range strings.Split(text, "\n") {
		var isSum bool
		var rest string
		switch {
		case strings.HasPrefix(line, metric+"_sum{"):
			isSum, rest = true, line[len(metric)+len("_sum"):]
		case strings.HasPrefix(line, metric+"_count{"):
			rest = line[len(metric)+len("_count"):]
		default:
			continue
		}
		// Label values may hold braces (route="/v1/{chaincode}/..."), so
		// the label set ends at the last "} " before the value.
		end := strings.LastIndex(rest, "} ")
		if end < 0 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest[end+2:]), 64)
		if err != nil {
			continue
		}
		key, ok := labelValue(rest[1:end], label)
		if !ok {
			continue
		}
		t := out[key]
		if isSum {
			t.sum += v
		} else {
			t.count += v
		}
		out[key] = t
	}
	return out
}

// labelValue finds name="value" in a Prometheus label set.
func labelValue(labels, name string) (string, bool) {
	for len(labels) > 0 {
		eq := strings.Index(labels, `="`)
		if eq < 0 {
			return "", false
		}
		key := strings.TrimSpace(strings.TrimPrefix(labels[:eq], ","))
		var val strings.Builder
		i := eq + 2
		for ; i < len(labels); i++ {
			c := labels[i]
			if c == '\\' && i+1 < len(labels) {
				i++
				val.WriteByte(labels[i])
				continue
			}
			if c == '"' {
				break
			}
			val.WriteByte(c)
		}
		if key == name {
			return val.String(), true
		}
		if i >= len(labels) {
			return "", false
		}
		labels = labels[i+1:]
	}
	return "", false
}

// gatewaySnapshot is every gateway's request and stage totals at one time.
type gatewaySnapshot struct {
	requests totals
	stages   totals
}

// scrapeGateways adds up the totals of every gateway's /metrics.
func scrapeGateways(ctx context.Context, bases map[string]string) (gatewaySnapshot, error) {
	snap := gatewaySnapshot{requests: totals{}, stages: totals{}}
	client := &http.Client{Timeout: 5 * time.Second}
	for _, base := range bases {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
		if err != nil {
			return snap, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return snap, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
		_ = resp.Body.Close()
		if err != nil {
			return snap, err
		}
		if resp.StatusCode != http.StatusOK {
			return snap, fmt.Errorf("%s/metrics: %s", base, resp.Status)
		}
		merge(snap.requests, histogramTotals(string(body), metricRequest, "route"))
		merge(snap.stages, histogramTotals(string(body), metricStage, "stage"))
	}
	return snap, nil
}

func merge(into, from totals) {
	for k, v := range from {
		t := into[k]
		t.sum += v.sum
		t.count += v.count
		into[k] = t
	}
}

// breakdown is the mean time per request of each Fabric stage between two
// snapshots, and of the rest (ownKey), in milliseconds.
func breakdown(before, after gatewaySnapshot) map[string]float64 {
	mean := func(a, b totals, k string) (float64, bool) {
		n := a[k].count - b[k].count
		if n <= 0 {
			return 0, false
		}
		return (a[k].sum - b[k].sum) / n * 1000, true
	}
	req, ok := mean(after.requests, before.requests, callRoute)
	if !ok {
		return nil
	}
	reqs := after.requests[callRoute].count - before.requests[callRoute].count
	out := map[string]float64{"request": round2(req)}
	own := req
	for _, stage := range requestStages {
		n := after.stages[stage].count - before.stages[stage].count
		if n <= 0 {
			continue
		}
		// Per request, not per stage call: a retried submit endorses twice.
		perRequest := (after.stages[stage].sum - before.stages[stage].sum) / reqs * 1000
		out[stage] = round2(perRequest)
		own -= perRequest
	}
	out[ownKey] = round2(own)
	return out
}
