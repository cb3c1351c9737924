package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/ledger"
)

func mustKey(t *testing.T, objectType string, attrs ...string) string {
	t.Helper()
	k, err := ledger.Key(objectType, attrs...)
	require.NoError(t, err)
	return k
}
