// Package collections finds the member organisations of each private data
// collection, which the gateway needs to pick endorsers for functions that
// write private data. The connection profile lists collection names only;
// members come from the collection configs network/cmd/netgen writes next to
// the profiles (<dir>/<chaincode>.json, the --collections-config format),
// whose member policy names every member MSP.
package collections

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/govledger/govledger/network/topology"
)

// ErrMissing is wrapped when a collection the profile names has no config.
var ErrMissing = errors.New("collection config missing")

// Members maps chaincode → collection → member MSP IDs (sorted).
type Members map[string]map[string][]string

// Lookup implements catalog.CollectionMembers.
func (m Members) Lookup(chaincode, collection string) ([]string, bool) {
	orgs, ok := m[chaincode][collection]
	return orgs, ok
}

type config struct {
	Name   string `json:"name"`
	Policy string `json:"policy"`
}

// Load reads the configs of the chaincodes that have collections (names as
// the profile lists them) from dir.
func Load(dir string, wanted map[string][]string) (Members, error) {
	out := Members{}
	names := make([]string, 0, len(wanted))
	for cc := range wanted {
		names = append(names, cc)
	}
	slices.Sort(names)
	for _, cc := range names {
		if len(wanted[cc]) == 0 {
			continue
		}
		path := filepath.Join(dir, cc+".json")
		raw, err := os.ReadFile(filepath.Clean(path))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: chaincode %s: %s", ErrMissing, cc, path)
		}
		if err != nil {
			return nil, fmt.Errorf("read collection config: %w", err)
		}
		var cfgs []config
		if err := json.Unmarshal(raw, &cfgs); err != nil {
			return nil, fmt.Errorf("decode collection config %s: %w", path, err)
		}
		out[cc] = map[string][]string{}
		for _, c := range cfgs {
			p, err := topology.ParsePolicy(c.Policy)
			if err != nil {
				return nil, fmt.Errorf("collection %s of %s: member policy: %w", c.Name, cc, err)
			}
			out[cc][c.Name] = p.MSPIDs()
		}
		for _, name := range wanted[cc] {
			if _, ok := out[cc][name]; !ok {
				return nil, fmt.Errorf("%w: collection %s of chaincode %s is not in %s", ErrMissing, name, cc, path)
			}
		}
	}
	return out, nil
}
