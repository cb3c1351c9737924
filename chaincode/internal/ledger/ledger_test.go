package ledger_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/internal/validate"
	"github.com/stretchr/testify/require"
)

type tender struct {
	ID     string         `json:"id"`
	Status string         `json:"status"`
	Meta   map[string]int `json:"meta,omitempty"`
}

var clerk = memstub.NewIdentity("AgencyMSP", "alice", map[string]string{"role": "clerk"})

func tx(l *memstub.Ledger) *memstub.Stub { return l.Begin(memstub.TxOptions{Creator: clerk}) }

func commit(t *testing.T, l *memstub.Ledger, fn func(s *memstub.Stub)) {
	t.Helper()
	s := tx(l)
	fn(s)
	require.NoError(t, s.Commit())
}

func key(t *testing.T, typ string, attrs ...string) string {
	t.Helper()
	k, err := ledger.Key(typ, attrs...)
	require.NoError(t, err)
	return k
}

func requireKeyErr(t *testing.T, err error, k string, target error) {
	t.Helper()
	var ke *ledger.KeyError
	require.ErrorAs(t, err, &ke)
	require.Equal(t, k, ke.Key)
	require.ErrorIs(t, err, target)
}

func TestCRUD(t *testing.T) {
	k := "\x00tender\x00T-1\x00"
	t.Run("Create then Get round-trips the value", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, ledger.Create(s, k, tender{ID: "T-1", Status: "open"}))
		})
		got, err := ledger.Get[tender](tx(l), k)
		require.NoError(t, err)
		require.Equal(t, tender{ID: "T-1", Status: "open"}, got)
		ok, err := ledger.Exists(tx(l), k)
		require.NoError(t, err)
		require.True(t, ok)
	})
	t.Run("Create refuses an existing key with ALREADY_EXISTS", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, ledger.Put(s, k, tender{ID: "T-1"})) })
		err := ledger.Create(tx(l), k, tender{ID: "T-1"})
		requireKeyErr(t, err, k, ledger.ErrExists)
		require.ErrorIs(t, err, ccerror.ErrAlreadyExists)
		require.EqualError(t, err, "tender/T-1: already exists")
	})
	t.Run("Get of a missing key is NOT_FOUND naming the key", func(t *testing.T) {
		_, err := ledger.Get[tender](tx(memstub.NewLedger(memstub.Config{})), k)
		requireKeyErr(t, err, k, ledger.ErrNotFound)
		var ce *ccerror.Error
		require.ErrorAs(t, ccerror.From(err), &ce)
		require.Equal(t, ccerror.NotFound, ce.Code)
	})
	t.Run("Get of a corrupt value is an internal error", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState(k, []byte("{not json"))) })
		_, err := ledger.Get[tender](tx(l), k)
		require.Error(t, err)
		require.NotErrorIs(t, err, ledger.ErrNotFound)
		var ce *ccerror.Error
		require.ErrorAs(t, ccerror.From(err), &ce)
		require.Equal(t, ccerror.Internal, ce.Code)
	})
	t.Run("Delete removes a value and refuses a missing one", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, ledger.Put(s, k, tender{ID: "T-1"})) })
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, ledger.Delete(s, k)) })
		require.Nil(t, l.State(k))
		requireKeyErr(t, ledger.Delete(tx(l), k), k, ledger.ErrNotFound)
	})
	t.Run("Put refuses values that encode to null or not at all", func(t *testing.T) {
		s := tx(memstub.NewLedger(memstub.Config{}))
		var nilPtr *tender
		require.ErrorContains(t, ledger.Put(s, k, nilPtr), "null")
		require.ErrorContains(t, ledger.Put(s, k, make(chan int)), "encode")
	})
	t.Run("encodes maps with sorted keys so every endorser writes the same bytes", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, ledger.Put(s, k, tender{ID: "T", Meta: map[string]int{"z": 1, "a": 2, "m": 3}}))
		})
		require.Equal(t, `{"id":"T","status":"","meta":{"a":2,"m":3,"z":1}}`, string(l.State(k)))
	})
	t.Run("ledger failures are wrapped with the key", func(t *testing.T) {
		s := tx(memstub.NewLedger(memstub.Config{}))
		require.NoError(t, s.Commit())
		_, err := ledger.Get[tender](s, k)
		requireKeyErr(t, err, k, memstub.ErrDone)
		_, err = ledger.Exists(s, k)
		requireKeyErr(t, err, k, memstub.ErrDone)
		requireKeyErr(t, ledger.Put(s, k, tender{}), k, memstub.ErrDone)
		requireKeyErr(t, ledger.Create(s, k, tender{}), k, memstub.ErrDone)
		requireKeyErr(t, ledger.Delete(s, k), k, memstub.ErrDone)
		_, err = ledger.GetPrivate[tender](s, "c", k)
		requireKeyErr(t, err, k, memstub.ErrDone)
		_, err = ledger.PrivateHash(s, "c", k)
		requireKeyErr(t, err, k, memstub.ErrDone)
	})
}

func TestPrivate(t *testing.T) {
	const coll = "bids"
	newLedger := func() *memstub.Ledger {
		l := memstub.NewLedger(memstub.Config{})
		l.DefineCollection(memstub.Collection{Name: coll, Members: []string{"AgencyMSP"}, MemberOnlyRead: true, MemberOnlyWrite: true})
		return l
	}
	t.Run("round-trips a private value and exposes its hash", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, ledger.PutPrivate(s, coll, "b1", tender{ID: "b1"})) })
		got, err := ledger.GetPrivate[tender](tx(l), coll, "b1")
		require.NoError(t, err)
		require.Equal(t, "b1", got.ID)
		h, err := ledger.PrivateHash(tx(l), coll, "b1")
		require.NoError(t, err)
		want := sha256.Sum256(l.PrivateData(coll, "b1"))
		require.Equal(t, want[:], h)
	})
	t.Run("a missing private value or hash is NOT_FOUND", func(t *testing.T) {
		l := newLedger()
		_, err := ledger.GetPrivate[tender](tx(l), coll, "none")
		requireKeyErr(t, err, "none", ledger.ErrNotFound)
		_, err = ledger.PrivateHash(tx(l), coll, "none")
		requireKeyErr(t, err, "none", ledger.ErrNotFound)
	})
	t.Run("a non-member's read fails and is not NOT_FOUND", func(t *testing.T) {
		l := newLedger()
		outsider := memstub.NewIdentity("SupplierMSP", "bob", nil)
		_, err := ledger.GetPrivate[tender](l.Begin(memstub.TxOptions{Creator: outsider}), coll, "b1")
		require.ErrorContains(t, err, "read access")
		require.NotErrorIs(t, err, ledger.ErrNotFound)
	})
	t.Run("DeletePrivate removes the value", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, ledger.PutPrivate(s, coll, "b1", tender{ID: "b1"})) })
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, ledger.DeletePrivate(s, coll, "b1")) })
		require.Nil(t, l.PrivateData(coll, "b1"))
	})
	t.Run("write failures name the key", func(t *testing.T) {
		s := tx(newLedger())
		var ke *ledger.KeyError
		require.ErrorAs(t, ledger.PutPrivate(s, "nope", "k", tender{}), &ke)
		require.Equal(t, "k", ke.Key)
		require.ErrorContains(t, ke, "not defined")
		require.Error(t, ledger.PutPrivate(s, coll, "k", make(chan int)))
		require.ErrorContains(t, ledger.DeletePrivate(s, "nope", "k"), "not defined")
		_, err := ledger.GetPrivate[tender](s, "nope", "k")
		require.ErrorContains(t, err, "not defined")
	})
	t.Run("a corrupt private value is an internal error", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutPrivateData(coll, "b1", []byte("{"))) })
		_, err := ledger.GetPrivate[tender](tx(l), coll, "b1")
		require.ErrorContains(t, err, "decode")
	})
}

func TestKeys(t *testing.T) {
	t.Run("builds Fabric composite keys and splits them back", func(t *testing.T) {
		k := key(t, "bid", "T-1", "Łódź")
		require.Equal(t, "\x00bid\x00T-1\x00Łódź\x00", k)
		typ, attrs, err := ledger.SplitKey(k)
		require.NoError(t, err)
		require.Equal(t, "bid", typ)
		require.Equal(t, []string{"T-1", "Łódź"}, attrs)
		require.Equal(t, "bid/T-1/Łódź", ledger.DisplayKey(k))
	})
	t.Run("rejects bad keys as INVALID_ARGUMENT", func(t *testing.T) {
		for _, bad := range [][]string{{""}, {"t", "a\x00"}, {"t", "\U0010FFFF"}, {"t", "\xff"}} {
			_, err := ledger.Key(bad[0], bad[1:]...)
			require.ErrorIs(t, err, ledger.ErrInvalidKey)
			require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
		}
	})
	t.Run("refuses to split simple keys and quotes them for display", func(t *testing.T) {
		for _, k := range []string{"", "plain", "\x00", "\x00open"} {
			_, _, err := ledger.SplitKey(k)
			require.ErrorIs(t, err, ledger.ErrInvalidKey)
		}
		require.Equal(t, `"plain\x00"`, ledger.DisplayKey("plain\x00"))
	})
}

func TestNow(t *testing.T) {
	t.Run("is the transaction timestamp in UTC", func(t *testing.T) {
		at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
		got, err := ledger.Now(memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{Time: at}))
		require.NoError(t, err)
		require.True(t, at.Equal(got))
		require.Equal(t, time.UTC, got.Location())
	})
	t.Run("rejects a timestamp out of protobuf range", func(t *testing.T) {
		_, err := ledger.Now(memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}))
		require.Error(t, err)
	})
}

var byStatus = ledger.Index{Name: "tender~status~id", Attrs: []string{"status", "id"}}

func primary(v []string) (string, error) { return ledger.Key("tender", v[1]) }

// seed stores n tenders T-00..T-(n-1) with status open (even) or closed
// (odd), each indexed by status.
func seed(t *testing.T, n int) *memstub.Ledger {
	t.Helper()
	l := memstub.NewLedger(memstub.Config{})
	commit(t, l, func(s *memstub.Stub) {
		for i := range n {
			te := tender{ID: fmt.Sprintf("T-%02d", i), Status: map[bool]string{true: "open", false: "closed"}[i%2 == 0]}
			require.NoError(t, ledger.Create(s, key(t, "tender", te.ID), te))
			require.NoError(t, byStatus.Put(s, te.Status, te.ID))
		}
		require.NoError(t, ledger.Put(s, "simple-a", tender{ID: "sa"}))
		require.NoError(t, ledger.Put(s, "simple-b", tender{ID: "sb"}))
	})
	return l
}

// collectAll walks every page and returns item IDs per page.
func collectAll(t *testing.T, size int32, list func(req ledger.PageRequest) (ledger.Page[tender], error)) [][]string {
	t.Helper()
	var pages [][]string
	req := ledger.PageRequest{Size: size}
	for range 20 {
		p, err := list(req)
		require.NoError(t, err)
		require.Equal(t, len(p.Items), p.Count)
		var ids []string
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		pages = append(pages, ids)
		if p.Bookmark == "" {
			return pages
		}
		req.Bookmark = p.Bookmark
	}
	t.Fatal("listing did not end")
	return nil
}

func TestList(t *testing.T) {
	l := seed(t, 45)
	list := func(req ledger.PageRequest) (ledger.Page[tender], error) {
		return ledger.List[tender](tx(l), "tender", nil, req)
	}
	t.Run("pages through every entity in key order with the default size", func(t *testing.T) {
		pages := collectAll(t, 0, list)
		require.Equal(t, []int{20, 20, 5}, []int{len(pages[0]), len(pages[1]), len(pages[2])})
		require.Equal(t, "T-00", pages[0][0])
		require.Equal(t, "T-20", pages[1][0])
		require.Equal(t, "T-44", pages[2][4])
	})
	t.Run("ends with an empty bookmark when the last page is exactly full", func(t *testing.T) {
		pages := collectAll(t, 15, list)
		require.Len(t, pages, 3)
	})
	t.Run("lists by a leading primary key attribute", func(t *testing.T) {
		p, err := ledger.List[tender](tx(l), "tender", []string{"T-07"}, ledger.PageRequest{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Count)
		require.Empty(t, p.Bookmark)
	})
	t.Run("returns an empty list, not null, when nothing matches", func(t *testing.T) {
		p, err := ledger.List[tender](tx(l), "nothing", nil, ledger.PageRequest{})
		require.NoError(t, err)
		b, err := json.Marshal(p)
		require.NoError(t, err)
		require.JSONEq(t, `{"items":[],"bookmark":"","count":0}`, string(b))
	})
	t.Run("bookmarks are URL-safe", func(t *testing.T) {
		p, err := list(ledger.PageRequest{Size: 1})
		require.NoError(t, err)
		require.Regexp(t, `^[A-Za-z0-9_-]+$`, p.Bookmark)
	})
	t.Run("rejects a bad key type", func(t *testing.T) {
		_, err := ledger.List[tender](tx(l), "", nil, ledger.PageRequest{})
		require.ErrorIs(t, err, ledger.ErrInvalidKey)
	})
}

func TestPageRequestValidation(t *testing.T) {
	l := seed(t, 3)
	first, err := ledger.List[tender](tx(l), "tender", nil, ledger.PageRequest{Size: 1})
	require.NoError(t, err)
	otherListing, err := ledger.ListIndex[tender](tx(l), byStatus, nil, ledger.PageRequest{Size: 1}, primary)
	require.NoError(t, err)
	tests := []struct {
		name  string
		req   ledger.PageRequest
		field string
		rule  string
	}{
		{"rejects a negative size", ledger.PageRequest{Size: -1}, "page.size", validate.RuleRange},
		{"rejects a size above the maximum", ledger.PageRequest{Size: ledger.MaxPageSize + 1}, "page.size", validate.RuleRange},
		{"rejects a bookmark that is not base64url", ledger.PageRequest{Bookmark: "not/base64!"}, "page.bookmark", validate.RuleBookmark},
		{"rejects a bookmark from another listing", ledger.PageRequest{Bookmark: otherListing.Bookmark}, "page.bookmark", validate.RuleBookmark},
		{"rejects a forged bookmark before the range", ledger.PageRequest{Bookmark: base64.RawURLEncoding.EncodeToString([]byte("\x00a"))}, "page.bookmark", validate.RuleBookmark},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ledger.List[tender](tx(l), "tender", nil, tc.req)
			var fe *validate.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
			require.Equal(t, tc.rule, fe.Rule)
			require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
		})
	}
	t.Run("accepts the maximum size and its own bookmark", func(t *testing.T) {
		_, err := ledger.List[tender](tx(l), "tender", nil, ledger.PageRequest{Size: ledger.MaxPageSize, Bookmark: first.Bookmark})
		require.NoError(t, err)
	})
}

func TestListIndex(t *testing.T) {
	l := seed(t, 45)
	t.Run("lists entities under an index prefix in index order", func(t *testing.T) {
		pages := collectAll(t, 10, func(req ledger.PageRequest) (ledger.Page[tender], error) {
			return ledger.ListIndex[tender](tx(l), byStatus, []string{"closed"}, req, primary)
		})
		var all []string
		for _, p := range pages {
			all = append(all, p...)
		}
		require.Len(t, all, 22)
		require.Equal(t, "T-01", all[0])
		require.Equal(t, "T-43", all[21])
	})
	t.Run("lists the whole index with an empty prefix", func(t *testing.T) {
		p, err := ledger.ListIndex[tender](tx(l), byStatus, nil, ledger.PageRequest{Size: 100}, primary)
		require.NoError(t, err)
		require.Equal(t, 45, p.Count)
	})
	t.Run("rejects a prefix longer than the index", func(t *testing.T) {
		_, err := ledger.ListIndex[tender](tx(l), byStatus, []string{"a", "b", "c"}, ledger.PageRequest{}, primary)
		require.Error(t, err)
		_, err = ledger.ListIndex[tender](tx(l), byStatus, []string{"a\x00"}, ledger.PageRequest{}, primary)
		require.ErrorIs(t, err, ledger.ErrInvalidKey)
	})
	t.Run("reports a dangling entry as a contract bug, not NOT_FOUND", func(t *testing.T) {
		l := seed(t, 1)
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, byStatus.Put(s, "open", "ghost")) })
		_, err := ledger.ListIndex[tender](tx(l), byStatus, []string{"open"}, ledger.PageRequest{}, primary)
		require.ErrorContains(t, err, "tender~status~id/open/ghost")
		require.NotErrorIs(t, err, ccerror.ErrNotFound)
	})
	t.Run("reports a primary key function failure", func(t *testing.T) {
		_, err := ledger.ListIndex[tender](tx(l), byStatus, nil, ledger.PageRequest{},
			func([]string) (string, error) { return "", errors.New("boom") })
		require.ErrorContains(t, err, "boom")
	})
	t.Run("a listing transaction may not write, as on a peer", func(t *testing.T) {
		s := tx(l)
		_, err := ledger.ListIndex[tender](s, byStatus, nil, ledger.PageRequest{}, primary)
		require.NoError(t, err)
		require.ErrorContains(t, ledger.Put(s, "x", tender{}), "paginated")
	})
	t.Run("a transaction that wrote may not list", func(t *testing.T) {
		s := tx(l)
		require.NoError(t, ledger.Put(s, "x", tender{}))
		_, err := ledger.List[tender](s, "tender", nil, ledger.PageRequest{})
		require.ErrorContains(t, err, "read-only")
	})
}

func TestIndex(t *testing.T) {
	t.Run("Move re-files an entry and leaves equal values alone", func(t *testing.T) {
		l := seed(t, 1)
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, byStatus.Move(s, []string{"open", "T-00"}, []string{"awarded", "T-00"}))
		})
		open := key(t, "tender~status~id", "open", "T-00")
		awarded := key(t, "tender~status~id", "awarded", "T-00")
		require.Nil(t, l.State(open))
		require.Equal(t, []byte{0}, l.State(awarded))
		s := tx(l)
		require.NoError(t, byStatus.Move(s, []string{"awarded", "T-00"}, []string{"awarded", "T-00"}))
		_, err := ledger.ListIndex[tender](s, byStatus, nil, ledger.PageRequest{}, primary)
		require.NoError(t, err, "an unchanged entry must not count as a write")
	})
	t.Run("Delete removes an entry and tolerates a missing one", func(t *testing.T) {
		l := seed(t, 1)
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, byStatus.Delete(s, "open", "T-00"))
			require.NoError(t, byStatus.Delete(s, "open", "nope"))
		})
		require.Nil(t, l.State(key(t, "tender~status~id", "open", "T-00")))
	})
	t.Run("refuses the wrong number of values", func(t *testing.T) {
		s := tx(memstub.NewLedger(memstub.Config{}))
		require.ErrorContains(t, byStatus.Put(s, "open"), "takes 2 values")
		require.Error(t, byStatus.Delete(s, "open"))
		require.Error(t, byStatus.Move(s, []string{"a", "b"}, []string{"c"}))
		require.Error(t, byStatus.Move(s, []string{"a"}, []string{"c", "d"}))
	})
	t.Run("reports ledger failures with the entry key", func(t *testing.T) {
		s := tx(memstub.NewLedger(memstub.Config{}))
		require.NoError(t, s.Commit())
		require.ErrorIs(t, byStatus.Put(s, "a", "b"), memstub.ErrDone)
		require.ErrorIs(t, byStatus.Delete(s, "a", "b"), memstub.ErrDone)
	})
}

func TestListRange(t *testing.T) {
	l := seed(t, 2)
	t.Run("lists simple keys only", func(t *testing.T) {
		p, err := ledger.ListRange[tender](tx(l), "", "", ledger.PageRequest{Size: 1})
		require.NoError(t, err)
		require.Equal(t, []tender{{ID: "sa"}}, p.Items)
		p, err = ledger.ListRange[tender](tx(l), "", "", ledger.PageRequest{Size: 1, Bookmark: p.Bookmark})
		require.NoError(t, err)
		require.Equal(t, []tender{{ID: "sb"}}, p.Items)
		require.Empty(t, p.Bookmark)
	})
	t.Run("rejects a bookmark past the end", func(t *testing.T) {
		_, err := ledger.ListRange[tender](tx(l), "a", "m", ledger.PageRequest{Bookmark: base64.RawURLEncoding.EncodeToString([]byte("z"))})
		require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
	})
	t.Run("wraps query failures", func(t *testing.T) {
		_, err := ledger.ListRange[tender](tx(l), "\x00", "", ledger.PageRequest{})
		require.ErrorContains(t, err, "paged query")
	})
	t.Run("reports a corrupt value with its key", func(t *testing.T) {
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("simple-c", []byte("{"))) })
		_, err := ledger.ListRange[tender](tx(l), "simple-c", "", ledger.PageRequest{})
		var ke *ledger.KeyError
		require.ErrorAs(t, err, &ke)
		require.Equal(t, "simple-c", ke.Key)
	})
}
