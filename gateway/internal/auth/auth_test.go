package auth_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/gateway/internal/auth"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// mint signs a JWT with key (RSA → RS256, EC → ES256) unless alg overrides.
func mint(t *testing.T, key crypto.Signer, kid, alg string, claims map[string]any) string {
	t.Helper()
	if alg == "" {
		alg = "RS256"
		if _, ok := key.(*ecdsa.PrivateKey); ok {
			alg = "ES256"
		}
	}
	hdr, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
	body, _ := json.Marshal(claims)
	input := b64(hdr) + "." + b64(body)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		var err error
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
		require.NoError(t, err)
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		require.NoError(t, err)
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return input + "." + b64(sig)
}

func claims(mod func(map[string]any)) map[string]any {
	c := map[string]any{
		"iss":            "https://idp.example",
		"sub":            "alice",
		"aud":            []string{"other", "govledger-gateway"},
		"exp":            now.Add(time.Hour).Unix(),
		"nbf":            now.Add(-time.Minute).Unix(),
		"govledger_user": "buyer1",
		"roles":          []string{"ops"},
	}
	if mod != nil {
		mod(c)
	}
	return c
}

type jwks struct {
	srv     *httptest.Server
	keys    atomic.Value // []map[string]string
	fetches atomic.Int32
}

func newJWKS(t *testing.T) *jwks {
	j := &jwks{}
	j.keys.Store([]map[string]string{})
	j.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.fetches.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": j.keys.Load()})
	}))
	t.Cleanup(j.srv.Close)
	return j
}

func rsaJWK(kid string, k *rsa.PublicKey) map[string]string {
	return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

func ecJWK(t *testing.T, kid string, k *ecdsa.PublicKey) map[string]string {
	point, err := k.Bytes()
	require.NoError(t, err)
	return map[string]string{"kty": "EC", "kid": kid, "crv": "P-256", "x": b64(point[1:33]), "y": b64(point[33:])}
}

func request(header, value string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v1/x/y", nil)
	if header != "" {
		r.Header.Set(header, value)
	}
	return r
}

func TestAPIKey(t *testing.T) {
	a, err := auth.New(
		auth.WithAPIKey(auth.APIKey{Name: "buyer-app", SHA256: auth.HashKey("s3cret-buyer"), User: "buyer1"}),
		auth.WithAPIKey(auth.APIKey{Name: "ops", SHA256: strings.ToUpper(auth.HashKey("s3cret-ops")), User: "Admin", Admin: true}),
	)
	require.NoError(t, err)

	t.Run("maps a known key to its wallet user", func(t *testing.T) {
		c, err := a.Authenticate(request(auth.APIKeyHeader, "s3cret-buyer"))
		require.NoError(t, err)
		require.Equal(t, auth.Caller{ID: "key:buyer-app", User: "buyer1", Scheme: auth.SchemeAPIKey}, c)
	})

	t.Run("marks admin keys", func(t *testing.T) {
		c, err := a.Authenticate(request(auth.APIKeyHeader, "s3cret-ops"))
		require.NoError(t, err)
		require.True(t, c.Admin)
	})

	refused := []struct {
		name, header, value string
	}{
		{"refuses an unknown key", auth.APIKeyHeader, "guess"},
		{"refuses a request without credentials", "", ""},
		{"refuses another Authorization scheme", "Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Authenticate(request(tc.header, tc.value))
			require.ErrorIs(t, err, auth.ErrUnauthenticated)
			require.NotContains(t, err.Error(), "guess", "never echo the credential")
		})
	}

	bad := []struct {
		name string
		key  auth.APIKey
	}{
		{"rejects a hash that is not SHA-256 hex", auth.APIKey{Name: "a", SHA256: "abc", User: "u"}},
		{"rejects a key without a user", auth.APIKey{Name: "a", SHA256: auth.HashKey("k")}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.New(auth.WithAPIKey(tc.key))
			require.Error(t, err)
		})
	}

	t.Run("rejects a key name configured twice", func(t *testing.T) {
		k := auth.APIKey{Name: "a", SHA256: auth.HashKey("k"), User: "u"}
		_, err := auth.New(auth.WithAPIKey(k), auth.WithAPIKey(k))
		require.Error(t, err)
	})
}

func TestJWT(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)

	set := newJWKS(t)
	set.keys.Store([]map[string]string{rsaJWK("r1", &rsaKey.PublicKey), ecJWK(t, "e1", &ecKey.PublicKey)})
	a, err := auth.New(
		auth.WithClock(func() time.Time { return now }),
		auth.WithIssuer(auth.Issuer{Issuer: "https://idp.example", Audience: "govledger-gateway", JWKSURL: set.srv.URL, AdminRole: "gateway-admin"}),
	)
	require.NoError(t, err)

	accepted := []struct {
		name  string
		token func() string
		admin bool
	}{
		{"accepts an RS256 token from the JWKS", func() string { return mint(t, rsaKey, "r1", "", claims(nil)) }, false},
		{"accepts an ES256 token from the JWKS", func() string { return mint(t, ecKey, "e1", "", claims(nil)) }, false},
		{"accepts a token without kid", func() string { return mint(t, ecKey, "", "", claims(nil)) }, false},
		{"accepts a single-string audience", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { c["aud"] = "govledger-gateway" }))
		}, false},
		{"tolerates small clock skew", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { c["exp"] = now.Add(-30 * time.Second).Unix() }))
		}, false},
		{"grants admin through the configured role", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { c["roles"] = []string{"gateway-admin"} }))
		}, true},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			c, err := a.Authenticate(request("Authorization", "Bearer "+tc.token()))
			require.NoError(t, err)
			require.Equal(t, "jwt:https://idp.example#alice", c.ID)
			require.Equal(t, "buyer1", c.User)
			require.Equal(t, tc.admin, c.Admin)
			require.Equal(t, auth.SchemeJWT, c.Scheme)
		})
	}

	refused := []struct {
		name   string
		token  func() string
		reason string
	}{
		{"refuses an expired token", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() }))
		}, "expired"},
		{"refuses a token without exp", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { delete(c, "exp") }))
		}, "no exp"},
		{"refuses a token not valid yet", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }))
		}, "not valid yet"},
		{"refuses a token for another audience", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { c["aud"] = "someone-else" }))
		}, "audience"},
		{"refuses an untrusted issuer", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { c["iss"] = "https://evil.example" }))
		}, "untrusted issuer"},
		{"refuses a token signed by an unknown key", func() string { return mint(t, otherKey, "r1", "", claims(nil)) }, "signature"},
		{"refuses a kid nobody publishes", func() string { return mint(t, otherKey, "zz", "", claims(nil)) }, "signature"},
		{"refuses alg none", func() string {
			tok := mint(t, rsaKey, "r1", "", claims(nil))
			parts := strings.Split(tok, ".")
			return b64([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
		}, "RS256 or ES256"},
		{"refuses an RSA key presented as ES256", func() string { return mint(t, rsaKey, "r1", "ES256", claims(nil)) }, "signature"},
		{"refuses a tampered payload", func() string {
			tok := mint(t, rsaKey, "r1", "", claims(nil))
			parts := strings.Split(tok, ".")
			body, _ := json.Marshal(claims(func(c map[string]any) { c["govledger_user"] = "Admin" }))
			return parts[0] + "." + b64(body) + "." + parts[2]
		}, "signature"},
		{"refuses a token without the user claim", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { delete(c, "govledger_user") }))
		}, "govledger_user"},
		{"refuses a token without sub", func() string {
			return mint(t, rsaKey, "r1", "", claims(func(c map[string]any) { delete(c, "sub") }))
		}, "no sub"},
		{"refuses garbage", func() string { return "not-a-token" }, "compact JWS"},
		{"refuses an oversized token", func() string { return strings.Repeat("a", 9000) }, "too large"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Authenticate(request("Authorization", "Bearer "+tc.token()))
			require.ErrorIs(t, err, auth.ErrUnauthenticated)
			var ce *auth.CredentialError
			require.ErrorAs(t, err, &ce)
			require.Contains(t, ce.Reason, tc.reason)
		})
	}

	t.Run("refetches the JWKS when a rotated key appears", func(t *testing.T) {
		rotated, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		clock := now
		b, err := auth.New(
			auth.WithClock(func() time.Time { return clock }),
			auth.WithIssuer(auth.Issuer{Issuer: "https://idp.example", Audience: "govledger-gateway", JWKSURL: set.srv.URL}),
		)
		require.NoError(t, err)
		_, err = b.Authenticate(request("Authorization", "Bearer "+mint(t, rsaKey, "r1", "", claims(nil))))
		require.NoError(t, err)
		set.keys.Store([]map[string]string{rsaJWK("r1", &rsaKey.PublicKey), rsaJWK("r2", &rotated.PublicKey)})
		clock = clock.Add(time.Minute)
		_, err = b.Authenticate(request("Authorization", "Bearer "+mint(t, rotated, "r2", "", claims(func(c map[string]any) {
			c["exp"] = clock.Add(time.Hour).Unix()
		}))))
		require.NoError(t, err)
	})

	t.Run("verifies against static keys and maps claim values to users", func(t *testing.T) {
		der, err := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
		require.NoError(t, err)
		static := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		b, err := auth.New(
			auth.WithClock(func() time.Time { return now }),
			auth.WithIssuer(auth.Issuer{Issuer: "https://idp.example", Audience: "govledger-gateway", StaticKeys: [][]byte{static},
				UserClaim: "email", Users: map[string]string{"alice@agency.example": "buyer1"}}),
		)
		require.NoError(t, err)
		c, err := b.Authenticate(request("Authorization", "Bearer "+mint(t, ecKey, "", "", claims(func(c map[string]any) {
			c["email"] = "alice@agency.example"
		}))))
		require.NoError(t, err)
		require.Equal(t, "buyer1", c.User)

		_, err = b.Authenticate(request("Authorization", "Bearer "+mint(t, ecKey, "", "", claims(func(c map[string]any) {
			c["email"] = "mallory@agency.example"
		}))))
		require.ErrorIs(t, err, auth.ErrForbidden)
	})

	badIssuers := []struct {
		name string
		iss  auth.Issuer
	}{
		{"rejects an issuer without audience", auth.Issuer{Issuer: "x", JWKSURL: "https://x"}},
		{"rejects an issuer without keys", auth.Issuer{Issuer: "x", Audience: "a"}},
		{"rejects a relative JWKS URL", auth.Issuer{Issuer: "x", Audience: "a", JWKSURL: "/jwks"}},
		{"rejects a static key that is not PEM", auth.Issuer{Issuer: "x", Audience: "a", StaticKeys: [][]byte{[]byte("nope")}}},
		{"rejects a weak RSA key", auth.Issuer{Issuer: "x", Audience: "a", StaticKeys: [][]byte{weakRSA(t)}}},
	}
	for _, tc := range badIssuers {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.New(auth.WithIssuer(tc.iss))
			require.Error(t, err)
		})
	}

	t.Run("fails closed when the JWKS is unreachable", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		b, err := auth.New(auth.WithClock(func() time.Time { return now }),
			auth.WithIssuer(auth.Issuer{Issuer: "https://idp.example", Audience: "govledger-gateway", JWKSURL: dead.URL}))
		require.NoError(t, err)
		_, err = b.Authenticate(request("Authorization", "Bearer "+mint(t, rsaKey, "r1", "", claims(nil))))
		require.ErrorIs(t, err, auth.ErrUnauthenticated)
	})
}

func weakRSA(t *testing.T) []byte {
	k, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // G403: the weak key is the point of the test
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
