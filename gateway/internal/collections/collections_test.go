package collections_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/collections"
	"github.com/govledger/govledger/network/profile"
)

func TestFromProfile(t *testing.T) {
	p := &profile.Profile{Chaincodes: []profile.Chaincode{
		{Name: "noop"},
		{Name: "procurement", Collections: []profile.Collection{{Name: "bids", Members: []string{"ProcurementMSP", "AuditOfficeMSP"}}}},
		{Name: "health", Collections: []profile.Collection{{Name: "healthRecords", Members: []string{"PublicHealthMSP", "HospitalMSP"}}}},
	}}

	cases := []struct {
		name       string
		served     []string
		chaincode  string
		collection string
		want       []string
		found      bool
	}{
		{"returns a collection's members sorted", []string{"noop", "procurement", "health"}, "procurement", "bids", []string{"AuditOfficeMSP", "ProcurementMSP"}, true},
		{"finds collections of every served chaincode", []string{"procurement", "health"}, "health", "healthRecords", []string{"HospitalMSP", "PublicHealthMSP"}, true},
		{"knows no collection of a chaincode without any", []string{"noop", "procurement"}, "noop", "bids", nil, false},
		{"knows no collection the chaincode does not define", []string{"procurement"}, "procurement", "awards", nil, false},
		{"ignores chaincodes that are not served", []string{"noop"}, "procurement", "bids", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orgs, ok := collections.FromProfile(p, tc.served).Lookup(tc.chaincode, tc.collection)
			require.Equal(t, tc.found, ok)
			require.Equal(t, tc.want, orgs)
		})
	}

	t.Run("does not share the profile's member slices", func(t *testing.T) {
		m := collections.FromProfile(p, []string{"procurement"})
		orgs, _ := m.Lookup("procurement", "bids")
		orgs[0] = "changed"
		require.Equal(t, []string{"ProcurementMSP", "AuditOfficeMSP"}, p.Chaincodes[1].Collections[0].Members)
	})
}
