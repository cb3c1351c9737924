package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govledger/govledger/network/topology"
)

// metrics scrapes a Prometheus endpoint and returns the value of every
// sample whose name matches and whose labels contain all of want.
func metrics(ctx context.Context, url, name string, want map[string]string) ([]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	var out []float64
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 16<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) || strings.HasPrefix(line, "#") {
			continue
		}
		series, value, ok := strings.Cut(line, " ")
		if !ok || (series != name && !strings.HasPrefix(series, name+"{")) {
			continue
		}
		if !labelsMatch(series, want) {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err == nil {
			out = append(out, v)
		}
	}
	return out, sc.Err()
}

func labelsMatch(series string, want map[string]string) bool {
	for k, v := range want {
		if !strings.Contains(series, k+`="`+v+`"`) {
			return false
		}
	}
	return true
}

func (nd node) metricsURL() string {
	return "http://" + hostPort(nd.Host, nd.OperationsPort) + "/metrics"
}

// awaitReady waits until the channel can take transactions: a Raft leader
// is elected, every peer knows every other peer through gossip (until then
// the Gateway cannot plan cross-org endorsements), and every peer answers
// every chaincode.
func (n *Network) awaitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	ch := n.Topology.Channel.Name
	if n.Topology.Ordering.Consensus != topology.ConsensusBFT {
		err := poll(ctx, "Raft leader elected", func() (bool, error) {
			for _, nd := range n.ordering().Nodes {
				v, err := metrics(ctx, nd.metricsURL(), "consensus_etcdraft_is_leader", map[string]string{"channel": ch})
				if err == nil && len(v) == 1 && v[0] == 1 {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return err
		}
	}
	peers := n.peers()
	err := parallel(peers, func(nd node) error {
		return poll(ctx, nd.procName()+" knows every peer", func() (bool, error) {
			v, err := metrics(ctx, nd.metricsURL(), "gossip_membership_total_peers_known", map[string]string{"channel": ch})
			return err == nil && len(v) == 1 && int(v[0]) >= len(peers)-1, nil
		})
	})
	if err != nil {
		return err
	}
	return parallel(peers, func(nd node) error {
		for _, cc := range n.Topology.Chaincodes {
			err := poll(ctx, nd.procName()+" runs "+cc.Name, func() (bool, error) {
				_, err := n.peerCLI(ctx, nd, "chaincode", "query", "-C", ch, "-n", cc.Name, "-c", `{"Args":["org.hyperledger.fabric:GetMetadata"]}`)
				return err == nil, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// poll calls cond every 250 ms until it is true, fails, or ctx ends.
func poll(ctx context.Context, what string, cond func() (bool, error)) error {
	for {
		ok, err := cond()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// NodeStatus is one process's state for `network-status`.
type NodeStatus struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Address string `json:"address"`
	PID     int    `json:"pid,omitempty"`
	Health  string `json:"health"`
	// Height is a peer's block height on the channel.
	Height int64 `json:"height,omitempty"`
	RSS    int64 `json:"rssBytes,omitempty"`
}

// Status reports every process: PID, health from its operations endpoint,
// resident memory and, for peers, the channel's block height.
func (n *Network) Status(ctx context.Context) []NodeStatus {
	heights := map[string]int64{}
	for _, nd := range n.peers() {
		v, err := metrics(ctx, nd.metricsURL(), "ledger_blockchain_height", map[string]string{"channel": n.Topology.Channel.Name})
		if err == nil && len(v) == 1 {
			heights[nd.procName()] = int64(v[0])
		}
	}
	var out []NodeStatus
	for _, p := range n.Processes() {
		s := NodeStatus{Name: p.Name, Kind: p.Kind, Address: p.Address, Health: "stopped", Height: heights[p.Name]}
		if pid, err := p.PID(n.State); err == nil {
			s.PID = pid
			s.RSS, _ = p.RSS(n.State)
			s.Health = health(ctx, p.Health)
		}
		out = append(out, s)
	}
	return out
}

func health(ctx context.Context, url string) string {
	if url == "" {
		return "running"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "unknown"
	}
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return "unreachable"
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode == http.StatusOK {
		return "ok"
	}
	var body struct {
		Status string `json:"status"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body)
	return fmt.Sprintf("%d %s", resp.StatusCode, body.Status)
}
