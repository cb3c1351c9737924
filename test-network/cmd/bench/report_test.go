package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/test-network/loadgen"
)

func fig(name, group, via, kind string, clients int, tps, p50 float64) Figure {
	return Figure{Result: loadgen.Result{Name: name, Concurrency: clients, TPS: tps, P50ms: p50, P95ms: p50 * 2, P99ms: p50 * 3},
		Group: group, Via: via, Kind: kind}
}

// sampleReport is a complete run in which every target passes.
func sampleReport() *Report {
	r := &Report{Date: "2026-03-06T09:00:00Z", Machine: "2 cores", Consensus: "etcdraft", BatchTimeout: "100ms"}
	for _, n := range []int{1, 16, 64, 256} {
		r.Figures = append(r.Figures,
			fig(noopPut, groupLimit, viaDirect, kindSubmit, n, 100, 200),
			fig(noopPut, groupGateway, viaGateway, kindSubmit, n, 95, 203),
			fig(noopGet, groupGateway, viaDirect, kindEvaluate, n, 1000, 4),
			fig(noopGet, groupGateway, viaGateway, kindEvaluate, n, 900, 6),
		)
	}
	for _, w := range mainWrites {
		r.Figures = append(r.Figures, fig(w, groupDomain, viaDirect, kindSubmit, 64, 75, 300))
	}
	r.Figures = append(r.Figures,
		fig(noopPutOneGateway, groupGateway, viaGateway, kindSubmit, 256, 90, 210),
		fig(noopPutTwoEndorsers, groupDomain, viaDirect, kindSubmit, 64, 50, 250),
		fig("procurement.CreateTender", groupDomain, viaDirect, kindSubmit, 64, 80, 300),
		fig("procurement.ListTendersByBuyer", groupDomain, viaDirect, kindEvaluate, 64, 500, 20),
		fig(scaleList1k, groupScale, viaDirect, kindEvaluate, 16, 200, 10),
		fig(scaleList, groupScale, viaDirect, kindEvaluate, 16, 190, 12),
		fig(scaleGet1k, groupScale, viaDirect, kindEvaluate, 16, 900, 3),
		fig(scaleGetBig, groupScale, viaDirect, kindEvaluate, 16, 880, 3.3),
	)
	r.Memory = memoryRows(
		map[string]int64{"gateway.procurement": 90 << 20, "noop": 20 << 20, "peer0.procurement": 100 << 20},
		map[string]string{"gateway.procurement": "gateway", "noop": "chaincode", "peer0.procurement": "peer"},
		map[string]int64{"gateway.procurement": 80 << 20})
	return r
}

func target(t *testing.T, r *Report, prefix string) Target {
	t.Helper()
	for _, tg := range r.Targets {
		if strings.HasPrefix(tg.Name, prefix) {
			return tg
		}
	}
	require.FailNow(t, "no target", prefix)
	return Target{}
}

func TestRatios(t *testing.T) {
	r := sampleReport()
	r.computeRatios()

	for _, tc := range []struct {
		name         string
		figure, via  string
		clients      int
		key          string
		want         float64
		wantAbsent   bool
		absentReason string
	}{
		{name: "gateway throughput over direct at the same clients", figure: noopPut, via: viaGateway, clients: 64, key: ratioGatewayTPS, want: 0.95},
		{name: "gateway p50 minus direct p50", figure: noopPut, via: viaGateway, clients: 1, key: ratioGatewayP50ms, want: 3},
		{name: "gateway evaluation overhead", figure: noopGet, via: viaGateway, clients: 16, key: ratioGatewayP50ms, want: 2},
		{name: "a domain write over noop submits", figure: "procurement.CreateTender", via: viaDirect, clients: 64, key: ratioOverNoop, want: 0.8},
		{name: "a domain query over noop evaluations", figure: "procurement.ListTendersByBuyer", via: viaDirect, clients: 64, key: ratioOverNoop, want: 0.5},
		{name: "the 100k listing's p50 over the 1k listing's", figure: scaleList, via: viaDirect, clients: 16, key: ratioBigP50, want: 1.2},
		{name: "the 100k read's throughput over the 1k read's", figure: scaleGetBig, via: viaDirect, clients: 16, key: ratioBigTPS, want: 0.978},
		{name: "one gateway's throughput over direct", figure: noopPutOneGateway, via: viaGateway, clients: 256, key: ratioGatewayTPS, want: 0.9},
		{name: "a domain write over noop with two endorsers", figure: "procurement.CreateTender", via: viaDirect, clients: 64, key: ratioOverNoop2, want: 1.6},
		{name: "noop with two endorsers over noop", figure: noopPutTwoEndorsers, via: viaDirect, clients: 64, key: ratioOverNoop, want: 0.5},
		{name: "no two-endorser ratio on itself", figure: noopPutTwoEndorsers, via: viaDirect, clients: 64, key: ratioOverNoop2, wantAbsent: true},
		{name: "no two-endorser ratio on a query", figure: "procurement.ListTendersByBuyer", via: viaDirect, clients: 64, key: ratioOverNoop2, wantAbsent: true},
		{name: "no ratio on a direct noop figure", figure: noopPut, via: viaDirect, clients: 64, key: ratioGatewayTPS, wantAbsent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := r.find(tc.figure, tc.via, tc.clients)
			require.True(t, ok)
			v, has := f.Ratios[tc.key]
			if tc.wantAbsent {
				require.False(t, has)
				return
			}
			require.True(t, has)
			require.InDelta(t, tc.want, v, 0.001)
		})
	}
	t.Run("no ratio against a baseline that committed nothing", func(t *testing.T) {
		r := &Report{Figures: []Figure{
			fig(noopPut, groupLimit, viaDirect, kindSubmit, 64, 0, 0),
			fig(noopPut, groupGateway, viaGateway, kindSubmit, 64, 10, 100),
		}}
		r.computeRatios()
		require.Empty(t, r.Figures[1].Ratios)
	})
}

func TestTargets(t *testing.T) {
	t.Run("a good run passes every target", func(t *testing.T) {
		r := sampleReport()
		r.computeRatios()
		r.evaluateTargets()
		require.Len(t, r.Targets, 10)
		for _, tg := range r.Targets {
			require.True(t, tg.Pass, "%s: %v", tg.Name, tg.Value)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(r *Report)
		target string
		detail string
	}{
		{"misses a slow gateway", func(r *Report) {
			f, _ := r.find(noopPut, viaGateway, 64)
			f.TPS = 80
		}, "gateway noop submit throughput", ""},
		{"misses a gateway adding more than 5 ms at 1 client", func(r *Report) {
			f, _ := r.find(noopGet, viaGateway, 1)
			f.P50ms = 10
		}, "gateway p50 overhead, noop evaluate", ""},
		{"misses a slow domain write", func(r *Report) {
			f, _ := r.find("health.SubmitCaseReport", viaDirect, 64)
			f.TPS = 50
		}, "health.SubmitCaseReport", ""},
		{"misses a domain write with MVCC conflicts however fast", func(r *Report) {
			f, _ := r.find("audit.FileResponse", viaDirect, 64)
			f.Errors, f.ErrorKinds = 2, map[string]int{"MVCC_READ_CONFLICT": 2}
		}, "audit.FileResponse", "2 MVCC conflicts"},
		{"misses a listing that slows with the ledger", func(r *Report) {
			f, _ := r.find(scaleList, viaDirect, 16)
			f.P50ms = 20
		}, "paged listing", ""},
		{"misses a gateway over 150 MiB", func(r *Report) { r.Memory[1].Peak256MiB = 151 }, "gateway peak RSS", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleReport()
			tc.change(r)
			r.computeRatios()
			r.evaluateTargets()
			tg := target(t, r, tc.target)
			require.False(t, tg.Pass)
			require.False(t, tg.Missing)
			require.Equal(t, tc.detail, tg.Detail)
		})
	}
	t.Run("reports targets without figures as missing, not passed", func(t *testing.T) {
		r := &Report{Figures: []Figure{fig(noopPut, groupLimit, viaDirect, kindSubmit, 64, 100, 200)}}
		r.computeRatios()
		r.evaluateTargets()
		require.Len(t, r.Targets, 10)
		for _, tg := range r.Targets {
			require.True(t, tg.Missing, tg.Name)
			require.False(t, tg.Pass, tg.Name)
		}
	})
}

func TestWrite(t *testing.T) {
	r := sampleReport()
	r.Figures[0].Errors, r.Figures[0].ErrorKinds = 3, map[string]int{"timeout": 1, "endorse": 2}
	r.Notes = []string{"gateway figures missing: example"}
	r.Figures[1].GatewayMs = map[string]float64{"request": 150, "endorse": 3, "submit": 2, "commit": 120, ownKey: 25}
	r.computeRatios()
	r.evaluateTargets()
	dir := t.TempDir()
	require.NoError(t, r.write(dir))

	t.Run("writes one JSON object per figure with its ratios", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(dir, "latest.json"))
		require.NoError(t, err)
		var got struct {
			Figures []map[string]any `json:"figures"`
			Targets []Target         `json:"targets"`
		}
		require.NoError(t, json.Unmarshal(raw, &got))
		require.Len(t, got.Figures, len(r.Figures))
		for _, k := range []string{"name", "concurrency", "tps", "p50_ms", "p95_ms", "p99_ms", "errors", "via", "group"} {
			require.Contains(t, got.Figures[0], k)
		}
		require.Contains(t, got.Figures[1], "ratios")
		require.Len(t, got.Targets, 10)
	})
	t.Run("writes the tables as Markdown", func(t *testing.T) {
		md, err := os.ReadFile(filepath.Join(dir, "latest.md"))
		require.NoError(t, err)
		s := string(md)
		for _, want := range []string{
			"| target | limit | value | result |",
			"| PASS |",
			"## The limit: noop submits through the Fabric Gateway SDK",
			"| noop.Put (submit) | direct | 64 | 100.0 | 200.0 | 400.0 | 600.0 | 0 |",
			"3 (endorse: 2, timeout: 1)",
			"gateway_over_direct_tps 0.95",
			"## Peak resident memory",
			"| gateway.procurement | gateway | 90.0 | 80.0 |",
			"- gateway figures missing: example",
			"| noop.Put (submit) | 1 | 150.0 | – | 3.0 | 2.0 | 120.0 | 25.0 |",
		} {
			require.Contains(t, s, want)
		}
	})
	t.Run("draws the chart as a PNG", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(dir, "latest.png"))
		require.NoError(t, err)
		img, err := png.Decode(bytes.NewReader(raw))
		require.NoError(t, err)
		require.Equal(t, 1000, img.Bounds().Dx())
	})
	t.Run("prints one PASS or MISS line per target", func(t *testing.T) {
		var out bytes.Buffer
		r.printTargets(&out)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		require.Len(t, lines, 10)
		require.True(t, strings.HasPrefix(lines[0], "PASS "))
	})
	t.Run("skips the chart when nothing was plotted", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, (&Report{}).write(dir))
		_, err := os.Stat(filepath.Join(dir, "latest.png"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}

func TestMemoryRows(t *testing.T) {
	rows := memoryRows(map[string]int64{"b": 1 << 20, "a": 3 << 20, "g": 2 << 20},
		map[string]string{"a": "peer", "b": "chaincode", "g": "gateway"}, map[string]int64{"g": 1 << 20, "a": 5 << 20})
	t.Run("orders by kind then name", func(t *testing.T) {
		require.Equal(t, []string{"b", "g", "a"}, []string{rows[0].Process, rows[1].Process, rows[2].Process})
	})
	t.Run("keeps the 256-client peak of gateways only", func(t *testing.T) {
		require.InDelta(t, 1.0, rows[1].Peak256MiB, 0.001)
		require.Zero(t, rows[2].Peak256MiB)
	})
}
