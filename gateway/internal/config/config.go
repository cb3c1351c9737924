// Package config is the gateway's configuration: one optional YAML file,
// then GOVLEDGER_* environment overrides, then defaults that run against the
// local test network (`go run ./test-network/cmd/govnet up`) with no editing.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ErrInvalid is wrapped by every configuration error.
var ErrInvalid = errors.New("invalid gateway configuration")

// FieldError names the setting that breaks a rule; Field is the YAML path
// or the environment variable.
type FieldError struct {
	Field string
	Rule  string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%v: %s: %s", ErrInvalid, e.Field, e.Rule) }

// Unwrap makes every FieldError match ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Config is the whole configuration.
type Config struct {
	// Org is the MSP ID the gateway serves; it picks the default profile.
	Org string `yaml:"org"`
	// Listen is the HTTP address.
	Listen string `yaml:"listen"`
	// Profile is the connection profile network/cmd/netgen wrote.
	Profile string `yaml:"profile"`
	// Chaincodes to serve; default every chaincode in the profile.
	Chaincodes []string `yaml:"chaincodes"`
	// ServiceUser is the wallet user that reads metadata, block height,
	// commit statuses and events for the gateway itself.
	ServiceUser string `yaml:"serviceUser"`
	// StateFile is the bbolt journal (transactions, idempotency keys,
	// subscriptions, checkpoints).
	StateFile string `yaml:"stateFile"`
	// AuditLog is the append-only JSON-lines request audit trail.
	AuditLog string `yaml:"auditLog"`
	// ReadOnly refuses every submit; forced on for a read-only profile.
	ReadOnly bool `yaml:"readOnly"`
	// LogLevel is debug, info, warn or error.
	LogLevel  string   `yaml:"logLevel"`
	Timeouts  Timeouts `yaml:"timeouts"`
	Limits    Limits   `yaml:"limits"`
	Retry     Retry    `yaml:"retry"`
	Retention Duration `yaml:"retention"`
	Auth      Auth     `yaml:"auth"`
	Webhooks  Webhooks `yaml:"webhooks"`
	Health    Health   `yaml:"health"`
	// AuditWatch opens audit requests from procurement red flags.
	AuditWatch AuditWatch `yaml:"auditWatch"`
}

// Timeouts bound each Fabric phase and the server's own waits.
type Timeouts struct {
	Evaluate     Duration `yaml:"evaluate"`
	Endorse      Duration `yaml:"endorse"`
	Submit       Duration `yaml:"submit"`
	CommitStatus Duration `yaml:"commitStatus"`
	// SyncWait is how long a synchronous submit waits before answering 504
	// with the transaction id (the operation carries on).
	SyncWait Duration `yaml:"syncWait"`
	// Shutdown is how long a stopping gateway drains in-flight submits.
	Shutdown Duration `yaml:"shutdown"`
}

// Limits protect the gateway.
type Limits struct {
	MaxBodyBytes  int64   `yaml:"maxBodyBytes"`
	RatePerSecond float64 `yaml:"ratePerSecond"`
	Burst         int     `yaml:"burst"`
}

// Retry bounds re-endorsement after read conflicts.
type Retry struct {
	MaxAttempts int `yaml:"maxAttempts"`
}

// Auth lists accepted credentials.
type Auth struct {
	APIKeys []APIKey `yaml:"apiKeys"`
	Issuers []Issuer `yaml:"issuers"`
}

// APIKey maps the SHA-256 of a key to a wallet user.
type APIKey struct {
	Name   string `yaml:"name"`
	SHA256 string `yaml:"sha256"`
	User   string `yaml:"user"`
	Admin  bool   `yaml:"admin"`
}

// Issuer is a trusted OIDC token issuer.
type Issuer struct {
	Issuer   string `yaml:"issuer"`
	Audience string `yaml:"audience"`
	JWKSURL  string `yaml:"jwksURL"`
	// StaticKeys are PEM public key or certificate files.
	StaticKeys []string          `yaml:"staticKeys"`
	UserClaim  string            `yaml:"userClaim"`
	Users      map[string]string `yaml:"users"`
	AdminRole  string            `yaml:"adminRole"`
	Leeway     Duration          `yaml:"leeway"`
}

// Health configures the public-health edge of a HospitalMSP gateway.
type Health struct {
	// PseudonymSecretFile holds the secret the reporting hospitals share to
	// derive patient keys (mode 0600 or stricter, at least 32 bytes). Setting
	// it enables POST /v1/health/fhir, which only a HospitalMSP gateway
	// serves; the secret never leaves the gateway.
	PseudonymSecretFile string `yaml:"pseudonymSecretFile"`
}

// AuditWatch configures the AuditOfficeMSP gateway's red-flag listener
// (package auditwatch): it follows procurement events and submits audit
// OpenRequestFromRedFlag for every red flag, as User.
type AuditWatch struct {
	Enabled bool `yaml:"enabled"`
	// User is the wallet user (an auditor) the requests are submitted as.
	User string `yaml:"user"`
	// Engagements maps a buying agency's code (a tender's buyer.id) to the
	// engagement its flags open requests on.
	Engagements map[string]string `yaml:"engagements"`
	// StandingEngagements sends the flags of an agency not in Engagements
	// to the agency's newest engagement that still takes requests.
	StandingEngagements bool `yaml:"standingEngagements"`
	// AgencyMSP is the buying agencies' organisation.
	AgencyMSP string `yaml:"agencyMSP"`
	// StartBlock is where to begin when there is no checkpoint yet.
	StartBlock uint64 `yaml:"startBlock"`
	// CheckpointFile holds the position (Fabric Gateway SDK checkpointer
	// format); ParkedFile collects, one JSON line each, the flags given up
	// on.
	CheckpointFile string `yaml:"checkpointFile"`
	ParkedFile     string `yaml:"parkedFile"`
	// RefusalAttempts is how often a refused flag is tried before it is
	// parked.
	RefusalAttempts int      `yaml:"refusalAttempts"`
	InitialBackoff  Duration `yaml:"initialBackoff"`
	MaxBackoff      Duration `yaml:"maxBackoff"`
}

// Webhooks tunes deliveries.
type Webhooks struct {
	// AllowedHosts restricts webhook URLs; empty allows any host.
	AllowedHosts   []string `yaml:"allowedHosts"`
	InitialBackoff Duration `yaml:"initialBackoff"`
	MaxBackoff     Duration `yaml:"maxBackoff"`
}

// Duration is a time.Duration written as "15s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses Go duration syntax.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 15s or 1m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// D is the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// DefaultOrg is the organisation served when none is configured.
const DefaultOrg = "ProcurementMSP"

// Defaults returns the configuration used for unset fields.
func Defaults() Config {
	return Config{
		Org:         DefaultOrg,
		Listen:      "127.0.0.1:8080",
		ServiceUser: "Admin",
		LogLevel:    "info",
		Timeouts: Timeouts{
			Evaluate:     Duration(5 * time.Second),
			Endorse:      Duration(15 * time.Second),
			Submit:       Duration(5 * time.Second),
			CommitStatus: Duration(time.Minute),
			SyncWait:     Duration(70 * time.Second),
			Shutdown:     Duration(30 * time.Second),
		},
		Limits:    Limits{MaxBodyBytes: 1 << 20, RatePerSecond: 50, Burst: 100},
		Retry:     Retry{MaxAttempts: 3},
		Retention: Duration(24 * time.Hour),
		Webhooks:  Webhooks{InitialBackoff: Duration(time.Second), MaxBackoff: Duration(5 * time.Minute)},
		AuditWatch: AuditWatch{
			AgencyMSP: "ProcurementMSP", RefusalAttempts: 3,
			InitialBackoff: Duration(time.Second), MaxBackoff: Duration(time.Minute),
		},
	}
}

// Load reads the YAML file at path ("" for none), applies environment
// overrides from lookup (os.LookupEnv in production), fills defaults and
// validates. Unknown YAML keys are errors.
func Load(path string, lookup func(string) (string, bool)) (*Config, error) {
	c := Defaults()
	if path != "" {
		raw, err := os.ReadFile(filepath.Clean(path))
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, path, err)
		}
	}
	if err := c.applyEnv(lookup); err != nil {
		return nil, err
	}
	c.fillPaths()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// fillPaths derives file locations from the organisation: the local
// network's state folder (.state, relative to the repository root the
// gateway is started from).
func (c *Config) fillPaths() {
	if c.Profile == "" {
		c.Profile = filepath.Join(".state", "config", "profiles", c.Org+".json")
	}
	if c.StateFile == "" {
		c.StateFile = filepath.Join(".state", "gateway", c.Org, "gateway.db")
	}
	if c.AuditLog == "" {
		c.AuditLog = filepath.Join(".state", "gateway", c.Org, "audit.jsonl")
	}
	if c.AuditWatch.CheckpointFile == "" {
		c.AuditWatch.CheckpointFile = filepath.Join(".state", "gateway", c.Org, "auditwatch-checkpoint.json")
	}
	if c.AuditWatch.ParkedFile == "" {
		c.AuditWatch.ParkedFile = filepath.Join(".state", "gateway", c.Org, "auditwatch-parked.jsonl")
	}
}

// env lists every override: variable, YAML path, and how to apply it.
type override struct {
	name  string
	apply func(c *Config, v string) error
}

func overrides() []override {
	str := func(dst func(*Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error { *dst(c) = v; return nil }
	}
	dur := func(dst func(*Config) *Duration) func(*Config, string) error {
		return func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return errors.New("must be a duration like 15s")
			}
			*dst(c) = Duration(d)
			return nil
		}
	}
	boolean := func(dst func(*Config) *bool) func(*Config, string) error {
		return func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			*dst(c) = b
			return nil
		}
	}
	list := func(dst func(*Config) *[]string) func(*Config, string) error {
		return func(c *Config, v string) error {
			*dst(c) = splitList(v)
			return nil
		}
	}
	return []override{
		{"GOVLEDGER_ORG", str(func(c *Config) *string { return &c.Org })},
		{"GOVLEDGER_LISTEN", str(func(c *Config) *string { return &c.Listen })},
		{"GOVLEDGER_PROFILE", str(func(c *Config) *string { return &c.Profile })},
		{"GOVLEDGER_CHAINCODES", list(func(c *Config) *[]string { return &c.Chaincodes })},
		{"GOVLEDGER_SERVICE_USER", str(func(c *Config) *string { return &c.ServiceUser })},
		{"GOVLEDGER_STATE_FILE", str(func(c *Config) *string { return &c.StateFile })},
		{"GOVLEDGER_AUDIT_LOG", str(func(c *Config) *string { return &c.AuditLog })},
		{"GOVLEDGER_HEALTH_PSEUDONYM_SECRET_FILE", str(func(c *Config) *string { return &c.Health.PseudonymSecretFile })},
		{"GOVLEDGER_LOG_LEVEL", str(func(c *Config) *string { return &c.LogLevel })},
		{"GOVLEDGER_READ_ONLY", func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.ReadOnly = b
			return nil
		}},
		{"GOVLEDGER_TIMEOUT_EVALUATE", dur(func(c *Config) *Duration { return &c.Timeouts.Evaluate })},
		{"GOVLEDGER_TIMEOUT_ENDORSE", dur(func(c *Config) *Duration { return &c.Timeouts.Endorse })},
		{"GOVLEDGER_TIMEOUT_SUBMIT", dur(func(c *Config) *Duration { return &c.Timeouts.Submit })},
		{"GOVLEDGER_TIMEOUT_COMMIT_STATUS", dur(func(c *Config) *Duration { return &c.Timeouts.CommitStatus })},
		{"GOVLEDGER_TIMEOUT_SYNC_WAIT", dur(func(c *Config) *Duration { return &c.Timeouts.SyncWait })},
		{"GOVLEDGER_TIMEOUT_SHUTDOWN", dur(func(c *Config) *Duration { return &c.Timeouts.Shutdown })},
		{"GOVLEDGER_RETENTION", dur(func(c *Config) *Duration { return &c.Retention })},
		{"GOVLEDGER_MAX_BODY_BYTES", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errors.New("must be an integer")
			}
			c.Limits.MaxBodyBytes = n
			return nil
		}},
		{"GOVLEDGER_RATE_PER_SECOND", func(c *Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return errors.New("must be a number")
			}
			c.Limits.RatePerSecond = f
			return nil
		}},
		{"GOVLEDGER_RATE_BURST", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errors.New("must be an integer")
			}
			c.Limits.Burst = n
			return nil
		}},
		{"GOVLEDGER_MAX_ATTEMPTS", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errors.New("must be an integer")
			}
			c.Retry.MaxAttempts = n
			return nil
		}},
		{"GOVLEDGER_WEBHOOK_ALLOWED_HOSTS", list(func(c *Config) *[]string { return &c.Webhooks.AllowedHosts })},
		{"GOVLEDGER_AUDIT_WATCH", boolean(func(c *Config) *bool { return &c.AuditWatch.Enabled })},
		{"GOVLEDGER_AUDIT_WATCH_USER", str(func(c *Config) *string { return &c.AuditWatch.User })},
		{"GOVLEDGER_AUDIT_WATCH_ENGAGEMENTS", func(c *Config, v string) error {
			m, err := parseEngagements(v)
			if err != nil {
				return err
			}
			c.AuditWatch.Engagements = m
			return nil
		}},
		{"GOVLEDGER_AUDIT_WATCH_STANDING", boolean(func(c *Config) *bool { return &c.AuditWatch.StandingEngagements })},
		{"GOVLEDGER_AUDIT_WATCH_START_BLOCK", func(c *Config, v string) error {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return errors.New("must be a block number")
			}
			c.AuditWatch.StartBlock = n
			return nil
		}},
		{"GOVLEDGER_API_KEYS", func(c *Config, v string) error {
			keys, err := parseAPIKeys(v)
			if err != nil {
				return err
			}
			c.Auth.APIKeys = keys
			return nil
		}},
	}
}

// EnvVars lists the supported environment variables, for documentation and
// -help output.
func EnvVars() []string {
	var out []string
	for _, o := range overrides() {
		out = append(out, o.name)
	}
	return out
}

func (c *Config) applyEnv(lookup func(string) (string, bool)) error {
	if lookup == nil {
		return nil
	}
	for _, o := range overrides() {
		v, ok := lookup(o.name)
		if !ok {
			continue
		}
		if err := o.apply(c, strings.TrimSpace(v)); err != nil {
			return &FieldError{Field: o.name, Rule: err.Error()}
		}
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseEngagements reads agency=engagement entries separated by commas.
func parseEngagements(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, entry := range splitList(v) {
		agency, engagement, ok := strings.Cut(entry, "=")
		agency, engagement = strings.TrimSpace(agency), strings.TrimSpace(engagement)
		if !ok || agency == "" || engagement == "" {
			return nil, errors.New("entries must be agency=engagement")
		}
		if _, dup := out[agency]; dup {
			return nil, fmt.Errorf("agency %s is listed twice", agency)
		}
		out[agency] = engagement
	}
	return out, nil
}

// parseAPIKeys reads name:sha256:user[:admin] entries separated by commas.
func parseAPIKeys(v string) ([]APIKey, error) {
	var out []APIKey
	for _, entry := range splitList(v) {
		parts := strings.Split(entry, ":")
		if len(parts) < 3 || len(parts) > 4 || (len(parts) == 4 && parts[3] != "admin") {
			return nil, errors.New("entries must be name:sha256:user or name:sha256:user:admin")
		}
		out = append(out, APIKey{Name: parts[0], SHA256: parts[1], User: parts[2], Admin: len(parts) == 4})
	}
	return out, nil
}

var (
	mspPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$`)
	hashPattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// Validate checks every setting and names the first broken one.
func (c *Config) Validate() error {
	fail := func(field, rule string) error { return &FieldError{Field: field, Rule: rule} }
	if !mspPattern.MatchString(c.Org) {
		return fail("org", "must be an MSP ID")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fail("listen", "must be host:port")
	}
	for name, v := range map[string]string{"profile": c.Profile, "serviceUser": c.ServiceUser, "stateFile": c.StateFile, "auditLog": c.AuditLog} {
		if v == "" {
			return fail(name, "is required")
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fail("logLevel", "must be debug, info, warn or error")
	}
	for i, cc := range c.Chaincodes {
		if cc == "" {
			return fail(fmt.Sprintf("chaincodes[%d]", i), "is empty")
		}
	}
	for name, d := range map[string]Duration{
		"timeouts.evaluate": c.Timeouts.Evaluate, "timeouts.endorse": c.Timeouts.Endorse, "timeouts.submit": c.Timeouts.Submit,
		"timeouts.commitStatus": c.Timeouts.CommitStatus, "timeouts.syncWait": c.Timeouts.SyncWait, "timeouts.shutdown": c.Timeouts.Shutdown,
		"retention": c.Retention, "webhooks.initialBackoff": c.Webhooks.InitialBackoff, "webhooks.maxBackoff": c.Webhooks.MaxBackoff,
	} {
		if d <= 0 {
			return fail(name, "must be positive")
		}
	}
	if c.Webhooks.MaxBackoff < c.Webhooks.InitialBackoff {
		return fail("webhooks.maxBackoff", "must not be below initialBackoff")
	}
	if c.Limits.MaxBodyBytes < 1024 || c.Limits.MaxBodyBytes > 64<<20 {
		return fail("limits.maxBodyBytes", "must be within 1 KiB..64 MiB")
	}
	if c.Limits.RatePerSecond <= 0 || c.Limits.Burst < 1 {
		return fail("limits", "ratePerSecond must be positive and burst at least 1")
	}
	if c.Retry.MaxAttempts < 1 || c.Retry.MaxAttempts > 20 {
		return fail("retry.maxAttempts", "must be within 1..20")
	}
	if err := c.AuditWatch.validate(); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, k := range c.Auth.APIKeys {
		field := fmt.Sprintf("auth.apiKeys[%d]", i)
		switch {
		case k.Name == "" || names[k.Name]:
			return fail(field+".name", "must be set and unique")
		case !hashPattern.MatchString(k.SHA256):
			return fail(field+".sha256", "must be the 64-hex-digit SHA-256 of the key")
		case k.User == "":
			return fail(field+".user", "is required")
		}
		names[k.Name] = true
	}
	for i, iss := range c.Auth.Issuers {
		field := fmt.Sprintf("auth.issuers[%d]", i)
		switch {
		case iss.Issuer == "":
			return fail(field+".issuer", "is required")
		case iss.Audience == "":
			return fail(field+".audience", "is required")
		case iss.JWKSURL == "" && len(iss.StaticKeys) == 0:
			return fail(field, "needs jwksURL or staticKeys")
		}
	}
	return nil
}

// validate checks the audit watch settings when it is enabled; package
// auditwatch checks identifiers against the chaincodes' rules at start-up.
func (w AuditWatch) validate() error {
	if !w.Enabled {
		return nil
	}
	fail := func(field, rule string) error { return &FieldError{Field: "auditWatch." + field, Rule: rule} }
	switch {
	case w.User == "":
		return fail("user", "is required when enabled")
	case len(w.Engagements) == 0 && !w.StandingEngagements:
		return fail("engagements", "must name an engagement per agency unless standingEngagements is true")
	case !mspPattern.MatchString(w.AgencyMSP):
		return fail("agencyMSP", "must be an MSP ID")
	case w.CheckpointFile == "" || w.ParkedFile == "" || w.CheckpointFile == w.ParkedFile:
		return fail("parkedFile", "checkpointFile and parkedFile are required and must differ")
	case w.RefusalAttempts < 1 || w.RefusalAttempts > 100:
		return fail("refusalAttempts", "must be within 1..100")
	case w.InitialBackoff <= 0:
		return fail("initialBackoff", "must be positive")
	case w.MaxBackoff < w.InitialBackoff:
		return fail("maxBackoff", "must not be below initialBackoff")
	}
	for agency, engagement := range w.Engagements {
		if agency == "" || engagement == "" {
			return fail("engagements", "agency codes and engagement ids must not be empty")
		}
	}
	return nil
}

// Level is the parsed log level.
func (c *Config) Level() slog.Level {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	return level
}
