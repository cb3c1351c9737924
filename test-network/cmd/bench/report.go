package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/govledger/govledger/test-network/benchplot"
	"github.com/govledger/govledger/test-network/loadgen"
)

// Groups of figures, one per part of the benchmark.
const (
	groupLimit   = "limit"   // noop submits straight through the SDK
	groupGateway = "gateway" // the same through the GovLedger gateway, and evaluations both ways
	groupDomain  = "domain"  // each contract's main write and paged query
	groupScale   = "scale"   // a paged listing and a single-key read at two ledger sizes
)

// Paths a figure's operations take.
const (
	viaDirect  = "direct"  // Fabric Gateway SDK to the org's peer
	viaGateway = "gateway" // HTTP to the org's govledger-gateway
)

// Kinds of operation.
const (
	kindSubmit   = "submit"   // endorse, order, wait for the commit
	kindEvaluate = "evaluate" // one peer, nothing committed
)

// Ratio keys, as written in latest.json.
const (
	ratioGatewayTPS   = "gateway_over_direct_tps"
	ratioGatewayP50ms = "gateway_minus_direct_p50_ms"
	ratioOverNoop     = "tps_over_noop"
	ratioOverNoop2    = "tps_over_noop_2_endorsers"
	ratioBigP50       = "p50_100k_over_1k"
	ratioBigTPS       = "tps_100k_over_1k"
)

// Figure is one measured run; the loadgen result's fields are flattened
// into the JSON object.
type Figure struct {
	loadgen.Result
	Group string `json:"group"`
	Via   string `json:"via"`
	Kind  string `json:"kind"`
	// Ratios compare this figure with the one it is measured against in the
	// same run (ratio* keys).
	Ratios map[string]float64 `json:"ratios,omitempty"`
	// CPUms is the CPU time each kind of process spent per operation
	// (warm-up included), in milliseconds: where a figure's time goes on a
	// CPU-bound machine.
	CPUms map[string]float64 `json:"cpu_ms_per_op,omitempty"`
	// GatewayMs splits a gateway figure's mean request, as the gateways'
	// own metrics saw it, into the Fabric stages it waited on and the rest
	// (gateway_own), in milliseconds.
	GatewayMs map[string]float64 `json:"gateway_mean_ms,omitempty"`
}

// Memory is a process's peak resident memory.
type Memory struct {
	Process string  `json:"process"`
	Kind    string  `json:"kind"`
	PeakMiB float64 `json:"peak_rss_mib"`
	// Peak256MiB is a gateway's peak while 256 clients submitted through
	// the gateways.
	Peak256MiB float64 `json:"peak_rss_mib_256_clients,omitempty"`
}

// Target is one pass/miss criterion.
type Target struct {
	Name  string  `json:"name"`
	Limit string  `json:"limit"`
	Value float64 `json:"value"`
	Pass  bool    `json:"pass"`
	// Missing says the figures needed were not measured.
	Missing bool   `json:"missing,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// Report is bench/results/latest.json.
type Report struct {
	Date         string   `json:"date"`
	Machine      string   `json:"machine"`
	Consensus    string   `json:"consensus"`
	BatchTimeout string   `json:"batch_timeout"`
	Settings     string   `json:"settings"`
	Seconds      float64  `json:"seconds"`
	Figures      []Figure `json:"figures"`
	Memory       []Memory `json:"memory"`
	Targets      []Target `json:"targets"`
	Notes        []string `json:"notes,omitempty"`
}

// find returns the figure with name, path and concurrency.
func (r *Report) find(name, via string, clients int) (*Figure, bool) {
	for i := range r.Figures {
		f := &r.Figures[i]
		if f.Name == name && f.Via == via && f.Concurrency == clients {
			return f, true
		}
	}
	return nil, false
}

func setRatio(f *Figure, key string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if f.Ratios == nil {
		f.Ratios = map[string]float64{}
	}
	f.Ratios[key] = round3(v)
}

// Names of the figures the ratios and targets read.
const (
	noopPut = "noop.Put"
	noopGet = "noop.Get"
	// noopPutOneGateway is noop.Put with every client on one gateway.
	noopPutOneGateway = "noop.Put.1gateway"
	// noopPutTwoEndorsers is noop.Put endorsed by two organisations, as
	// the domain contracts' policies require.
	noopPutTwoEndorsers = "noop.Put.2endorsers"
	scaleList1k         = "scale.List.1k"
	scaleList           = "scale.List.100k"
	scaleGet1k          = "scale.Get.1k"
	scaleGetBig         = "scale.Get.100k"
	ratioClients        = 64
	bigClients          = 256
)

// computeRatios fills every figure's ratios from the figures it compares
// with: gateway against direct at the same concurrency, domain figures
// against noop at theirs, the 100k ledger against the 1k one.
func (r *Report) computeRatios() {
	for i := range r.Figures {
		f := &r.Figures[i]
		switch {
		case f.Via == viaGateway:
			base := f.Name
			if base == noopPutOneGateway {
				base = noopPut
			}
			if d, ok := r.find(base, viaDirect, f.Concurrency); ok && d.TPS > 0 {
				setRatio(f, ratioGatewayTPS, f.TPS/d.TPS)
				setRatio(f, ratioGatewayP50ms, f.P50ms-d.P50ms)
			}
		case f.Group == groupDomain:
			base := noopPut
			if f.Kind == kindEvaluate {
				base = noopGet
			}
			if n, ok := r.find(base, viaDirect, f.Concurrency); ok && n.TPS > 0 {
				setRatio(f, ratioOverNoop, f.TPS/n.TPS)
			}
			if n, ok := r.find(noopPutTwoEndorsers, viaDirect, f.Concurrency); ok && n.TPS > 0 && f.Kind == kindSubmit && f.Name != noopPutTwoEndorsers {
				setRatio(f, ratioOverNoop2, f.TPS/n.TPS)
			}
		case f.Name == scaleList || f.Name == scaleGetBig:
			small := scaleList1k
			if f.Name == scaleGetBig {
				small = scaleGet1k
			}
			if s, ok := r.find(small, viaDirect, f.Concurrency); ok && s.P50ms > 0 && s.TPS > 0 {
				setRatio(f, ratioBigP50, f.P50ms/s.P50ms)
				setRatio(f, ratioBigTPS, f.TPS/s.TPS)
			}
		}
	}
}

// Target limits.
const (
	minGatewayTPSRatio = 0.9
	maxGatewayP50ms    = 5.0
	minDomainRatio     = 0.7
	maxListingRatio    = 1.5
	maxGatewayRSSMiB   = 150.0
)

// mainWrites are the main write of every contract, which the domain target
// holds to noop's throughput. CreateTender and IssueRequest are measured too,
// as the steps that make their inputs.
var mainWrites = []string{
	"procurement.PublishTender", "procurement.SubmitBidCommitment", "health.SubmitCaseReport",
	"benefits.SubmitApplication", "audit.FileResponse",
}

// mvccKinds are the validation codes of transactions that lost a race.
var mvccKinds = []string{"MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT"}

// evaluateTargets compares the figures with the targets.
func (r *Report) evaluateTargets() {
	r.Targets = nil
	add := func(t Target) { r.Targets = append(r.Targets, t) }
	missing := func(name, limit string) Target {
		return Target{Name: name, Limit: limit, Missing: true, Detail: "not measured"}
	}

	name := fmt.Sprintf("gateway noop submit throughput at %d clients, × direct", ratioClients)
	limit := fmt.Sprintf(">= %.1f", minGatewayTPSRatio)
	if g, ok := r.find(noopPut, viaGateway, ratioClients); ok && g.Ratios[ratioGatewayTPS] > 0 {
		v := g.Ratios[ratioGatewayTPS]
		add(Target{Name: name, Limit: limit, Value: v, Pass: v >= minGatewayTPSRatio})
	} else {
		add(missing(name, limit))
	}

	for _, fn := range []string{noopGet, noopPut} {
		kind := "submit"
		if fn == noopGet {
			kind = "evaluate"
		}
		name := fmt.Sprintf("gateway p50 overhead, noop %s at 1 client (ms)", kind)
		limit := fmt.Sprintf("<= %.0f", maxGatewayP50ms)
		g, ok := r.find(fn, viaGateway, 1)
		v, has := 0.0, false
		if ok {
			v, has = g.Ratios[ratioGatewayP50ms]
		}
		if !has {
			add(missing(name, limit))
			continue
		}
		add(Target{Name: name, Limit: limit, Value: v, Pass: v <= maxGatewayP50ms})
	}

	for _, w := range mainWrites {
		name := fmt.Sprintf("%s at %d clients, × noop, no MVCC conflicts", w, ratioClients)
		limit := fmt.Sprintf(">= %.1f", minDomainRatio)
		f, ok := r.find(w, viaDirect, ratioClients)
		v, has := 0.0, false
		if ok {
			v, has = f.Ratios[ratioOverNoop]
		}
		if !has {
			add(missing(name, limit))
			continue
		}
		conflicts := 0
		for _, k := range mvccKinds {
			conflicts += f.ErrorKinds[k]
		}
		t := Target{Name: name, Limit: limit, Value: v, Pass: v >= minDomainRatio && conflicts == 0}
		if conflicts > 0 {
			t.Detail = fmt.Sprintf("%d MVCC conflicts", conflicts)
		}
		add(t)
	}

	name = "paged listing p50 at 100k records, × at 1k"
	limit = fmt.Sprintf("<= %.1f", maxListingRatio)
	v, ok := 0.0, false
	if big := r.figureNamed(scaleList); big != nil {
		v, ok = big.Ratios[ratioBigP50]
	}
	if ok {
		add(Target{Name: name, Limit: limit, Value: v, Pass: v <= maxListingRatio})
	} else {
		add(missing(name, limit))
	}

	name = fmt.Sprintf("gateway peak RSS at %d clients (MiB)", bigClients)
	limit = fmt.Sprintf("<= %.0f", maxGatewayRSSMiB)
	peak, found := 0.0, false
	for _, m := range r.Memory {
		if m.Kind == "gateway" && m.Peak256MiB > 0 {
			peak, found = max(peak, m.Peak256MiB), true
		}
	}
	if found {
		add(Target{Name: name, Limit: limit, Value: peak, Pass: peak <= maxGatewayRSSMiB})
	} else {
		add(missing(name, limit))
	}
}

func (r *Report) figureNamed(name string) *Figure {
	for i := range r.Figures {
		if r.Figures[i].Name == name {
			return &r.Figures[i]
		}
	}
	return nil
}

// writeMarkdown renders the report as the tables of bench/results/latest.md.
func (r *Report) writeMarkdown(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# GovLedger live benchmark\n\n")
	fmt.Fprintf(&b, "%s · %s · %s, batch timeout %s · %s · %.0f s in all\n\n", r.Date, r.Machine, r.Consensus, r.BatchTimeout, r.Settings, r.Seconds)
	fmt.Fprintf(&b, "## Targets\n\n| target | limit | value | result |\n| --- | ---: | ---: | :---: |\n")
	for _, t := range r.Targets {
		res := "MISS"
		switch {
		case t.Missing:
			res = "MISSING"
		case t.Pass:
			res = "PASS"
		}
		val := fmt.Sprintf("%.2f", t.Value)
		if t.Missing {
			val = "–"
		}
		if t.Detail != "" {
			res += " (" + t.Detail + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.Name, t.Limit, val, res)
	}
	for _, g := range []struct{ group, title string }{
		{groupLimit, "The limit: noop submits through the Fabric Gateway SDK"},
		{groupGateway, "Through the GovLedger gateway (HTTP), against direct"},
		{groupDomain, "Domain transactions, against noop"},
		{groupScale, "Scale: 1 000 against 100 000 stored records"},
	} {
		var rows []Figure
		for _, f := range r.Figures {
			if f.Group == g.group {
				rows = append(rows, f)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n| figure | via | clients | tx/s | p50 ms | p95 ms | p99 ms | errors | ratios | CPU ms/op |\n", g.title)
		fmt.Fprintf(&b, "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n")
		for _, f := range rows {
			fmt.Fprintf(&b, "| %s (%s) | %s | %d | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |\n",
				f.Name, f.Kind, f.Via, f.Concurrency, f.TPS, f.P50ms, f.P95ms, f.P99ms, errorCell(f.Result), floatMap(f.Ratios), floatMap(f.CPUms))
		}
	}
	var split []Figure
	for _, f := range r.Figures {
		if len(f.GatewayMs) > 0 {
			split = append(split, f)
		}
	}
	if len(split) > 0 {
		fmt.Fprintf(&b, "\n## Where a gateway request's time goes (mean ms, from the gateways' metrics)\n\n")
		fmt.Fprintf(&b, "| figure | clients | request | evaluate | endorse | submit | commit | gateway's own |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, f := range split {
			fmt.Fprintf(&b, "| %s (%s) | %d | %s | %s | %s | %s | %s | %s |\n", f.Name, f.Kind, f.Concurrency,
				cell(f.GatewayMs, "request"), cell(f.GatewayMs, "evaluate"), cell(f.GatewayMs, "endorse"),
				cell(f.GatewayMs, "submit"), cell(f.GatewayMs, "commit"), cell(f.GatewayMs, ownKey))
		}
	}
	if len(r.Memory) > 0 {
		fmt.Fprintf(&b, "\n## Peak resident memory\n\n| process | kind | peak MiB | peak MiB, 256 clients through the gateways |\n| --- | --- | ---: | ---: |\n")
		for _, m := range r.Memory {
			at := ""
			if m.Peak256MiB > 0 {
				at = fmt.Sprintf("%.1f", m.Peak256MiB)
			}
			fmt.Fprintf(&b, "| %s | %s | %.1f | %s |\n", m.Process, m.Kind, m.PeakMiB, at)
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "\n## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// errorCell is "0", or the count with its kinds, e.g. "3 (endorse: 2, timeout: 1)".
func errorCell(r loadgen.Result) string {
	if r.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", r.Errors, intMap(r.ErrorKinds))
}

func cell(m map[string]float64, k string) string {
	v, ok := m[k]
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}

func intMap(m map[string]int) string {
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func floatMap(m map[string]float64) string {
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %s", k, trimFloat(m[k]))
	}
	return strings.Join(parts, ", ")
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", f), "0"), ".")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// chart plots throughput and p99 of noop submits and evaluations against
// concurrency, direct and through the gateway.
func (r *Report) chart() benchplot.Chart {
	series := func(name, via, metric string) benchplot.Series {
		s := benchplot.Series{Name: via, Color: benchplot.Blue}
		if via == viaGateway {
			s.Color = benchplot.Orange
		}
		for _, f := range r.Figures {
			if f.Name != name || f.Via != via || (f.Group != groupLimit && f.Group != groupGateway) {
				continue
			}
			y := f.TPS
			if metric == "p99" {
				y = f.P99ms
			}
			s.Points = append(s.Points, benchplot.Point{X: float64(f.Concurrency), Y: y})
		}
		return s
	}
	panel := func(title, name, metric string) benchplot.Panel {
		p := benchplot.Panel{Title: title, XLabel: "clients", LogX: true}
		for _, via := range []string{viaDirect, viaGateway} {
			if s := series(name, via, metric); len(s.Points) > 0 {
				p.Series = append(p.Series, s)
			}
		}
		return p
	}
	var panels []benchplot.Panel
	for _, p := range []benchplot.Panel{
		panel("submit tx/s", noopPut, "tps"), panel("submit p99 ms", noopPut, "p99"),
		panel("evaluate /s", noopGet, "tps"), panel("evaluate p99 ms", noopGet, "p99"),
	} {
		if len(p.Series) > 0 {
			panels = append(panels, p)
		}
	}
	return benchplot.Chart{Width: 1000, Height: 760, Columns: 2, Panels: panels}
}

// write stores latest.json, latest.md and latest.png in dir.
func (r *Report) write(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.json"), append(data, '\n'), 0o600); err != nil {
		return err
	}
	var md bytes.Buffer
	if err := r.writeMarkdown(&md); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.md"), md.Bytes(), 0o600); err != nil {
		return err
	}
	c := r.chart()
	if len(c.Panels) == 0 {
		return nil
	}
	var img bytes.Buffer
	if err := c.Encode(&img); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "latest.png"), img.Bytes(), 0o600)
}

// printTargets writes one PASS/MISS line per target.
func (r *Report) printTargets(w io.Writer) {
	for _, t := range r.Targets {
		res := "MISS"
		switch {
		case t.Missing:
			res = "MISSING"
		case t.Pass:
			res = "PASS"
		}
		line := fmt.Sprintf("%-7s %s %s: %.2f", res, t.Name, t.Limit, t.Value)
		if t.Missing {
			line = fmt.Sprintf("%-7s %s %s: not measured", res, t.Name, t.Limit)
		}
		if t.Detail != "" && !t.Missing {
			line += " (" + t.Detail + ")"
		}
		_, _ = fmt.Fprintln(w, line)
	}
}

// memoryRows turns the monitor's peaks into rows, by kind then name.
func memoryRows(peaks map[string]int64, kinds map[string]string, at256 map[string]int64) []Memory {
	var rows []Memory
	for name, v := range peaks {
		m := Memory{Process: name, Kind: kinds[name], PeakMiB: mib(v)}
		if kinds[name] == "gateway" {
			m.Peak256MiB = mib(at256[name])
		}
		rows = append(rows, m)
	}
	slices.SortFunc(rows, func(a, b Memory) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.Process, b.Process)
	})
	return rows
}

func mib(b int64) float64 { return round2(float64(b) / (1 << 20)) }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
