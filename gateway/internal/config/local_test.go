package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/config"
)

func TestLocalConfig(t *testing.T) {
	t.Run("the shipped local configuration loads", func(t *testing.T) {
		c, err := config.Load("../../config/local.yaml", nil)
		require.NoError(t, err)
		require.Equal(t, "ProcurementMSP", c.Org)
		require.NotEmpty(t, c.Auth.APIKeys)
	})
}
