package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/procurement"
)

func TestRequestFromRedFlag(t *testing.T) {
	tests := []struct {
		kind   string
		window time.Duration
	}{
		{string(procurement.FlagAwardNotTopRanked), 10 * days},
		{string(procurement.FlagContractSplitting), 15 * days},
		{string(procurement.FlagShortTenderPeriod), 15 * days},
		{string(procurement.FlagSingleBid), 15 * days},
	}
	for _, tc := range tests {
		t.Run("maps procurement's "+tc.kind+" to a request due in its window", func(t *testing.T) {
			flag := audit.RedFlag{Entity: "tender", ID: "T-2026-7", Kind: tc.kind}
			spec, err := audit.RequestFromRedFlag(flag, t0)
			require.NoError(t, err)
			require.Equal(t, t0.Add(tc.window), spec.DueAt)
			require.Contains(t, spec.Subject, "T-2026-7")
			require.Contains(t, spec.Detail, "T-2026-7")
			require.Equal(t, &flag, spec.Origin)
			require.Equal(t, audit.RedFlagRequestID(flag), spec.ID)
			require.NoError(t, spec.Validate(t0))
		})
	}
	t.Run("opens a request on the engagement's agency", func(t *testing.T) {
		spec, err := audit.RequestFromRedFlag(audit.RedFlag{Entity: "tender", ID: "T-1", Kind: "singleBid"}, t0)
		require.NoError(t, err)
		e, r, err := audit.IssueRequest(openEngagement(t), spec, auditor1, t0)
		require.NoError(t, err)
		require.Equal(t, mof, r.Agency)
		require.Equal(t, "T-1", r.Origin.ID)
		require.Equal(t, 1, e.OpenRequests)
	})
	t.Run("derives one stable ID per flag", func(t *testing.T) {
		a := audit.RedFlag{Entity: "tender", ID: "T-1", Kind: "singleBid"}
		b := audit.RedFlag{Entity: "tender", ID: "T-1", Kind: "contractSplitting"}
		first := audit.RedFlagRequestID(a)
		require.Equal(t, first, audit.RedFlagRequestID(a), "the same flag gives the same ID")
		require.NotEqual(t, audit.RedFlagRequestID(a), audit.RedFlagRequestID(b))
		require.True(t, strings.HasPrefix(audit.RedFlagRequestID(a), "rf-"))
	})
	t.Run("rejects an unknown kind", func(t *testing.T) {
		_, err := audit.RequestFromRedFlag(audit.RedFlag{Entity: "tender", ID: "T-1", Kind: "bribery"}, t0)
		require.ErrorIs(t, err, audit.ErrUnknownRedFlag)
	})
	invalid := []struct {
		name  string
		flag  audit.RedFlag
		field string
	}{
		{"rejects a flag on a record kind the rule does not cover", audit.RedFlag{Entity: "supplier", ID: "SUP-A", Kind: "singleBid"}, "entity"},
		{"rejects a missing entity", audit.RedFlag{ID: "T-1", Kind: "singleBid"}, "entity"},
		{"rejects a missing ID", audit.RedFlag{Entity: "tender", Kind: "singleBid"}, "id"},
		{"rejects a malformed kind", audit.RedFlag{Entity: "tender", ID: "T-1", Kind: "single bid"}, "kind"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := audit.RequestFromRedFlag(tc.flag, t0)
			requireField(t, err, tc.field)
		})
	}
}
