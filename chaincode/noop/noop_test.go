package noop_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/noop"
)

func TestNoop(t *testing.T) {
	cc, err := noop.Chaincode()
	require.NoError(t, err)
	net := memstub.New(cc)
	user := memstub.NewIdentity("ProcurementMSP", "buyer1", map[string]string{"role": "buyer"})

	t.Run("a put is read back after commit", func(t *testing.T) {
		_, err := net.Submit(user, "Noop:Put", "k", "v")
		require.NoError(t, err)
		res, err := net.Evaluate(user, "Noop:Get", "k")
		require.NoError(t, err)
		require.Equal(t, "v", string(res.Payload))
	})
	t.Run("a missing key reads empty", func(t *testing.T) {
		res, err := net.Evaluate(user, "Noop:Get", "missing")
		require.NoError(t, err)
		require.Empty(t, res.Payload)
	})
	t.Run("ping succeeds", func(t *testing.T) {
		_, err := net.Submit(user, "Noop:Ping")
		require.NoError(t, err)
	})
	for _, tc := range []struct {
		name, key, value, field string
	}{
		{"rejects an empty key", "", "v", "key"},
		{"rejects an oversized value", "k", strings.Repeat("x", noop.MaxValue+1), "value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := net.Submit(user, "Noop:Put", tc.key, tc.value)
			require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
			var ce *ccerror.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
		})
	}
}

func BenchmarkPut(b *testing.B) {
	cc, err := noop.Chaincode()
	require.NoError(b, err)
	net := memstub.New(cc)
	user := memstub.NewIdentity("ProcurementMSP", "buyer1", nil)
	value := strings.Repeat("x", 100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := net.Submit(user, "Noop:Put", "k", value); err != nil {
			b.Fatal(err)
		}
	}
}
