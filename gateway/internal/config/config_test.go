package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/config"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func write(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gateway.yaml")
	require.NoError(t, os.WriteFile(p, []byte(yaml), 0o600))
	return p
}

func TestLoad(t *testing.T) {
	t.Run("defaults point at the local network's state folder", func(t *testing.T) {
		c, err := config.Load("", nil)
		require.NoError(t, err)
		require.Equal(t, "ProcurementMSP", c.Org)
		require.Equal(t, filepath.Join(".state", "config", "profiles", "ProcurementMSP.json"), c.Profile)
		require.Equal(t, filepath.Join(".state", "gateway", "ProcurementMSP", "gateway.db"), c.StateFile)
		require.Equal(t, "Admin", c.ServiceUser)
		require.Equal(t, 15*time.Second, c.Timeouts.Endorse.D())
		require.Equal(t, 3, c.Retry.MaxAttempts)
	})

	t.Run("derives paths from the organisation", func(t *testing.T) {
		c, err := config.Load("", env(map[string]string{"GOVLEDGER_ORG": "RegulatorMSP"}))
		require.NoError(t, err)
		require.Equal(t, filepath.Join(".state", "config", "profiles", "RegulatorMSP.json"), c.Profile)
		require.Equal(t, filepath.Join(".state", "gateway", "RegulatorMSP", "audit.jsonl"), c.AuditLog)
	})

	t.Run("reads the YAML file and lets the environment override it", func(t *testing.T) {
		p := write(t, `
org: AuditOfficeMSP
listen: 0.0.0.0:9090
chaincodes: [procurement, audit]
timeouts: {endorse: 3s}
auth:
  apiKeys:
    - {name: ops, sha256: `+strings.Repeat("ab", 32)+`, user: Admin, admin: true}
  issuers:
    - {issuer: "https://idp.example", audience: gw, jwksURL: "https://idp.example/jwks", users: {alice: auditor1}}
webhooks: {allowedHosts: [hooks.example]}
`)
		c, err := config.Load(p, env(map[string]string{
			"GOVLEDGER_LISTEN":                "127.0.0.1:7000",
			"GOVLEDGER_TIMEOUT_ENDORSE":       "9s",
			"GOVLEDGER_READ_ONLY":             "true",
			"GOVLEDGER_CHAINCODES":            " audit , ",
			"GOVLEDGER_RATE_PER_SECOND":       "5.5",
			"GOVLEDGER_RATE_BURST":            "7",
			"GOVLEDGER_MAX_ATTEMPTS":          "5",
			"GOVLEDGER_MAX_BODY_BYTES":        "4096",
			"GOVLEDGER_RETENTION":             "1h",
			"GOVLEDGER_WEBHOOK_ALLOWED_HOSTS": "a.example,b.example",
		}))
		require.NoError(t, err)
		require.Equal(t, "AuditOfficeMSP", c.Org)
		require.Equal(t, "127.0.0.1:7000", c.Listen)
		require.Equal(t, 9*time.Second, c.Timeouts.Endorse.D())
		require.Equal(t, 5*time.Second, c.Timeouts.Submit.D(), "unset fields keep defaults")
		require.True(t, c.ReadOnly)
		require.Equal(t, []string{"audit"}, c.Chaincodes)
		require.InDelta(t, 5.5, c.Limits.RatePerSecond, 1e-9)
		require.Equal(t, 7, c.Limits.Burst)
		require.Equal(t, 5, c.Retry.MaxAttempts)
		require.Equal(t, int64(4096), c.Limits.MaxBodyBytes)
		require.Equal(t, time.Hour, c.Retention.D())
		require.Equal(t, []string{"a.example", "b.example"}, c.Webhooks.AllowedHosts)
		require.Len(t, c.Auth.APIKeys, 1)
		require.Equal(t, "auditor1", c.Auth.Issuers[0].Users["alice"])
	})

	t.Run("reads API keys from the environment", func(t *testing.T) {
		h := strings.Repeat("0f", 32)
		c, err := config.Load("", env(map[string]string{"GOVLEDGER_API_KEYS": "app:" + h + ":buyer1,ops:" + h + ":Admin:admin"}))
		require.NoError(t, err)
		require.Equal(t, []config.APIKey{{Name: "app", SHA256: h, User: "buyer1"}, {Name: "ops", SHA256: h, User: "Admin", Admin: true}}, c.Auth.APIKeys)
	})

	t.Run("reads the audit watch from the file and the environment", func(t *testing.T) {
		p := write(t, `
org: AuditOfficeMSP
auditWatch:
  enabled: true
  user: auditor1
  engagements: {MOF: ENG-2026-01}
  startBlock: 12
  maxBackoff: 30s
`)
		c, err := config.Load(p, nil)
		require.NoError(t, err)
		w := c.AuditWatch
		require.True(t, w.Enabled)
		require.Equal(t, map[string]string{"MOF": "ENG-2026-01"}, w.Engagements)
		require.Equal(t, uint64(12), w.StartBlock)
		require.Equal(t, "ProcurementMSP", w.AgencyMSP, "unset fields keep defaults")
		require.Equal(t, 3, w.RefusalAttempts)
		require.Equal(t, 30*time.Second, w.MaxBackoff.D())
		require.Equal(t, filepath.Join(".state", "gateway", "AuditOfficeMSP", "auditwatch-checkpoint.json"), w.CheckpointFile)
		require.Equal(t, filepath.Join(".state", "gateway", "AuditOfficeMSP", "auditwatch-parked.jsonl"), w.ParkedFile)

		c, err = config.Load(p, env(map[string]string{
			"GOVLEDGER_AUDIT_WATCH_USER":        "auditor2",
			"GOVLEDGER_AUDIT_WATCH_ENGAGEMENTS": "MOF=ENG-A, MOH=ENG-B",
			"GOVLEDGER_AUDIT_WATCH_STANDING":    "true",
			"GOVLEDGER_AUDIT_WATCH_START_BLOCK": "0",
		}))
		require.NoError(t, err)
		require.Equal(t, "auditor2", c.AuditWatch.User)
		require.Equal(t, map[string]string{"MOF": "ENG-A", "MOH": "ENG-B"}, c.AuditWatch.Engagements)
		require.True(t, c.AuditWatch.StandingEngagements)
		require.Zero(t, c.AuditWatch.StartBlock)
	})

	t.Run("leaves a disabled audit watch unchecked", func(t *testing.T) {
		c, err := config.Load(write(t, "auditWatch: {refusalAttempts: 0}\n"), nil)
		require.NoError(t, err)
		require.False(t, c.AuditWatch.Enabled)
	})

	t.Run("accepts an empty file", func(t *testing.T) {
		_, err := config.Load(write(t, ""), nil)
		require.NoError(t, err)
	})

	t.Run("fails on a missing file", func(t *testing.T) {
		_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
		require.Error(t, err)
	})

	bad := []struct {
		name  string
		yaml  string
		env   map[string]string
		field string
	}{
		{"rejects an unknown key", "listne: x\n", nil, ""},
		{"rejects a malformed duration", "timeouts: {endorse: soon}\n", nil, ""},
		{"names a bad environment value", "", map[string]string{"GOVLEDGER_TIMEOUT_SUBMIT": "fast"}, "GOVLEDGER_TIMEOUT_SUBMIT"},
		{"names a bad boolean", "", map[string]string{"GOVLEDGER_READ_ONLY": "yes please"}, "GOVLEDGER_READ_ONLY"},
		{"names a bad integer", "", map[string]string{"GOVLEDGER_RATE_BURST": "x"}, "GOVLEDGER_RATE_BURST"},
		{"names a bad rate", "", map[string]string{"GOVLEDGER_RATE_PER_SECOND": "x"}, "GOVLEDGER_RATE_PER_SECOND"},
		{"names a bad attempt count", "", map[string]string{"GOVLEDGER_MAX_ATTEMPTS": "x"}, "GOVLEDGER_MAX_ATTEMPTS"},
		{"names a bad body limit", "", map[string]string{"GOVLEDGER_MAX_BODY_BYTES": "x"}, "GOVLEDGER_MAX_BODY_BYTES"},
		{"names malformed API keys", "", map[string]string{"GOVLEDGER_API_KEYS": "a:b"}, "GOVLEDGER_API_KEYS"},
		{"rejects a bad listen address", "listen: nowhere\n", nil, "listen"},
		{"rejects a bad org", "org: 'a b'\n", nil, "org"},
		{"rejects a bad log level", "logLevel: loud\n", nil, "logLevel"},
		{"rejects a zero timeout", "timeouts: {commitStatus: 0s}\n", nil, "timeouts.commitStatus"},
		{"rejects a tiny body limit", "limits: {maxBodyBytes: 10}\n", nil, "limits.maxBodyBytes"},
		{"rejects a zero rate", "limits: {ratePerSecond: 0}\n", nil, "limits"},
		{"rejects too many attempts", "retry: {maxAttempts: 99}\n", nil, "retry.maxAttempts"},
		{"rejects an empty chaincode name", "chaincodes: ['']\n", nil, "chaincodes[0]"},
		{"rejects backoffs in the wrong order", "webhooks: {initialBackoff: 1m, maxBackoff: 1s}\n", nil, "webhooks.maxBackoff"},
		{"rejects a key hash that is not SHA-256", "auth: {apiKeys: [{name: a, sha256: abc, user: u}]}\n", nil, "auth.apiKeys[0].sha256"},
		{"rejects a key without user", "auth: {apiKeys: [{name: a, sha256: " + strings.Repeat("ab", 32) + "}]}\n", nil, "auth.apiKeys[0].user"},
		{"rejects duplicate key names", "auth: {apiKeys: [{name: a, sha256: " + strings.Repeat("ab", 32) + ", user: u}, {name: a, sha256: " + strings.Repeat("ab", 32) + ", user: u}]}\n", nil, "auth.apiKeys[1].name"},
		{"rejects an issuer without audience", "auth: {issuers: [{issuer: x, jwksURL: 'https://x'}]}\n", nil, "auth.issuers[0].audience"},
		{"rejects an issuer without keys", "auth: {issuers: [{issuer: x, audience: a}]}\n", nil, "auth.issuers[0]"},
		{"rejects an issuer without a name", "auth: {issuers: [{audience: a}]}\n", nil, "auth.issuers[0].issuer"},
		{"requires the audit watch's user", "auditWatch: {enabled: true, standingEngagements: true}\n", nil, "auditWatch.user"},
		{"requires engagements or the standing policy", "auditWatch: {enabled: true, user: a}\n", nil, "auditWatch.engagements"},
		{"rejects an empty engagement id", "auditWatch: {enabled: true, user: a, engagements: {MOF: ''}}\n", nil, "auditWatch.engagements"},
		{"rejects the parked file on the checkpoint", "auditWatch: {enabled: true, user: a, standingEngagements: true, checkpointFile: x, parkedFile: x}\n", nil, "auditWatch.parkedFile"},
		{"rejects a bad agency MSP", "auditWatch: {enabled: true, user: a, standingEngagements: true, agencyMSP: 'a b'}\n", nil, "auditWatch.agencyMSP"},
		{"rejects zero refusal attempts", "auditWatch: {enabled: true, user: a, standingEngagements: true, refusalAttempts: 0}\n", nil, "auditWatch.refusalAttempts"},
		{"rejects a zero audit watch backoff", "auditWatch: {enabled: true, user: a, standingEngagements: true, initialBackoff: 0s}\n", nil, "auditWatch.initialBackoff"},
		{"rejects audit watch backoffs in the wrong order", "auditWatch: {enabled: true, user: a, standingEngagements: true, initialBackoff: 1m, maxBackoff: 1s}\n", nil, "auditWatch.maxBackoff"},
		{"names malformed engagements", "", map[string]string{"GOVLEDGER_AUDIT_WATCH_ENGAGEMENTS": "MOF"}, "GOVLEDGER_AUDIT_WATCH_ENGAGEMENTS"},
		{"names an agency listed twice", "", map[string]string{"GOVLEDGER_AUDIT_WATCH_ENGAGEMENTS": "MOF=A,MOF=B"}, "GOVLEDGER_AUDIT_WATCH_ENGAGEMENTS"},
		{"names a bad audit watch switch", "", map[string]string{"GOVLEDGER_AUDIT_WATCH": "on-ish"}, "GOVLEDGER_AUDIT_WATCH"},
		{"names a bad start block", "", map[string]string{"GOVLEDGER_AUDIT_WATCH_START_BLOCK": "-1"}, "GOVLEDGER_AUDIT_WATCH_START_BLOCK"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(write(t, tc.yaml), env(tc.env))
			require.ErrorIs(t, err, config.ErrInvalid)
			if tc.field != "" {
				var fe *config.FieldError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, tc.field, fe.Field)
			}
		})
	}
}

func TestEnvVars(t *testing.T) {
	vars := config.EnvVars()
	require.Contains(t, vars, "GOVLEDGER_PROFILE")
	for _, v := range vars {
		require.True(t, strings.HasPrefix(v, "GOVLEDGER_"))
	}
}

func TestLevel(t *testing.T) {
	c := config.Defaults()
	c.LogLevel = "debug"
	require.Equal(t, "DEBUG", c.Level().String())
}
