package contract

import (
	"reflect"
	"slices"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/require"
)

func TestPolicy(t *testing.T) {
	t.Run("is a well-formed table", func(t *testing.T) {
		require.NoError(t, policy.Validate())
	})
	t.Run("lists every transaction and nothing else", func(t *testing.T) {
		base := reflect.TypeFor[*contractapi.Contract]()
		var txs []string
		typ := reflect.TypeFor[*Contract]()
		for i := range typ.NumMethod() {
			// GetEvaluateTransactions is contractapi's hook, not a transaction.
			if name := typ.Method(i).Name; !hasMethod(base, name) && name != "GetEvaluateTransactions" {
				txs = append(txs, name)
			}
		}
		var listed []string
		for name := range policy {
			listed = append(listed, name)
		}
		slices.Sort(txs)
		slices.Sort(listed)
		require.Equal(t, txs, listed)
	})
}

func hasMethod(t reflect.Type, name string) bool {
	_, ok := t.MethodByName(name)
	return ok
}
