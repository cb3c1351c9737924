package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/govledger/govledger/chaincode/noop"
)

// noopValue is what every noop Put writes: 100 bytes, as in the Hyperledger
// Foundation's blind-write benchmark.
var noopValue = strings.Repeat("x", 100)

// noopUsers are the first user of every endorsing organisation: noop load
// spreads over the organisations' peers (and gateways) as agencies would.
func (b *bench) noopUsers() []user {
	var out []user
	for _, o := range b.net.Topology.EndorsingOrgs() {
		if len(o.Users) > 0 {
			out = append(out, user{MSPID: o.MSPID, Name: o.Users[0].Name})
		}
	}
	return out
}

// noopSubmits measures blind writes at every client count, straight through
// the SDK and then through the gateways, one right after the other so that
// both see the same ledger and the same machine.
func (b *bench) noopSubmits(ctx context.Context) error {
	users := b.noopUsers()
	if len(users) == 0 {
		return fmt.Errorf("no endorsing organisation has a user")
	}
	for _, n := range b.opts.levels {
		direct := func(_ context.Context, c, i int) (string, error) {
			key := fmt.Sprintf("put-%s-d%d-%d-%d", b.run, n, c, i)
			_, kind, err := b.sdk.submit(ctx, users[c%len(users)], call{Chaincode: "noop", Function: "Noop:Put", Args: []string{key, noopValue}})
			return kind, err
		}
		if _, err := b.measure(ctx, spec{name: noopPut, group: groupLimit, via: viaDirect, kind: kindSubmit,
			clients: n, duration: b.opts.duration, warmup: b.opts.warmup}, direct); err != nil {
			return err
		}
		if b.gw == nil {
			continue
		}
		viaGW := func(_ context.Context, c, i int) (string, error) {
			key := fmt.Sprintf("put-%s-g%d-%d-%d", b.run, n, c, i)
			_, kind, err := b.gw.submit(ctx, users[c%len(users)], "noop", "Put", map[string]string{"key": key, "value": noopValue})
			return kind, err
		}
		if n == bigClients {
			b.mon.startWindow()
		}
		_, err := b.measure(ctx, spec{name: noopPut, group: groupGateway, via: viaGateway, kind: kindSubmit,
			clients: n, duration: b.opts.duration, warmup: b.opts.warmup}, viaGW)
		if n == bigClients {
			b.keep256(b.mon.windowPeaks())
		}
		if err != nil {
			return err
		}
		if n == bigClients {
			if err := b.oneGateway(ctx, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// oneGateway sends n clients' submits through one organisation's gateway
// alone, as the users of that organisation: the gateway's memory at n
// clients, where the spread runs give each gateway a fifth of them.
func (b *bench) oneGateway(ctx context.Context, n int) error {
	org, ok := b.net.Topology.OrgByMSPID(buyer.MSPID)
	if !ok || len(org.Users) == 0 {
		return fmt.Errorf("no users in %s", buyer.MSPID)
	}
	users := make([]user, len(org.Users))
	for i, u := range org.Users {
		users[i] = user{MSPID: org.MSPID, Name: u.Name}
	}
	op := func(_ context.Context, c, i int) (string, error) {
		key := fmt.Sprintf("put-%s-o%d-%d-%d", b.run, n, c, i)
		_, kind, err := b.gw.submit(ctx, users[c%len(users)], "noop", "Put", map[string]string{"key": key, "value": noopValue})
		return kind, err
	}
	b.mon.startWindow()
	_, err := b.measure(ctx, spec{name: noopPutOneGateway, group: groupGateway, via: viaGateway, kind: kindSubmit,
		clients: n, duration: b.opts.duration, warmup: b.opts.warmup}, op)
	b.keep256(b.mon.windowPeaks())
	return err
}

// keep256 keeps each gateway's highest peak of the 256-client runs.
func (b *bench) keep256(peaks map[string]int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gateway256 == nil {
		b.gateway256 = map[string]int64{}
	}
	for k, v := range peaks {
		b.gateway256[k] = max(b.gateway256[k], v)
	}
}

// noopTwoEndorsers measures noop submits endorsed by two organisations,
// the number every domain contract's policy asks for, so that a domain
// figure's distance from noop splits into what the policy costs and what
// the contract costs.
func (b *bench) noopTwoEndorsers(ctx context.Context) error {
	users := b.noopUsers()
	if len(users) < 2 {
		return fmt.Errorf("two endorsing organisations needed, the topology has %d", len(users))
	}
	op := func(_ context.Context, c, i int) (string, error) {
		u, other := users[c%len(users)], users[(c+1)%len(users)]
		key := fmt.Sprintf("put-%s-2e-%d-%d", b.run, c, i)
		_, kind, err := b.sdk.submit(ctx, u, call{Chaincode: "noop", Function: "Noop:Put", Args: []string{key, noopValue},
			EndorsingOrgs: []string{u.MSPID, other.MSPID}})
		return kind, err
	}
	_, err := b.measure(ctx, b.domainSpec(noopPutTwoEndorsers, kindSubmit), op)
	return err
}

// noopEvaluations measures single-key reads both ways at every client count.
func (b *bench) noopEvaluations(ctx context.Context) error {
	users := b.noopUsers()
	if len(users) == 0 {
		return fmt.Errorf("no endorsing organisation has a user")
	}
	key := "probe-" + b.run
	if _, _, err := b.sdk.submit(ctx, users[0], call{Chaincode: "noop", Function: "Noop:Put", Args: []string{key, noopValue}}); err != nil {
		return fmt.Errorf("write the key to read: %w", err)
	}
	for _, n := range b.opts.levels {
		direct := func(_ context.Context, c, _ int) (string, error) {
			out, kind, err := b.sdk.evaluate(ctx, users[c%len(users)], call{Chaincode: "noop", Function: "Noop:Get", Args: []string{key}})
			if err == nil && string(out) != noopValue {
				// Another org's peer may not have the block yet.
				return "stale", fmt.Errorf("read %q, want the value written", truncate(string(out), 20))
			}
			return kind, err
		}
		if _, err := b.measure(ctx, spec{name: noopGet, group: groupGateway, via: viaDirect, kind: kindEvaluate,
			clients: n, duration: b.opts.evalDuration, warmup: b.opts.warmup}, direct); err != nil {
			return err
		}
		if b.gw == nil {
			continue
		}
		viaGW := func(_ context.Context, c, _ int) (string, error) {
			out, kind, err := b.gw.evaluate(ctx, users[c%len(users)], "noop", "Get", url.Values{"key": {key}})
			if err != nil {
				return kind, err
			}
			var res struct {
				Result string `json:"result"`
			}
			if err := json.Unmarshal(out, &res); err != nil || res.Result != noopValue {
				return "stale", fmt.Errorf("read %q, want the value written", truncate(string(out), 40))
			}
			return "", nil
		}
		if _, err := b.measure(ctx, spec{name: noopGet, group: groupGateway, via: viaGateway, kind: kindEvaluate,
			clients: n, duration: b.opts.evalDuration, warmup: b.opts.warmup}, viaGW); err != nil {
			return err
		}
	}
	return nil
}

// seedBatch is how many records one Seed transaction writes.
const seedBatch = noop.MaxSeed

// listPageSize is the page a listing fetches: the contract's maximum.
const listPageSize = 100

// scale measures a paged listing and a single-key read with 1 000 records
// stored under the listed prefix, then seeds 100 000 under another and
// measures the same again.
func (b *bench) scale(ctx context.Context) error {
	seeder := user{MSPID: "ProcurementMSP", Name: "buyer1"}
	reader := b.noopUsers()
	for _, size := range []struct {
		label   string
		records int
	}{{"1k", b.opts.smallRecords}, {"100k", b.opts.bigRecords}} {
		prefix := fmt.Sprintf("s%s-%s", size.label, b.run)
		batches := size.records / seedBatch
		var calls []func(context.Context) error
		for j := range batches {
			calls = append(calls, func(ctx context.Context) error {
				_, _, err := b.sdk.submit(ctx, seeder, call{Chaincode: "noop", Function: "Noop:Seed",
					Args: []string{batchPrefix(prefix, j), strconv.Itoa(seedBatch)}})
				return err
			})
		}
		if err := setup(ctx, 8, calls); err != nil {
			return fmt.Errorf("seed %d records: %w", size.records, err)
		}
		_, _ = fmt.Fprintf(b.log, "seeded %d records under %s in %d transactions\n", size.records, prefix, batches)

		// Each client walks the listing page by page from its own start,
		// so pages deep in the range are read as often as the first.
		bookmarks := make([]string, b.opts.scaleClients)
		list := func(_ context.Context, c, _ int) (string, error) {
			out, kind, err := b.sdk.evaluate(ctx, reader[c%len(reader)], call{Chaincode: "noop", Function: "Noop:List",
				Args: []string{prefix, strconv.Itoa(listPageSize), bookmarks[c]}})
			if err != nil {
				return kind, err
			}
			var p noop.Page
			if err := json.Unmarshal(out, &p); err != nil || p.Count == 0 {
				return "page", fmt.Errorf("listing %s returned no records", prefix)
			}
			bookmarks[c] = p.Bookmark
			return "", nil
		}
		if _, err := b.measure(ctx, spec{name: "scale.List." + size.label, group: groupScale, via: viaDirect, kind: kindEvaluate,
			clients: b.opts.scaleClients, duration: b.opts.evalDuration, warmup: b.opts.warmup}, list); err != nil {
			return err
		}
		get := func(_ context.Context, c, i int) (string, error) {
			n := (c*7919 + i*104729) % size.records
			key := noop.SeedKey(batchPrefix(prefix, n/seedBatch), n%seedBatch)
			out, kind, err := b.sdk.evaluate(ctx, reader[c%len(reader)], call{Chaincode: "noop", Function: "Noop:Get", Args: []string{key}})
			if err == nil && string(out) != noop.SeedValue {
				return "stale", fmt.Errorf("record %s not found", key)
			}
			return kind, err
		}
		if _, err := b.measure(ctx, spec{name: "scale.Get." + size.label, group: groupScale, via: viaDirect, kind: kindEvaluate,
			clients: b.opts.scaleClients, duration: b.opts.evalDuration, warmup: b.opts.warmup}, get); err != nil {
			return err
		}
	}
	return nil
}

// batchPrefix is the Seed prefix of batch j under prefix: listing prefix
// lists every batch.
func batchPrefix(prefix string, j int) string { return fmt.Sprintf("%s-%03d", prefix, j) }
