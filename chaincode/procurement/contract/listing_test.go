package contract_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/procurement"
	"github.com/govledger/govledger/chaincode/procurement/contract"
)

func TestListingsArePaged(t *testing.T) {
	f := newFixture(t)
	for i := 1; i <= 5; i++ {
		f.submit(buyer, "CreateTender", nil, js(t, draft(fmt.Sprintf("T-%d", i))))
	}
	for _, id := range []string{"T-2", "T-4"} {
		f.submit(buyer, "PublishTender", nil, id)
	}
	f.submit(otherBuyer, "CreateTender", nil, js(t, func() procurement.TenderDraft {
		d := draft("H-1")
		d.Buyer.ID = ""
		return d
	}()))

	collect := func(fn, value, size string) ([]string, int) {
		var ids []string
		pages := 0
		bookmark := ""
		for {
			var p contract.TenderPage
			f.evaluate(auditor, fn, &p, value, size, bookmark)
			pages++
			require.Equal(t, len(p.Items), p.Count)
			for _, tn := range p.Items {
				ids = append(ids, tn.ID)
			}
			if p.Bookmark == "" {
				return ids, pages
			}
			bookmark = p.Bookmark
		}
	}
	tests := []struct {
		name  string
		fn    string
		value string
		size  string
		want  []string
		pages int
	}{
		{"pages through a buyer's tenders in id order", "ListTendersByBuyer", "MOF", "2",
			[]string{"T-1", "T-2", "T-3", "T-4", "T-5"}, 3},
		{"lists another agency's tenders apart", "ListTendersByBuyer", "MOH", "2", []string{"H-1"}, 1},
		{"lists tenders still in planning", "ListTendersByStatus", "planning", "10", []string{"H-1", "T-1", "T-3", "T-5"}, 1},
		{"lists published tenders, moved out of planning", "ListTendersByStatus", "active", "1", []string{"T-2", "T-4"}, 2},
		{"uses the default page size for 0", "ListTendersByStatus", "planning", "0", []string{"H-1", "T-1", "T-3", "T-5"}, 1},
		{"returns an empty page for an unknown buyer", "ListTendersByBuyer", "NOBODY", "5", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, pages := collect(tc.fn, tc.value, tc.size)
			require.Equal(t, tc.want, ids)
			require.Equal(t, tc.pages, pages)
		})
	}
}

func TestHistoryIsPaged(t *testing.T) {
	f := newFixture(t)
	d := draft("T-1")
	f.published(d)
	d.Buyer.ID = "MOF"
	for i := 0; i < 3; i++ {
		f.at(t0.Add(day * time.Duration(1+i)))
		d.Description = fmt.Sprintf("revision %d", i)
		f.submit(buyer, "AmendTender", nil, "T-1", js(t, d), "clarification")
	}
	var revisions []int64
	bookmark := ""
	for pages := 1; ; pages++ {
		var p contract.HistoryPage
		f.evaluate(regulator, "GetTenderHistory", &p, "T-1", "2", bookmark)
		for _, e := range p.Items {
			require.False(t, e.IsDelete)
			require.NotEmpty(t, e.TxID)
			require.Equal(t, e.Tender.UpdatedAt, e.Timestamp, "each state carries its transaction time")
			revisions = append(revisions, e.Tender.Revision)
		}
		if p.Bookmark == "" {
			require.Equal(t, 3, pages)
			break
		}
		bookmark = p.Bookmark
	}
	require.Equal(t, []int64{5, 4, 3, 2, 1}, revisions)

	t.Run("returns an empty page past the end", func(t *testing.T) {
		var p contract.HistoryPage
		f.evaluate(regulator, "GetTenderHistory", &p, "T-1", "2", "9")
		require.Empty(t, p.Items)
		require.Empty(t, p.Bookmark)
	})
}
