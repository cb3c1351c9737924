package deid

import (
	"fmt"
	"regexp"
	"slices"
)

// SuppressedRegion is the region reported for small-population areas and
// for patients without a usable postal code.
const SuppressedRegion = "000"

// MaxSmallPopulationPrefixes bounds Config so a hostile or corrupted
// configuration cannot make every Check expensive.
const MaxSmallPopulationPrefixes = 1000

// Config is the de-identification policy shared by the gate and the FHIR
// mapping. Both sides must use the same Config, or the gate will reject
// reports the mapping produced.
type Config struct {
	// SmallPopulationPrefixes lists the 3-digit ZIP prefixes whose combined
	// population is 20,000 or fewer; Safe Harbor requires these to be
	// reported as "000". The list changes with each census, so it is
	// configuration rather than code; SafeHarbor2000Prefixes is a starting
	// point.
	SmallPopulationPrefixes []string
}

// SafeHarbor2000Prefixes returns the 17 restricted 3-digit ZIP prefixes
// listed in HHS's 2012 de-identification guidance, computed from the 2000
// census. Operators should refresh it from current census data.
func SafeHarbor2000Prefixes() []string {
	return []string{"036", "059", "063", "102", "203", "556", "692", "790", "821",
		"823", "830", "831", "878", "879", "884", "890", "893"}
}

var threeDigits = regexp.MustCompile(`^[0-9]{3}$`)

// Validate checks every prefix is three digits, not "000", and listed once.
func (c Config) Validate() error {
	if len(c.SmallPopulationPrefixes) > MaxSmallPopulationPrefixes {
		return fmt.Errorf("%w: SmallPopulationPrefixes has more than %d entries", ErrConfig, MaxSmallPopulationPrefixes)
	}
	for i, p := range c.SmallPopulationPrefixes {
		if !threeDigits.MatchString(p) || p == SuppressedRegion {
			return fmt.Errorf("%w: SmallPopulationPrefixes[%d] must be three digits other than 000", ErrConfig, i)
		}
		if slices.Contains(c.SmallPopulationPrefixes[:i], p) {
			return fmt.Errorf("%w: SmallPopulationPrefixes[%d] is listed twice", ErrConfig, i)
		}
	}
	return nil
}

// suppressed reports whether prefix must be reported as SuppressedRegion.
func (c Config) suppressed(prefix string) bool {
	return slices.Contains(c.SmallPopulationPrefixes, prefix)
}

var usZIP = regexp.MustCompile(`^([0-9]{3})[0-9]{2}(-?[0-9]{4})?$`)

// Region maps a US ZIP code (12345, 12345-6789 or 123456789) to the region a
// report may carry: its 3-digit prefix, or SuppressedRegion when the prefix is
// in SmallPopulationPrefixes. Anything else is an ErrFormat error; the
// postal code itself never appears in the error.
func (c Config) Region(postalCode string) (string, error) {
	m := usZIP.FindStringSubmatch(postalCode)
	if m == nil {
		return "", fmt.Errorf("%w: postal code must be a US ZIP code (5 or 9 digits)", ErrFormat)
	}
	if c.suppressed(m[1]) {
		return SuppressedRegion, nil
	}
	return m[1], nil
}
