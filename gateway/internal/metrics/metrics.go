// Package metrics exposes the gateway's Prometheus metrics: request latency
// per route, Fabric stage latency (evaluate, endorse, submit, commit),
// re-endorsements, requests and submits in flight, webhook deliveries and
// rate-limit refusals. It uses its own registry so tests and embedders never
// collide on the global one.
package metrics

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/govledger/govledger/gateway/internal/ledger"
)

// Metrics holds every collector. Create it with New.
type Metrics struct {
	registry        *prometheus.Registry
	requests        *prometheus.HistogramVec
	inFlight        prometheus.Gauge
	stages          *prometheus.HistogramVec
	retries         *prometheus.CounterVec
	submitsInFlight prometheus.Gauge
	deliveries      *prometheus.CounterVec
	limited         prometheus.Counter
}

// New registers the gateway's collectors plus the Go and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "govledger_gateway", Name: "http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern, method and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "govledger_gateway", Name: "http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "govledger_gateway", Name: "fabric_stage_duration_seconds",
			Help:    "Latency of each Fabric phase (evaluate, endorse, submit, commit) by outcome.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"stage", "outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "govledger_gateway", Name: "transaction_retries_total",
			Help: "Transactions re-endorsed after a commit failed with a read conflict, by validation code.",
		}, []string{"code"}),
		submitsInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "govledger_gateway", Name: "submits_in_flight",
			Help: "Submit operations not finished yet (including asynchronous ones).",
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "govledger_gateway", Name: "webhook_deliveries_total",
			Help: "Webhook delivery attempts by outcome.",
		}, []string{"outcome"}),
		limited: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "govledger_gateway", Name: "rate_limited_total",
			Help: "Requests refused by the per-caller rate limit.",
		}),
	}
	m.registry.MustRegister(m.requests, m.inFlight, m.stages, m.retries, m.submitsInFlight, m.deliveries, m.limited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Request records one served request.
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// InFlight adjusts the number of requests being served.
func (m *Metrics) InFlight(delta int) { m.inFlight.Add(float64(delta)) }

// Stage records one Fabric phase; it implements txn.Observer.
func (m *Metrics) Stage(phase ledger.Phase, d time.Duration, err error) {
	m.stages.WithLabelValues(string(phase), outcome(err)).Observe(d.Seconds())
}

// Retry counts a re-endorsement; it implements txn.Observer.
func (m *Metrics) Retry(code string) { m.retries.WithLabelValues(code).Inc() }

// Submits adjusts the submits in flight; it implements txn.Observer.
func (m *Metrics) Submits(delta int) { m.submitsInFlight.Add(float64(delta)) }

// Delivery counts a webhook delivery attempt ("ok" or "failed").
func (m *Metrics) Delivery(ok bool) {
	if ok {
		m.deliveries.WithLabelValues("ok").Inc()
		return
	}
	m.deliveries.WithLabelValues("failed").Inc()
}

// Limited counts a rate-limited request.
func (m *Metrics) Limited() { m.limited.Inc() }

func outcome(err error) string {
	var pe *ledger.PhaseError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &pe) && pe.Timeout():
		return "timeout"
	case errors.As(err, new(*ledger.ChaincodeError)):
		return "chaincode_error"
	default:
		return "error"
	}
}
