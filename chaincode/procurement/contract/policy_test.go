package contract

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/procurement"
)

func TestPolicyCoversExactlyTheTransactions(t *testing.T) {
	require.NoError(t, policy.Validate())
	transactions := txn.Transactions(New(procurement.DefaultConfig()))
	ruled := slices.Sorted(maps.Keys(policy))
	require.Equal(t, ruled, transactions)
	for _, name := range transactions {
		if name[:3] == "Get" || name[:4] == "List" {
			require.False(t, policy[name].Write, "%s is a query", name)
			continue
		}
		require.True(t, policy[name].Write, "%s changes state", name)
	}
}

func TestNewChaincodeRefusesABadRegime(t *testing.T) {
	cfg := procurement.DefaultConfig()
	cfg.OCIDPrefix = "bad"
	_, err := NewChaincode(cfg)
	require.ErrorIs(t, err, procurement.ErrConfig)
}

func TestKebab(t *testing.T) {
	for in, want := range map[string]string{
		"singleBid": "single-bid", "shortTenderPeriod": "short-tender-period", "awardNotTopRanked": "award-not-top-ranked",
		"contractSplitting": "contract-splitting",
	} {
		t.Run("turns "+in+" into "+want, func(t *testing.T) { require.Equal(t, want, kebab(in)) })
	}
}
