package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/govledger/govledger/test-network/harness"
)

// unlimited lifts a gateway's per-caller rate limit (50/s by default): the
// benchmark measures what the gateway costs, not how it sheds load, and a
// handful of users carry every client's requests.
var unlimited = []string{"GOVLEDGER_RATE_PER_SECOND=1000000", "GOVLEDGER_RATE_BURST=1000000"}

// startGateways starts one govledger-gateway per organisation through the
// harness, restarts each with the rate limit lifted, and points the
// gateway client and the memory monitor at them. The harness stops them
// with the network.
func (b *bench) startGateways(ctx context.Context) error {
	if err := b.net.StartGateways(ctx); err != nil {
		return err
	}
	bases := map[string]string{}
	var procs []watched
	for _, g := range b.net.Gateways() {
		p := g.Process
		if err := p.Stop(b.net.State, 10*time.Second); err != nil {
			return err
		}
		p.Env = append(p.Env, unlimited...)
		if err := p.Start(b.net.State); err != nil {
			return err
		}
		if err := awaitReady(ctx, b.net, p); err != nil {
			return err
		}
		if !g.ReadOnly {
			bases[g.MSPID] = g.URL()
		}
		procs = append(procs, watched{Name: p.Name, Kind: "gateway", PID: func() (int, error) { return p.PID(b.net.State) }})
	}
	if len(bases) == 0 {
		return errors.New("the topology has no organisation that may submit")
	}
	b.gw = newGatewayClient(bases, maxClients)
	b.mon.add(procs...)
	return nil
}

// awaitReady waits until the gateway answers /readyz: a peer reachable and
// every chaincode's metadata loaded.
func awaitReady(ctx context.Context, nw *harness.Network, p *harness.Process) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if !p.Running(nw.State) {
			return fmt.Errorf("%s exited (%s); see %s", p.Name, p.ExitStatus(nw.State), p.LogFile(nw.State))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.Health, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s: %w; see %s", p.Name, p.Health, ctx.Err(), p.LogFile(nw.State))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
