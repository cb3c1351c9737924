package memstub_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
)

var (
	agency   = memstub.NewIdentity("AgencyMSP", "alice", map[string]string{"role": "clerk", "agency": "health"})
	supplier = memstub.NewIdentity("SupplierMSP", "bob", map[string]string{"role": "bidder", "supplierId": "S-1"})
)

// commit runs fn in a new transaction and commits it.
func commit(t *testing.T, l *memstub.Ledger, fn func(s *memstub.Stub)) {
	t.Helper()
	s := l.Begin(memstub.TxOptions{Creator: agency})
	fn(s)
	require.NoError(t, s.Commit())
}

func keys(t *testing.T, it shim.StateQueryIteratorInterface) []string {
	t.Helper()
	defer it.Close()
	var out []string
	for it.HasNext() {
		kv, err := it.Next()
		require.NoError(t, err)
		out = append(out, kv.GetKey())
	}
	_, err := it.Next()
	require.Error(t, err, "Next past the end must fail, not panic")
	return out
}

func TestIdentity(t *testing.T) {
	t.Run("cid reads MSP ID, attributes and ID as on a peer", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{Creator: agency})
		id, err := cid.New(s)
		require.NoError(t, err)
		msp, err := id.GetMSPID()
		require.NoError(t, err)
		require.Equal(t, "AgencyMSP", msp)
		role, found, err := id.GetAttributeValue("role")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, "clerk", role)
		require.NoError(t, id.AssertAttributeValue("agency", "health"))
		uid, err := id.GetID()
		require.NoError(t, err)
		raw, err := base64.StdEncoding.DecodeString(uid)
		require.NoError(t, err)
		require.Equal(t, "x509::CN=alice,OU=client::CN=ca.AgencyMSP,O=AgencyMSP", string(raw))
	})
	t.Run("certificates are ECDSA P-256 and share one issuer per MSP", func(t *testing.T) {
		other := memstub.NewIdentity("AgencyMSP", "dave", nil)
		require.Equal(t, agency.Cert.RawIssuer, other.Cert.RawIssuer)
		require.NotEqual(t, agency.Cert.RawIssuer, supplier.Cert.RawIssuer)
		require.Equal(t, x509.ECDSA, agency.Cert.PublicKeyAlgorithm)
		require.Equal(t, "P-256", agency.Key.Curve.Params().Name)
		require.Equal(t, agency.Cert.PublicKey, agency.Key.Public())
		require.Contains(t, string(agency.CertPEM), "BEGIN CERTIFICATE")
	})
	t.Run("the zero identity has no creator", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		c, err := s.GetCreator()
		require.NoError(t, err)
		require.Nil(t, c)
		_, err = cid.New(s)
		require.Error(t, err)
	})
}

func TestState(t *testing.T) {
	t.Run("writes are not visible to reads in the same transaction", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		s := l.Begin(memstub.TxOptions{Creator: agency})
		require.NoError(t, s.PutState("k", []byte("v1")))
		v, err := s.GetState("k")
		require.NoError(t, err)
		require.Nil(t, v)
		require.NoError(t, s.Commit())
		require.Equal(t, []byte("v1"), l.State("k"))

		s = l.Begin(memstub.TxOptions{})
		require.NoError(t, s.DelState("k"))
		v, err = s.GetState("k")
		require.NoError(t, err)
		require.Equal(t, []byte("v1"), v, "a buffered delete hides nothing")
	})
	t.Run("an uncommitted transaction leaves no trace", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		s := l.Begin(memstub.TxOptions{})
		require.NoError(t, s.PutState("k", []byte("v")))
		require.Nil(t, l.State("k"))
		require.Zero(t, l.Height())
	})
	t.Run("an empty value is a delete, as in Fabric's write set", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("k", []byte("v"))) })
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("k", nil)) })
		require.Nil(t, l.State("k"))
	})
	t.Run("the last write to a key in a transaction wins", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, s.PutState("k", []byte("a")))
			require.NoError(t, s.PutState("k", []byte("b")))
		})
		require.Equal(t, []byte("b"), l.State("k"))
	})
	t.Run("rejects keys the shim could not send", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		require.Error(t, s.PutState("", []byte("v")))
		require.Error(t, s.PutState("\xff", []byte("v")))
		_, err := s.GetState("\xff")
		require.Error(t, err)
	})
	t.Run("stored values are copies", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		v := []byte("abc")
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("k", v)) })
		v[0] = 'X'
		got, err := l.Begin(memstub.TxOptions{}).GetState("k")
		require.NoError(t, err)
		got[1] = 'Y'
		require.Equal(t, []byte("abc"), l.State("k"))
	})
	t.Run("GetMultipleStates keeps order and reports misses as nil", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("a", []byte("1"))) })
		s := l.Begin(memstub.TxOptions{})
		vs, err := s.GetMultipleStates("missing", "a")
		require.NoError(t, err)
		require.Equal(t, [][]byte{nil, []byte("1")}, vs)
		vs, err = s.GetMultipleStates()
		require.NoError(t, err)
		require.Nil(t, vs)
	})
	t.Run("a committed transaction cannot be used again", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		s := l.Begin(memstub.TxOptions{})
		require.NoError(t, s.Commit())
		require.ErrorIs(t, s.Commit(), memstub.ErrDone)
		require.ErrorIs(t, s.PutState("k", []byte("v")), memstub.ErrDone)
		_, err := s.GetState("k")
		require.ErrorIs(t, err, memstub.ErrDone)
		_, err = s.GetStateByRange("", "")
		require.ErrorIs(t, err, memstub.ErrDone)
		_, err = s.GetHistoryForKey("k")
		require.ErrorIs(t, err, memstub.ErrDone)
	})
}

func TestMVCC(t *testing.T) {
	t.Run("a key changed since it was read fails the commit", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("k", []byte("0"))) })
		a := l.Begin(memstub.TxOptions{})
		b := l.Begin(memstub.TxOptions{})
		for _, s := range []*memstub.Stub{a, b} {
			_, err := s.GetState("k")
			require.NoError(t, err)
			require.NoError(t, s.PutState("k", []byte(s.GetTxID())))
		}
		require.NoError(t, a.Commit())
		require.ErrorIs(t, b.Commit(), memstub.ErrMVCCConflict)
		require.Equal(t, []byte(a.GetTxID()), l.State("k"))
	})
	t.Run("a key created since a read found it absent fails the commit", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		a := l.Begin(memstub.TxOptions{})
		_, err := a.GetState("k")
		require.NoError(t, err)
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("k", []byte("x"))) })
		require.NoError(t, a.PutState("k", []byte("y")))
		require.ErrorIs(t, a.Commit(), memstub.ErrMVCCConflict)
	})
	t.Run("a key inserted into a range read since fails the commit (phantom)", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("a", []byte("1"))) })
		a := l.Begin(memstub.TxOptions{})
		it, err := a.GetStateByRange("a", "c")
		require.NoError(t, err)
		require.Equal(t, []string{"a"}, keys(t, it))
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("b", []byte("2"))) })
		require.NoError(t, a.PutState("z", []byte("x")))
		require.ErrorIs(t, a.Commit(), memstub.ErrMVCCConflict)
	})
	t.Run("a change beyond a page's last key does not conflict", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) {
			for _, k := range []string{"a", "b", "c"} {
				require.NoError(t, s.PutState(k, []byte(k)))
			}
		})
		a := l.Begin(memstub.TxOptions{})
		it, _, err := a.GetStateByRangeWithPagination("", "", 1, "")
		require.NoError(t, err)
		require.Equal(t, []string{"a"}, keys(t, it))
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutState("c", []byte("changed"))) })
		require.NoError(t, a.Commit())
	})
	t.Run("a private key changed since it was read fails the commit", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		coll := "_implicit_org_AgencyMSP"
		a := l.Begin(memstub.TxOptions{Creator: agency})
		_, err := a.GetPrivateData(coll, "k")
		require.NoError(t, err)
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutPrivateData(coll, "k", []byte("x"))) })
		require.ErrorIs(t, a.Commit(), memstub.ErrMVCCConflict)
	})
}

func TestHistory(t *testing.T) {
	t.Run("lists committed changes newest first with tx IDs, times and deletes", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		t0 := l.Now()
		var ids []string
		for i, op := range []string{"v1", "v2", ""} {
			s := l.Begin(memstub.TxOptions{Time: t0.Add(time.Duration(i) * time.Hour)})
			if op == "" {
				require.NoError(t, s.DelState("k"))
			} else {
				require.NoError(t, s.PutState("k", []byte(op)))
			}
			require.NoError(t, s.Commit())
			ids = append(ids, s.GetTxID())
		}
		uncommitted := l.Begin(memstub.TxOptions{})
		require.NoError(t, uncommitted.PutState("k", []byte("v3")))

		it, err := l.Begin(memstub.TxOptions{}).GetHistoryForKey("k")
		require.NoError(t, err)
		defer it.Close()
		type mod struct {
			tx  string
			val string
			at  time.Time
			del bool
		}
		var got []mod
		for it.HasNext() {
			m, err := it.Next()
			require.NoError(t, err)
			got = append(got, mod{m.GetTxId(), string(m.GetValue()), m.GetTimestamp().AsTime(), m.GetIsDelete()})
		}
		require.Equal(t, []mod{
			{ids[2], "", t0.Add(2 * time.Hour), true},
			{ids[1], "v2", t0.Add(time.Hour), false},
			{ids[0], "v1", t0, false},
		}, got)
		_, err = it.Next()
		require.Error(t, err)
	})
	t.Run("a key never written has no history", func(t *testing.T) {
		it, err := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{}).GetHistoryForKey("none")
		require.NoError(t, err)
		require.False(t, it.HasNext())
	})
}

func TestCompositeKeys(t *testing.T) {
	s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
	tests := []struct {
		name  string
		typ   string
		attrs []string
		want  string
	}{
		{"encodes ASCII like Fabric", "tender", []string{"T-1"}, "\x00tender\x00T-1\x00"},
		{"encodes unicode attributes verbatim", "bid", []string{"Łódź", "東京", "🚑"}, "\x00bid\x00Łódź\x00東京\x00🚑\x00"},
		{"encodes an empty attribute list", "tender", nil, "\x00tender\x00"},
		{"encodes empty attributes", "x", []string{"", ""}, "\x00x\x00\x00\x00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := s.CreateCompositeKey(tc.typ, tc.attrs)
			require.NoError(t, err)
			require.Equal(t, tc.want, k)
			typ, attrs, err := s.SplitCompositeKey(k)
			require.NoError(t, err)
			require.Equal(t, tc.typ, typ)
			if len(tc.attrs) == 0 {
				require.Empty(t, attrs)
			} else {
				require.Equal(t, tc.attrs, attrs)
			}
		})
	}
	t.Run("rejects U+0000, U+10FFFF and invalid UTF-8 in attributes", func(t *testing.T) {
		for _, bad := range []string{"a\x00b", "a\U0010FFFFb", "\xff"} {
			_, err := s.CreateCompositeKey("t", []string{bad})
			require.Error(t, err)
			_, err = s.CreateCompositeKey(bad, nil)
			require.Error(t, err)
		}
	})
	t.Run("refuses to split a key that is not composite instead of panicking", func(t *testing.T) {
		for _, bad := range []string{"", "abc", "\x00", "\x00abc"} {
			_, _, err := s.SplitCompositeKey(bad)
			require.Error(t, err, "%q", bad)
		}
	})
	t.Run("partial key queries return matching keys in byte order", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) {
			for _, a := range [][]string{{"T1", "b"}, {"T1", "a"}, {"T1", "é"}, {"T1", "🚑"}, {"T10", "a"}, {"T2", "a"}} {
				k, err := s.CreateCompositeKey("bid", a)
				require.NoError(t, err)
				require.NoError(t, s.PutState(k, []byte("x")))
			}
			k, err := s.CreateCompositeKey("bids", []string{"T1"})
			require.NoError(t, err)
			require.NoError(t, s.PutState(k, []byte("other type")))
			require.NoError(t, s.PutState("simple", []byte("x")))
		})
		s := l.Begin(memstub.TxOptions{})
		it, err := s.GetStateByPartialCompositeKey("bid", []string{"T1"})
		require.NoError(t, err)
		got := keys(t, it)
		var attrs []string
		for _, k := range got {
			_, a, err := s.SplitCompositeKey(k)
			require.NoError(t, err)
			attrs = append(attrs, strings.Join(a, "/"))
		}
		require.Equal(t, []string{"T1/a", "T1/b", "T1/é", "T1/🚑"}, attrs, "T10 must not match prefix T1")

		it, err = s.GetStateByPartialCompositeKey("bid", nil)
		require.NoError(t, err)
		require.Len(t, keys(t, it), 6)
		_, err = s.GetStateByPartialCompositeKey("bid", []string{"\x00"})
		require.Error(t, err)
	})
}

func TestRangeQueries(t *testing.T) {
	l := memstub.NewLedger(memstub.Config{})
	commit(t, l, func(s *memstub.Stub) {
		for _, k := range []string{"b", "a", "c", "d"} {
			require.NoError(t, s.PutState(k, []byte(k)))
		}
		ck, err := s.CreateCompositeKey("t", []string{"x"})
		require.NoError(t, err)
		require.NoError(t, s.PutState(ck, []byte("composite")))
	})
	tests := []struct {
		name       string
		start, end string
		want       []string
	}{
		{"returns [start, end) in order", "b", "d", []string{"b", "c"}},
		{"treats an empty end as unbounded", "b", "", []string{"b", "c", "d"}},
		{"skips composite keys when start is empty", "", "", []string{"a", "b", "c", "d"}},
		{"returns nothing for an empty range", "c", "c", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it, err := l.Begin(memstub.TxOptions{}).GetStateByRange(tc.start, tc.end)
			require.NoError(t, err)
			require.Equal(t, tc.want, keys(t, it))
		})
	}
	t.Run("refuses simple-key ranges into the composite namespace", func(t *testing.T) {
		s := l.Begin(memstub.TxOptions{})
		_, err := s.GetStateByRange("\x00t", "")
		require.Error(t, err)
		_, _, err = s.GetStateByRangeWithPagination("a", "\x00", 1, "")
		require.Error(t, err)
	})
}

func TestPagination(t *testing.T) {
	l := memstub.NewLedger(memstub.Config{})
	all := []string{"k0", "k1", "k2", "k3", "k4"}
	commit(t, l, func(s *memstub.Stub) {
		for _, k := range all {
			require.NoError(t, s.PutState(k, []byte(k)))
			ck, err := s.CreateCompositeKey("item", []string{k})
			require.NoError(t, err)
			require.NoError(t, s.PutState(ck, []byte(k)))
		}
	})
	pages := func(t *testing.T, size int32, query func(s *memstub.Stub, size int32, bm string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error)) ([][]string, []string) {
		t.Helper()
		var got [][]string
		var bookmarks []string
		bm := ""
		for range 10 {
			it, meta, err := query(l.Begin(memstub.TxOptions{}), size, bm)
			require.NoError(t, err)
			page := keys(t, it)
			require.EqualValues(t, len(page), meta.GetFetchedRecordsCount())
			got = append(got, page)
			bookmarks = append(bookmarks, meta.GetBookmark())
			if bm = meta.GetBookmark(); bm == "" {
				return got, bookmarks
			}
		}
		t.Fatal("pagination did not end")
		return nil, nil
	}
	byRange := func(s *memstub.Stub, size int32, bm string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
		return s.GetStateByRangeWithPagination("", "", size, bm)
	}
	tests := []struct {
		name      string
		size      int32
		want      [][]string
		bookmarks []string
	}{
		{"bookmarks the next key and ends with an empty one", 2, [][]string{{"k0", "k1"}, {"k2", "k3"}, {"k4"}}, []string{"k2", "k4", ""}},
		{"returns an empty bookmark when the last page is exactly full", 5, [][]string{all}, []string{""}},
		{"returns everything when the page is larger than the range", 50, [][]string{all}, []string{""}},
		{"pages one key at a time", 1, [][]string{{"k0"}, {"k1"}, {"k2"}, {"k3"}, {"k4"}}, []string{"k1", "k2", "k3", "k4", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, bms := pages(t, tc.size, byRange)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.bookmarks, bms)
		})
	}
	t.Run("pages partial composite keys with composite bookmarks", func(t *testing.T) {
		got, bms := pages(t, 3, func(s *memstub.Stub, size int32, bm string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
			return s.GetStateByPartialCompositeKeyWithPagination("item", nil, size, bm)
		})
		require.Len(t, got, 2)
		require.Len(t, got[0], 3)
		require.Len(t, got[1], 2)
		require.Equal(t, "\x00item\x00k3\x00", bms[0])
	})
	t.Run("pages all composite keys", func(t *testing.T) {
		got, _ := pages(t, 4, func(s *memstub.Stub, size int32, bm string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
			return s.GetAllStatesCompositeKeyWithPagination(size, bm)
		})
		require.Equal(t, []int{4, 1}, []int{len(got[0]), len(got[1])})
	})
	t.Run("reads everything from the bookmark when page size is zero", func(t *testing.T) {
		it, meta, err := l.Begin(memstub.TxOptions{}).GetStateByRangeWithPagination("", "", 0, "k3")
		require.NoError(t, err)
		require.Equal(t, []string{"k3", "k4"}, keys(t, it))
		require.Empty(t, meta.GetBookmark())
	})
	t.Run("a paginated transaction may not write", func(t *testing.T) {
		s := l.Begin(memstub.TxOptions{})
		_, _, err := s.GetStateByRangeWithPagination("", "", 2, "")
		require.NoError(t, err)
		require.ErrorContains(t, s.PutState("x", []byte("y")), "paginated query")
		require.ErrorContains(t, s.DelState("x"), "paginated query")
		require.ErrorContains(t, s.SetStateValidationParameter("x", []byte("ep")), "paginated query")
	})
	t.Run("a transaction that wrote may not paginate", func(t *testing.T) {
		s := l.Begin(memstub.TxOptions{})
		require.NoError(t, s.PutState("x", []byte("y")))
		_, _, err := s.GetStateByPartialCompositeKeyWithPagination("item", nil, 2, "")
		require.ErrorContains(t, err, "read-only transaction")
	})
	t.Run("zero page size and no bookmark is not paginated, so writes are allowed", func(t *testing.T) {
		s := l.Begin(memstub.TxOptions{})
		it, meta, err := s.GetStateByRangeWithPagination("", "", 0, "")
		require.NoError(t, err)
		require.Equal(t, all, keys(t, it))
		require.Empty(t, meta.GetBookmark())
		require.NoError(t, s.PutState("x", []byte("y")))
	})
}

func TestPrivateData(t *testing.T) {
	const coll = "bids"
	newLedger := func() *memstub.Ledger {
		l := memstub.NewLedger(memstub.Config{})
		l.DefineCollection(memstub.Collection{Name: coll, Members: []string{"AgencyMSP"}, MemberOnlyRead: true, MemberOnlyWrite: true})
		l.DefineCollection(memstub.Collection{Name: "open", Members: []string{"AgencyMSP"}})
		return l
	}
	t.Run("members read and write; values and hashes are committed together", func(t *testing.T) {
		l := newLedger()
		s := l.Begin(memstub.TxOptions{Creator: agency})
		require.NoError(t, s.PutPrivateData(coll, "b1", []byte("secret")))
		v, err := s.GetPrivateData(coll, "b1")
		require.NoError(t, err)
		require.Nil(t, v, "private writes are not visible before commit either")
		require.NoError(t, s.Commit())
		require.Equal(t, []byte("secret"), l.PrivateData(coll, "b1"))

		s = l.Begin(memstub.TxOptions{Creator: agency})
		v, err = s.GetPrivateData(coll, "b1")
		require.NoError(t, err)
		require.Equal(t, []byte("secret"), v)
		vs, err := s.GetMultiplePrivateData(coll, "b1", "b2")
		require.NoError(t, err)
		require.Equal(t, [][]byte{[]byte("secret"), nil}, vs)
		want := sha256.Sum256([]byte("secret"))
		h, err := s.GetPrivateDataHash(coll, "b1")
		require.NoError(t, err)
		require.Equal(t, want[:], h)
	})
	t.Run("non-members are refused like on a peer, but may read hashes", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutPrivateData(coll, "b1", []byte("secret"))) })
		s := l.Begin(memstub.TxOptions{Creator: supplier})
		_, err := s.GetPrivateData(coll, "b1")
		require.ErrorContains(t, err, "does not have read access permission")
		require.ErrorContains(t, s.PutPrivateData(coll, "b2", []byte("x")), "does not have write access permission")
		require.ErrorContains(t, s.DelPrivateData(coll, "b1"), "write access")
		_, err = s.GetPrivateDataByRange(coll, "", "")
		require.ErrorContains(t, err, "read access")
		h, err := s.GetPrivateDataHash(coll, "b1")
		require.NoError(t, err)
		require.Len(t, h, sha256.Size)
	})
	t.Run("a collection without member-only flags admits everyone", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) { require.NoError(t, s.PutPrivateData("open", "k", []byte("v"))) })
		s := l.Begin(memstub.TxOptions{Creator: supplier})
		v, err := s.GetPrivateData("open", "k")
		require.NoError(t, err)
		require.Equal(t, []byte("v"), v)
		require.NoError(t, s.PutPrivateData("open", "k2", []byte("v")))
	})
	t.Run("implicit org collections admit only their organisation", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, s.PutPrivateData("_implicit_org_AgencyMSP", "k", []byte("v")))
		})
		_, err := l.Begin(memstub.TxOptions{Creator: supplier}).GetPrivateData("_implicit_org_AgencyMSP", "k")
		require.Error(t, err)
		_, err = l.Begin(memstub.TxOptions{Creator: agency}).GetPrivateData("_implicit_org_", "k")
		require.ErrorContains(t, err, "not defined")
	})
	t.Run("undefined and empty collection names fail", func(t *testing.T) {
		s := newLedger().Begin(memstub.TxOptions{Creator: agency})
		_, err := s.GetPrivateData("nope", "k")
		require.ErrorContains(t, err, "not defined")
		_, err = s.GetPrivateDataHash("nope", "k")
		require.ErrorContains(t, err, "not defined")
		require.ErrorContains(t, s.PutPrivateData("nope", "k", []byte("v")), "not defined")
		require.Error(t, s.PutPrivateData("", "k", []byte("v")))
		require.Error(t, s.PutPrivateData(coll, "", []byte("v")))
		require.Error(t, s.DelPrivateData("", "k"))
		require.Error(t, s.PurgePrivateData("", "k"))
		_, err = s.GetPrivateData("", "k")
		require.Error(t, err)
		_, err = s.GetPrivateDataHash("", "k")
		require.Error(t, err)
	})
	t.Run("delete and purge remove the value and its hash", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, s.PutPrivateData(coll, "a", []byte("1")))
			require.NoError(t, s.PutPrivateData(coll, "b", []byte("2")))
			require.NoError(t, s.SetPrivateDataValidationParameter(coll, "b", []byte("ep")))
		})
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, s.DelPrivateData(coll, "a"))
			require.NoError(t, s.PurgePrivateData(coll, "b"))
		})
		s := l.Begin(memstub.TxOptions{Creator: agency})
		for _, k := range []string{"a", "b"} {
			h, err := s.GetPrivateDataHash(coll, k)
			require.NoError(t, err)
			require.Nil(t, h)
			require.Nil(t, l.PrivateData(coll, k))
		}
		ep, err := s.GetPrivateDataValidationParameter(coll, "b")
		require.NoError(t, err)
		require.Nil(t, ep)
	})
	t.Run("private range queries are read-only", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) {
			for _, k := range []string{"b", "a"} {
				require.NoError(t, s.PutPrivateData(coll, k, []byte(k)))
			}
			ck, err := s.CreateCompositeKey("bid", []string{"T1", "x"})
			require.NoError(t, err)
			require.NoError(t, s.PutPrivateData(coll, ck, []byte("c")))
		})
		s := l.Begin(memstub.TxOptions{Creator: agency})
		it, err := s.GetPrivateDataByRange(coll, "", "")
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b"}, keys(t, it))
		it, err = s.GetPrivateDataByPartialCompositeKey(coll, "bid", []string{"T1"})
		require.NoError(t, err)
		require.Len(t, keys(t, it), 1)
		require.ErrorContains(t, s.PutState("k", []byte("v")), "queries on pvt data")

		s = l.Begin(memstub.TxOptions{Creator: agency})
		require.NoError(t, s.PutState("k", []byte("v")))
		_, err = s.GetPrivateDataByRange(coll, "", "")
		require.ErrorContains(t, err, "read-only")
		_, err = s.GetPrivateDataByRange(coll, "\x00", "")
		require.Error(t, err)
		_, err = s.GetPrivateDataByPartialCompositeKey(coll, "bid", []string{"\x00"})
		require.Error(t, err)
	})
	t.Run("validation parameters are stored per private key", func(t *testing.T) {
		l := newLedger()
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, s.SetPrivateDataValidationParameter(coll, "k", []byte("policy")))
			require.Error(t, s.SetPrivateDataValidationParameter("nope", "k", []byte("policy")))
		})
		s := l.Begin(memstub.TxOptions{Creator: agency})
		ep, err := s.GetPrivateDataValidationParameter(coll, "k")
		require.NoError(t, err)
		require.Equal(t, []byte("policy"), ep)
		_, err = s.GetPrivateDataValidationParameter("nope", "k")
		require.Error(t, err)
	})
}

func TestTransaction(t *testing.T) {
	t.Run("exposes arguments the way the shim splits them", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{Function: "c:Fn", Args: []string{"a", "b"}})
		fn, params := s.GetFunctionAndParameters()
		require.Equal(t, "c:Fn", fn)
		require.Equal(t, []string{"a", "b"}, params)
		require.Equal(t, []string{"c:Fn", "a", "b"}, s.GetStringArgs())
		require.Equal(t, [][]byte{[]byte("c:Fn"), []byte("a"), []byte("b")}, s.GetArgs())
		flat, err := s.GetArgsSlice()
		require.NoError(t, err)
		require.Equal(t, []byte("c:Fnab"), flat)

		empty := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		fn, params = empty.GetFunctionAndParameters()
		require.Empty(t, fn)
		require.Empty(t, params)
	})
	t.Run("derives distinct deterministic transaction IDs and honours given ones", func(t *testing.T) {
		a := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		b := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		require.Equal(t, a.GetTxID(), b.GetTxID())
		require.Len(t, a.GetTxID(), 64)
		l := memstub.NewLedger(memstub.Config{})
		first := l.Begin(memstub.TxOptions{}).GetTxID()
		require.NotEqual(t, first, l.Begin(memstub.TxOptions{}).GetTxID())
		require.Equal(t, "tx1", l.Begin(memstub.TxOptions{TxID: "tx1"}).GetTxID())
	})
	t.Run("timestamps come from the ledger clock unless given", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{Channel: "c1", Chaincode: "cc1"})
		require.Equal(t, memstub.DefaultStart, l.Now())
		l.Advance(time.Hour)
		ts, err := l.Begin(memstub.TxOptions{}).GetTxTimestamp()
		require.NoError(t, err)
		require.Equal(t, memstub.DefaultStart.Add(time.Hour), ts.AsTime())
		at := time.Date(2030, 5, 6, 7, 8, 9, 0, time.FixedZone("x", 3600))
		l.SetTime(at)
		require.Equal(t, at.UTC(), l.Now())
		given := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
		ts, err = l.Begin(memstub.TxOptions{Time: given}).GetTxTimestamp()
		require.NoError(t, err)
		require.Equal(t, given, ts.AsTime())
		require.Equal(t, "c1", l.Begin(memstub.TxOptions{}).GetChannelID())
	})
	t.Run("hands over transient data and a binding", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{Creator: agency, Transient: map[string][]byte{"k": []byte("v")}})
		m, err := s.GetTransient()
		require.NoError(t, err)
		require.Equal(t, []byte("v"), m["k"])
		b1, err := s.GetBinding()
		require.NoError(t, err)
		b2, err := s.GetBinding()
		require.NoError(t, err)
		require.Len(t, b1, sha256.Size)
		require.Equal(t, b1, b2)
		require.Nil(t, s.GetDecorations())
	})
	t.Run("keeps the last event and refuses an empty name", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		require.Nil(t, s.Event())
		require.Error(t, s.SetEvent("", []byte("x")))
		require.NoError(t, s.SetEvent("first", []byte("1")))
		require.NoError(t, s.SetEvent("second", []byte("2")))
		require.NoError(t, s.Commit())
		require.Equal(t, "second", s.Event().GetEventName())
		require.Equal(t, []byte("2"), s.Event().GetPayload())
		require.Equal(t, s.GetTxID(), s.Event().GetTxId())
	})
	t.Run("stores state validation parameters", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		commit(t, l, func(s *memstub.Stub) {
			require.NoError(t, s.PutState("k", []byte("v")))
			require.NoError(t, s.SetStateValidationParameter("k", []byte("policy")))
		})
		s := l.Begin(memstub.TxOptions{})
		ep, err := s.GetStateValidationParameter("k")
		require.NoError(t, err)
		require.Equal(t, []byte("policy"), ep)
		require.NoError(t, s.DelState("k"))
		require.NoError(t, s.Commit())
		ep, err = l.Begin(memstub.TxOptions{}).GetStateValidationParameter("k")
		require.NoError(t, err)
		require.Nil(t, ep, "deleting a key drops its metadata")
	})
	t.Run("invokes registered chaincodes only", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		l.RegisterChaincode("registry", func(args [][]byte) *peer.Response { return shim.Success(args[0]) })
		l.RegisterChaincode("registry/other", func([][]byte) *peer.Response { return shim.Success([]byte("other channel")) })
		s := l.Begin(memstub.TxOptions{})
		require.Equal(t, []byte("hi"), s.InvokeChaincode("registry", [][]byte{[]byte("hi")}, "").GetPayload())
		require.Equal(t, []byte("hi"), s.InvokeChaincode("registry", [][]byte{[]byte("hi")}, memstub.DefaultChannel).GetPayload())
		require.Equal(t, []byte("other channel"), s.InvokeChaincode("registry", nil, "other").GetPayload())
		resp := s.InvokeChaincode("unknown", nil, "")
		require.EqualValues(t, shim.ERROR, resp.GetStatus())
		require.Contains(t, resp.GetMessage(), "not registered")
	})
	t.Run("fails clearly where memory has no meaning", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		_, err := s.GetQueryResult(`{"selector":{}}`)
		require.ErrorIs(t, err, memstub.ErrUnsupported)
		_, _, err = s.GetQueryResultWithPagination(`{}`, 1, "")
		require.ErrorIs(t, err, memstub.ErrUnsupported)
		_, err = s.GetPrivateDataQueryResult("c", `{}`)
		require.ErrorIs(t, err, memstub.ErrUnsupported)
		_, err = s.GetSignedProposal()
		require.ErrorIs(t, err, memstub.ErrUnsupported)
		s.StartWriteBatch()
		require.NoError(t, s.FinishWriteBatch())
	})
}

func TestTxErrorUnwrapsNothingWithoutAChaincodeError(t *testing.T) {
	err := &memstub.TxError{Status: 500, Message: "Function X not found in contract y"}
	require.NoError(t, errors.Unwrap(err), "nothing to unwrap")
	require.Equal(t, "chaincode response 500, Function X not found in contract y", err.Error())
}
