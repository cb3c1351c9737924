// Package collections finds the member organisations of each private data
// collection, which the gateway needs to pick endorsers for functions that
// write private data. The connection profile (network/profile) lists every
// chaincode's collections with their members, derived from the same
// topology the collection configs on the channel are generated from.
package collections

import (
	"slices"

	"github.com/govledger/govledger/network/profile"
)

// Members maps chaincode → collection → member MSP IDs (sorted).
type Members map[string]map[string][]string

// Lookup implements catalog.CollectionMembers.
func (m Members) Lookup(chaincode, collection string) ([]string, bool) {
	orgs, ok := m[chaincode][collection]
	return orgs, ok
}

// FromProfile collects the members of the collections of the given
// chaincodes. A chaincode the profile does not list has no collections;
// callers check names against the profile first.
func FromProfile(p *profile.Profile, chaincodes []string) Members {
	out := Members{}
	for _, cc := range p.Chaincodes {
		if !slices.Contains(chaincodes, cc.Name) || len(cc.Collections) == 0 {
			continue
		}
		out[cc.Name] = make(map[string][]string, len(cc.Collections))
		for _, c := range cc.Collections {
			orgs := slices.Clone(c.Members)
			slices.Sort(orgs)
			out[cc.Name][c.Name] = orgs
		}
	}
	return out
}
