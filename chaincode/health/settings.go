package health

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Defaults and bounds of Config.
const (
	DefaultDuplicateWindowWeeks = 4   // a month: one illness, one count
	DefaultRetentionWeeks       = 156 // three years of records
	MinMinCellSize              = 2   // suppression can be tuned, never switched off
	MaxMinCellSize              = 100
	MaxDuplicateWindowWeeks     = 52
	MaxRetentionWeeks           = 520
)

// Config is the health organisations' privacy policy, set by a health-admin
// and read by every transaction, so every endorser applies the same one.
type Config struct {
	// MinCellSize is k of small-cell suppression.
	MinCellSize int `json:"minCellSize"`
	// DuplicateWindowWeeks is N of duplicate suppression.
	DuplicateWindowWeeks int `json:"duplicateWindowWeeks"`
	// RetentionWeeks is how long a case record is kept after it was received;
	// PurgeExpired removes older ones. The collection's blockToLive is the
	// backstop should nobody run it.
	RetentionWeeks int `json:"retentionWeeks"`
	// SmallPopulationPrefixes is the suppression list of the
	// de-identification gate: ZIP prefixes a report must give as "000".
	SmallPopulationPrefixes []string `json:"smallPopulationPrefixes"`
}

// DefaultConfig is the policy before any health-admin has set one; its
// suppression list is the 2000-census list HHS published.
func DefaultConfig() Config {
	return Config{
		MinCellSize:             DefaultMinCellSize,
		DuplicateWindowWeeks:    DefaultDuplicateWindowWeeks,
		RetentionWeeks:          DefaultRetentionWeeks,
		SmallPopulationPrefixes: deid.SafeHarbor2000Prefixes(),
	}
}

// Validate checks every field against its bounds. Retention must cover the
// duplicate window, or retention would forget episodes the window still needs.
func (c Config) Validate() error {
	err := validate.All(
		validate.InRange("minCellSize", c.MinCellSize, MinMinCellSize, MaxMinCellSize),
		validate.InRange("duplicateWindowWeeks", c.DuplicateWindowWeeks, 1, MaxDuplicateWindowWeeks),
		validate.InRange("retentionWeeks", c.RetentionWeeks, c.DuplicateWindowWeeks, MaxRetentionWeeks),
		validate.InRange("smallPopulationPrefixes", len(c.SmallPopulationPrefixes), 0, deid.MaxSmallPopulationPrefixes),
	)
	if err != nil {
		return err
	}
	for i, p := range c.SmallPopulationPrefixes {
		field := fmt.Sprintf("smallPopulationPrefixes[%d]", i)
		if err := ValidateRegion(field, p, false); err != nil {
			return err
		}
		if p == deid.SuppressedRegion {
			return validate.Fail(field, RuleRegion, "000 is the suppressed region itself")
		}
		if slices.Contains(c.SmallPopulationPrefixes[:i], p) {
			return validate.Fail(field, validate.RuleDuplicate, "is listed twice")
		}
	}
	return nil
}

// Deid is the gate's configuration under this policy.
func (c Config) Deid() deid.Config {
	return deid.Config{SmallPopulationPrefixes: slices.Clone(c.SmallPopulationPrefixes)}
}

// Settings is the stored policy with who set it. Revision 0 is DefaultConfig,
// never stored.
type Settings struct {
	Config    Config    `json:"config"`
	Revision  int       `json:"revision"`
	UpdatedAt time.Time `json:"updatedAt,omitzero" metadata:",optional"`
	UpdatedBy *Actor    `json:"updatedBy,omitempty" metadata:",optional"`
}

// DefaultSettings is revision 0.
func DefaultSettings() Settings { return Settings{Config: DefaultConfig()} }

// Update returns the next revision with c, which must be valid.
func (s Settings) Update(c Config, by Actor, at time.Time) (Settings, error) {
	if err := c.Validate(); err != nil {
		return Settings{}, err
	}
	return Settings{Config: c, Revision: s.Revision + 1, UpdatedAt: at.UTC(), UpdatedBy: &by}, nil
}

// Retention is the first week whose records are kept at time now: records
// received before it are expired.
func (c Config) Retention(now time.Time) time.Time {
	return now.UTC().AddDate(0, 0, -7*c.RetentionWeeks)
}

// Gate decodes a case report from its transient bytes and runs the
// de-identification gate under c. Every refusal is a *RejectionError naming
// the field as "report.<path>" and the rule; a deid configuration error
// (which Validate prevents) is returned as is, an INTERNAL error.
func (c Config) Gate(raw []byte) (deid.Report, error) {
	r, err := deid.DecodeReport(raw)
	if err != nil {
		var pe *deid.PathError
		if !errors.As(err, &pe) {
			return deid.Report{}, err
		}
		field, rule := "report", validate.RuleJSON
		if pe.Path != "" {
			field += "." + pe.Path
		}
		if errors.Is(err, deid.ErrLimit) {
			rule = validate.RuleMaxSize
		}
		return deid.Report{}, &RejectionError{Field: field, Rule: rule, Err: err}
	}
	if err := deid.Check(r, c.Deid()); err != nil {
		var v *deid.Violation
		if !errors.As(err, &v) {
			return deid.Report{}, err
		}
		return deid.Report{}, &RejectionError{Field: "report." + v.Field, Rule: string(v.Rule), Err: v}
	}
	return r, nil
}
