package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Issuer configures one trusted token issuer.
type Issuer struct {
	// Issuer is the exact iss claim.
	Issuer string
	// Audience must appear in the aud claim.
	Audience string
	// JWKSURL is fetched for signing keys (refetched, at most every
	// refetchInterval, when a token names an unknown kid).
	JWKSURL string
	// StaticKeys are PEM public keys used instead of, or besides, JWKS.
	StaticKeys [][]byte
	// UserClaim names the claim holding the wallet user (default
	// "govledger_user").
	UserClaim string
	// Users maps claim values to wallet users; when empty the claim value is
	// the wallet user itself.
	Users map[string]string
	// AdminRole, when set, makes tokens whose "roles" claim contains it
	// administrators.
	AdminRole string
	// Leeway tolerates clock skew on exp and nbf (default 60s).
	Leeway time.Duration
}

const (
	maxTokenBytes   = 8 << 10
	maxJWKSBytes    = 1 << 20
	refetchInterval = 30 * time.Second
	minRSABits      = 2048
)

type issuer struct {
	Issuer
	static []verifierKey
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	jwks      []verifierKey
	fetchedAt time.Time
}

type verifierKey struct {
	kid string
	key crypto.PublicKey
}

// WithIssuer trusts tokens from an issuer.
func WithIssuer(cfg Issuer) Option {
	return func(a *Authenticator) error {
		if cfg.Issuer == "" || cfg.Audience == "" {
			return errors.New("auth: issuer needs an issuer URL and an audience")
		}
		if cfg.JWKSURL == "" && len(cfg.StaticKeys) == 0 {
			return fmt.Errorf("auth: issuer %s needs a JWKS URL or static keys", cfg.Issuer)
		}
		if cfg.JWKSURL != "" {
			u, err := url.Parse(cfg.JWKSURL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return fmt.Errorf("auth: issuer %s: JWKS URL must be an absolute http(s) URL", cfg.Issuer)
			}
		}
		if _, dup := a.issuers[cfg.Issuer]; dup {
			return fmt.Errorf("auth: issuer %s configured twice", cfg.Issuer)
		}
		if cfg.UserClaim == "" {
			cfg.UserClaim = "govledger_user"
		}
		if cfg.Leeway == 0 {
			cfg.Leeway = time.Minute
		}
		iss := &issuer{Issuer: cfg}
		for i, p := range cfg.StaticKeys {
			k, err := parsePublicKey(p)
			if err != nil {
				return fmt.Errorf("auth: issuer %s static key %d: %w", cfg.Issuer, i, err)
			}
			iss.static = append(iss.static, verifierKey{key: k})
		}
		a.issuers[cfg.Issuer] = iss
		return nil
	}
}

func parsePublicKey(p []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(p)
	if block == nil {
		return nil, errors.New("not PEM")
	}
	if block.Type == "CERTIFICATE" {
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		return checkKey(cert.PublicKey)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	return checkKey(k)
}

func checkKey(k crypto.PublicKey) (crypto.PublicKey, error) {
	switch t := k.(type) {
	case *rsa.PublicKey:
		if t.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key of %d bits; need %d", t.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey:
		if t.Curve != elliptic.P256() {
			return nil, errors.New("EC key must be on P-256")
		}
	default:
		return nil, fmt.Errorf("unsupported key type %T", k)
	}
	return k, nil
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

type claims struct {
	Iss   string          `json:"iss"`
	Sub   string          `json:"sub"`
	Aud   json.RawMessage `json:"aud"`
	Exp   *json.Number    `json:"exp"`
	Nbf   *json.Number    `json:"nbf"`
	Roles []string        `json:"roles"`
}

func (a *Authenticator) bearer(token string) (Caller, error) {
	fail := func(reason string, err error) (Caller, error) {
		return Caller{}, &CredentialError{Scheme: SchemeJWT, Reason: reason, Err: err}
	}
	if len(token) > maxTokenBytes {
		return fail("token too large", nil)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fail("token is not a compact JWS", nil)
	}
	var hdr jwtHeader
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return fail("undecodable token header", err)
	}
	if hdr.Alg != "RS256" && hdr.Alg != "ES256" {
		return fail("token algorithm must be RS256 or ES256", nil)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fail("undecodable token payload", err)
	}
	var all map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&all); err != nil {
		return fail("token payload is not a JSON object", err)
	}
	var c claims
	dec = json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return fail("token claims have the wrong types", err)
	}
	iss, ok := a.issuers[c.Iss]
	if !ok {
		return fail("untrusted issuer", nil)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fail("undecodable token signature", err)
	}
	if err := iss.verify(hdr, []byte(parts[0]+"."+parts[1]), sig); err != nil {
		return fail("signature does not verify", err)
	}
	now := a.now()
	if c.Exp == nil {
		return fail("token has no exp", nil)
	}
	exp, err := c.Exp.Float64()
	if err != nil || now.After(unix(exp).Add(iss.Leeway)) {
		return fail("token expired", err)
	}
	if c.Nbf != nil {
		nbf, err := c.Nbf.Float64()
		if err != nil || now.Add(iss.Leeway).Before(unix(nbf)) {
			return fail("token not valid yet", err)
		}
	}
	if !audienceHas(c.Aud, iss.Audience) {
		return fail("token audience does not include this gateway", nil)
	}
	if c.Sub == "" {
		return fail("token has no sub", nil)
	}
	var claimValue string
	if raw, ok := all[iss.UserClaim]; !ok || json.Unmarshal(raw, &claimValue) != nil || claimValue == "" {
		return fail("token has no string claim "+iss.UserClaim, nil)
	}
	user := claimValue
	if len(iss.Users) > 0 {
		if user, ok = iss.Users[claimValue]; !ok {
			return Caller{}, fmt.Errorf("%w: claim %s maps to no wallet user", ErrForbidden, iss.UserClaim)
		}
	}
	return Caller{
		ID:     "jwt:" + c.Iss + "#" + c.Sub,
		User:   user,
		Admin:  iss.AdminRole != "" && slices.Contains(c.Roles, iss.AdminRole),
		Scheme: SchemeJWT,
	}, nil
}

func unix(f float64) time.Time {
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9))
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, want)
}

// verify checks the signature with the key the header names (or, without a
// kid, any key), refetching the JWKS once when no cached key has that kid.
func (iss *issuer) verify(hdr jwtHeader, signed, sig []byte) error {
	digest := sha256.Sum256(signed)
	try := func(keys []verifierKey) (found, ok bool) {
		for _, k := range keys {
			if hdr.Kid != "" && k.kid != "" && k.kid != hdr.Kid {
				continue
			}
			found = true
			if verifyWith(hdr.Alg, k.key, digest[:], sig) {
				return true, true
			}
		}
		return found, false
	}
	if _, ok := try(iss.static); ok {
		return nil
	}
	if iss.JWKSURL == "" {
		return errors.New("no configured key verifies the token")
	}
	keys, err := iss.keys(false)
	if err != nil {
		return err
	}
	found, ok := try(keys)
	if ok {
		return nil
	}
	if !found {
		if keys, err = iss.keys(true); err != nil {
			return err
		}
		if _, ok := try(keys); ok {
			return nil
		}
	}
	return errors.New("no published key verifies the token")
}

func verifyWith(alg string, key crypto.PublicKey, digest, sig []byte) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == "RS256" && rsa.VerifyPKCS1v15(k, crypto.SHA256, digest, sig) == nil
	case *ecdsa.PublicKey:
		if alg != "ES256" || len(sig) != 64 {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

// keys returns the cached JWKS, fetching it when absent or, with refresh,
// when the cache is older than refetchInterval.
func (iss *issuer) keys(refresh bool) ([]verifierKey, error) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	stale := iss.jwks == nil || (refresh && iss.now().Sub(iss.fetchedAt) >= refetchInterval)
	if !stale {
		return iss.jwks, nil
	}
	keys, err := iss.fetch()
	if err != nil {
		if iss.jwks != nil {
			return iss.jwks, nil
		}
		return nil, err
	}
	iss.jwks, iss.fetchedAt = keys, iss.now()
	return keys, nil
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

func (iss *issuer) fetch() ([]verifierKey, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, iss.JWKSURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := iss.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // the body was read or is abandoned
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS: status %d", resp.StatusCode)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSBytes)).Decode(&set); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	var out []verifierKey
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		key, err := k.publicKey()
		if err != nil {
			continue
		}
		out = append(out, verifierKey{kid: k.Kid, key: key})
	}
	return out, nil
}

func (k jwk) publicKey() (crypto.PublicKey, error) {
	b := func(s string) (*big.Int, error) {
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			return nil, err
		}
		return new(big.Int).SetBytes(raw), nil
	}
	switch k.Kty {
	case "RSA":
		n, err := b(k.N)
		if err != nil {
			return nil, err
		}
		e, err := b(k.E)
		if err != nil || !e.IsInt64() || e.Int64() > 1<<31 {
			return nil, errors.New("bad RSA exponent")
		}
		return checkKey(&rsa.PublicKey{N: n, E: int(e.Int64())})
	case "EC":
		if k.Crv != "P-256" {
			return nil, errors.New("unsupported curve")
		}
		x, errX := base64.RawURLEncoding.DecodeString(k.X)
		y, errY := base64.RawURLEncoding.DecodeString(k.Y)
		if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			return nil, errors.New("P-256 coordinates must be 32 bytes each")
		}
		point := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		if err != nil {
			return nil, fmt.Errorf("EC point: %w", err)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("unsupported key type %q", k.Kty)
}
