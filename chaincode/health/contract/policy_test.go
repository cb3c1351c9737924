package contract

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/txn"
)

func TestPolicy(t *testing.T) {
	t.Run("is a well-formed table", func(t *testing.T) {
		require.NoError(t, policy.Validate())
	})
	t.Run("lists every transaction and nothing else", func(t *testing.T) {
		require.Equal(t, txn.Transactions(New()), slices.Sorted(maps.Keys(policy)))
	})
}
