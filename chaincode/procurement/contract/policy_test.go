package contract

import (
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/procurement"
)

func TestPolicyCoversExactlyTheTransactions(t *testing.T) {
	require.NoError(t, policy.Validate())
	c := New(procurement.DefaultConfig())
	var transactions []string
	ct := reflect.TypeOf(c)
	base := reflect.TypeOf(&c.Contract)
	for i := 0; i < ct.NumMethod(); i++ {
		name := ct.Method(i).Name
		// GetEvaluateTransactions is contractapi's hook, not a transaction.
		if _, inherited := base.MethodByName(name); !inherited && name != "GetEvaluateTransactions" {
			transactions = append(transactions, name)
		}
	}
	var ruled []string
	for name := range policy {
		ruled = append(ruled, name)
	}
	slices.Sort(ruled)
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
