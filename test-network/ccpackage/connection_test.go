package ccpackage_test

import (
	"encoding/json"
	"github.com/govledger/govledger/test-network/internal/testpki"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/test-network/ccpackage"
)

// fieldsOf lists the fields named by the *FieldError values inside err.
func fieldsOf(err error) []string {
	var fields []string
	var walk func(error)
	walk = func(err error) {
		// A type assertion, not errors.As: the walk visits every node of the
		// join tree itself, and errors.As would stop at the first match.
		if fe, ok := err.(*ccpackage.FieldError); ok { //nolint:errorlint // deliberate node-by-node walk
			fields = append(fields, fe.Field)
			return
		}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range joined.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return fields
}

// pemBody is the first base64 line of a PEM block.
func pemBody(block string) string { return strings.Split(block, "\n")[1] }

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}

func TestParseConnection(t *testing.T) {
	pki := testpki.New(t)
	mtls := map[string]any{
		"address":              "cc.govledger.test:9999",
		"domain":               "cc.govledger.test",
		"dial_timeout":         "10s",
		"tls_required":         true,
		"client_auth_required": true,
		"client_key":           pki.ClientKey,
		"client_cert":          pki.ClientCert,
		"root_cert":            pki.RootCert,
	}
	with := func(changes map[string]any) []byte {
		doc := map[string]any{}
		for k, v := range mtls {
			doc[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(doc, k)
				continue
			}
			doc[k] = v
		}
		return marshal(t, doc)
	}

	valid := []struct {
		name string
		data []byte
		want ccpackage.Connection
	}{
		{
			name: "accepts a plaintext address",
			data: []byte(`{"address":"127.0.0.1:9999"}`),
			want: ccpackage.Connection{Address: "127.0.0.1:9999"},
		},
		{
			name: "accepts an IPv6 address with a dial timeout",
			data: []byte(`{"address":"[::1]:7052","dial_timeout":"500ms","tls_required":false}`),
			want: ccpackage.Connection{Address: "[::1]:7052", DialTimeout: "500ms"},
		},
		{
			name: "accepts server-only TLS",
			data: marshal(t, map[string]any{"address": "localhost:9999", "tls_required": true, "root_cert": pki.RootCert}),
			want: ccpackage.Connection{Address: "localhost:9999", TLSRequired: true, RootCert: pki.RootCert},
		},
		{
			name: "accepts mutual TLS with a matching client pair",
			data: with(nil),
			want: ccpackage.Connection{
				Address: "cc.govledger.test:9999", Domain: "cc.govledger.test", DialTimeout: "10s",
				TLSRequired: true, ClientAuthRequired: true,
				ClientKey: pki.ClientKey, ClientCert: pki.ClientCert, RootCert: pki.RootCert,
			},
		},
		{
			name: "accepts a root bundle of two certificates",
			data: with(map[string]any{"root_cert": pki.RootCert + "\n" + pki.ClientCert}),
			want: ccpackage.Connection{
				Address: "cc.govledger.test:9999", Domain: "cc.govledger.test", DialTimeout: "10s",
				TLSRequired: true, ClientAuthRequired: true,
				ClientKey: pki.ClientKey, ClientCert: pki.ClientCert, RootCert: pki.RootCert + "\n" + pki.ClientCert,
			},
		},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ccpackage.ParseConnection(tc.data)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	invalid := []struct {
		name   string
		data   []byte
		fields []string // nil: a whole-document error
	}{
		{"rejects a document that is not JSON", []byte(`{"address":`), nil},
		{"rejects a JSON array", []byte(`["127.0.0.1:9999"]`), nil},
		{"rejects an oversized document", []byte(`{"address":"` + strings.Repeat("a", ccpackage.MaxConnectionSize) + `"}`), nil},
		{"rejects a missing address", []byte(`{}`), []string{"address"}},
		{"rejects an address without a port", []byte(`{"address":"cc.govledger.test"}`), []string{"address"}},
		{"rejects an address without a host", []byte(`{"address":":9999"}`), []string{"address"}},
		{"rejects port zero", []byte(`{"address":"localhost:0"}`), []string{"address"}},
		{"rejects a port above 65535", []byte(`{"address":"localhost:65536"}`), []string{"address"}},
		{"rejects a named port", []byte(`{"address":"localhost:https"}`), []string{"address"}},
		{"rejects a host with a space", []byte(`{"address":"bad host:9999"}`), []string{"address"}},
		{"rejects an address that is not a string", []byte(`{"address":9999}`), []string{"address"}},
		{"rejects a host name longer than DNS allows", []byte(`{"address":"` + strings.Repeat("a.", 127) + `a:1"}`), []string{"address"}},
		{"rejects a bad domain", with(map[string]any{"domain": "-cc..test"}), []string{"domain"}},
		{"rejects a dial timeout without a unit", []byte(`{"address":"localhost:1","dial_timeout":"10"}`), []string{"dial_timeout"}},
		{"rejects a negative dial timeout", []byte(`{"address":"localhost:1","dial_timeout":"-1s"}`), []string{"dial_timeout"}},
		{"rejects a numeric dial timeout", []byte(`{"address":"localhost:1","dial_timeout":3000000000}`), []string{"dial_timeout"}},
		{"rejects tls_required given as a string, which the peer cannot decode", []byte(`{"address":"localhost:1","tls_required":"true"}`), []string{"tls_required"}},
		{"rejects a misspelt field", []byte(`{"address":"localhost:1","tls_require":true}`), []string{"tls_require"}},
		{"rejects TLS without a root certificate", with(map[string]any{"root_cert": nil}), []string{"root_cert"}},
		{"rejects a root certificate that is not PEM", with(map[string]any{"root_cert": "not a certificate"}), []string{"root_cert"}},
		{"rejects a PEM block that is not a certificate", with(map[string]any{"root_cert": pki.StrayKey}), []string{"root_cert"}},
		{"rejects a PEM certificate with a corrupt body", with(map[string]any{"root_cert": testpki.PEMBlock("CERTIFICATE", []byte("garbage"))}), []string{"root_cert"}},
		{"rejects trailing bytes after the certificates", with(map[string]any{"root_cert": pki.RootCert + "trailing"}), []string{"root_cert"}},
		{"rejects client auth without a key", with(map[string]any{"client_key": nil}), []string{"client_key"}},
		{"rejects client auth without a certificate", with(map[string]any{"client_cert": nil}), []string{"client_cert"}},
		{"rejects a client key that is not PEM", with(map[string]any{"client_key": "secret"}), []string{"client_key"}},
		{"rejects a client key that does not match the certificate", with(map[string]any{"client_key": pki.StrayKey}), []string{"client_key"}},
		{"rejects a bad client certificate", with(map[string]any{"client_cert": "nope"}), []string{"client_cert"}},
		{"rejects client material without client auth", with(map[string]any{"client_auth_required": false}), []string{"client_key", "client_cert"}},
		{
			name:   "rejects TLS material when tls_required is missing",
			data:   with(map[string]any{"tls_required": nil}),
			fields: []string{"client_auth_required", "client_key", "client_cert", "root_cert"},
		},
		{
			name:   "reports every broken field at once",
			data:   []byte(`{"address":"x","dial_timeout":"soon","tls_required":true}`),
			fields: []string{"address", "dial_timeout", "root_cert"},
		},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ccpackage.ParseConnection(tc.data)
			require.Error(t, err)
			require.ErrorIs(t, err, ccpackage.ErrInvalid)
			require.Equal(t, tc.fields, fieldsOf(err))
			for _, secret := range []string{"-----", "secret", pemBody(pki.ClientKey), pemBody(pki.StrayKey)} {
				require.NotContains(t, err.Error(), secret, "errors must never quote key material")
			}
		})
	}
}

func TestConnectionJSONNames(t *testing.T) {
	t.Run("uses the names Fabric's ChaincodeServerUserData decodes", func(t *testing.T) {
		c := ccpackage.Connection{
			Address: "a:1", Domain: "a", DialTimeout: "1s", TLSRequired: true, ClientAuthRequired: true,
			ClientKey: "k", ClientCert: "c", RootCert: "r",
		}
		var doc map[string]any
		require.NoError(t, json.Unmarshal(marshal(t, c), &doc))
		require.Equal(t, map[string]any{
			"address": "a:1", "domain": "a", "dial_timeout": "1s", "tls_required": true,
			"client_auth_required": true, "client_key": "k", "client_cert": "c", "root_cert": "r",
		}, doc)
	})
	t.Run("always states tls_required so plaintext is explicit", func(t *testing.T) {
		require.JSONEq(t, `{"address":"a:1","tls_required":false}`, string(marshal(t, ccpackage.Connection{Address: "a:1"})))
	})
}
