// Package auth authenticates gateway callers and maps each to a wallet user
// of the organisation. Two schemes are accepted:
//
//   - API keys in the X-API-Key header. Only their SHA-256 hashes are
//     configured; a presented key is hashed and compared in constant time
//     against every configured hash.
//   - OIDC/JWT bearer tokens (Authorization: Bearer), RS256 or ES256 only,
//     verified against the issuer's JWKS or static keys, with iss, aud, exp
//     and nbf checked. A configured claim names the wallet user.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Schemes.
const (
	SchemeAPIKey = "api-key"
	SchemeJWT    = "jwt"
)

// APIKeyHeader carries an API key.
const APIKeyHeader = "X-API-Key" //nolint:gosec // G101: the name of a header, not a credential

// Sentinel errors.
var (
	// ErrUnauthenticated: no credential, or one that does not verify.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the caller is authenticated but not allowed.
	ErrForbidden = errors.New("forbidden")
)

// CredentialError says why a credential was refused. Reasons are safe to
// show to the client; they never echo the credential.
type CredentialError struct {
	Scheme string
	Reason string
	Err    error
}

func (e *CredentialError) Error() string {
	if e.Scheme == "" {
		return "unauthenticated: " + e.Reason
	}
	return fmt.Sprintf("unauthenticated (%s): %s", e.Scheme, e.Reason)
}

// Unwrap exposes ErrUnauthenticated and the cause.
func (e *CredentialError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrUnauthenticated, e.Err}
	}
	return []error{ErrUnauthenticated}
}

// Caller is an authenticated client.
type Caller struct {
	// ID is stable per client: key:<name> or jwt:<issuer>#<subject>. It
	// scopes rate limits, idempotency keys, receipts and subscriptions.
	ID string
	// User is the wallet user whose identity signs the caller's transactions.
	User   string
	Admin  bool
	Scheme string
}

// APIKey configures one API key.
type APIKey struct {
	// Name labels the key in logs and the audit trail.
	Name string
	// SHA256 is the hex SHA-256 of the key.
	SHA256 string
	User   string
	Admin  bool
}

type apiKey struct {
	APIKey
	hash []byte
}

// Authenticator checks credentials. Create it with New.
type Authenticator struct {
	keys    []apiKey
	issuers map[string]*issuer
	now     func() time.Time
	client  *http.Client
}

// Option configures an Authenticator.
type Option func(*Authenticator) error

// WithAPIKey accepts an API key.
func WithAPIKey(k APIKey) Option {
	return func(a *Authenticator) error {
		if k.Name == "" || k.User == "" {
			return fmt.Errorf("auth: API key needs a name and a user")
		}
		h, err := hex.DecodeString(strings.ToLower(k.SHA256))
		if err != nil || len(h) != sha256.Size {
			return fmt.Errorf("auth: API key %q: sha256 must be 64 hex digits", k.Name)
		}
		for _, other := range a.keys {
			if other.Name == k.Name {
				return fmt.Errorf("auth: API key %q configured twice", k.Name)
			}
		}
		a.keys = append(a.keys, apiKey{APIKey: k, hash: h})
		return nil
	}
}

// WithClock replaces time.Now for token time checks.
func WithClock(now func() time.Time) Option {
	return func(a *Authenticator) error {
		a.now = now
		return nil
	}
}

// WithHTTPClient sets the client JWKS documents are fetched with.
func WithHTTPClient(c *http.Client) Option {
	return func(a *Authenticator) error {
		a.client = c
		return nil
	}
}

// New creates an Authenticator.
func New(opts ...Option) (*Authenticator, error) {
	a := &Authenticator{
		issuers: map[string]*issuer{},
		now:     time.Now,
		client:  &http.Client{Timeout: 5 * time.Second},
	}
	for _, o := range opts {
		if err := o(a); err != nil {
			return nil, err
		}
	}
	for _, iss := range a.issuers {
		iss.client, iss.now = a.client, a.now
	}
	return a, nil
}

// HashKey returns the hex SHA-256 of an API key, the form configured.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Authenticate identifies the caller of a request.
func (a *Authenticator) Authenticate(r *http.Request) (Caller, error) {
	if key := r.Header.Get(APIKeyHeader); key != "" {
		return a.apiKey(key)
	}
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return Caller{}, &CredentialError{Reason: "send an X-API-Key header or an Authorization: Bearer token"}
	}
	scheme, token, ok := strings.Cut(authz, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return Caller{}, &CredentialError{Reason: "Authorization must use the Bearer scheme"}
	}
	return a.bearer(strings.TrimSpace(token))
}

func (a *Authenticator) apiKey(key string) (Caller, error) {
	sum := sha256.Sum256([]byte(key))
	var match *apiKey
	for i := range a.keys {
		// Compare against every key so timing does not reveal which matched.
		if subtle.ConstantTimeCompare(sum[:], a.keys[i].hash) == 1 {
			match = &a.keys[i]
		}
	}
	if match == nil {
		return Caller{}, &CredentialError{Scheme: SchemeAPIKey, Reason: "unknown API key"}
	}
	return Caller{ID: "key:" + match.Name, User: match.User, Admin: match.Admin, Scheme: SchemeAPIKey}, nil
}
