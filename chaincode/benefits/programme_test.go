package benefits

import (
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/identity"
	"github.com/stretchr/testify/require"
)

func TestNewProgramme(t *testing.T) {
	t.Run("defines version 1 with a canonical rule and sorted sources", func(t *testing.T) {
		spec := programmeSpec()
		spec.Rule = strings.ReplaceAll(exampleRule, " ", "")
		p, err := NewProgramme(spec, "SSA", t0)
		require.NoError(t, err)
		require.EqualValues(t, 1, p.Version)
		require.Equal(t, exampleRule, p.Rule)
		require.Equal(t, "SSA", p.Agency)
		require.Equal(t, ProgrammeOpen, p.Status)
		require.Equal(t, "ageOver18", p.Sources[0].Claim)
		require.Equal(t, []string{"IncomeCredential", "ResidencyCredential"}, p.Kinds())
		kind, ok := p.SourceKind("incomeBand")
		require.True(t, ok)
		require.Equal(t, "IncomeCredential", kind)
		_, ok = p.SourceKind("postcode")
		require.False(t, ok)
		require.Equal(t, "housing", p.ExclusivityKey())
	})
	t.Run("puts a programme without a group in a group of its own", func(t *testing.T) {
		spec := programmeSpec()
		spec.ExclusivityGroup = ""
		p, err := NewProgramme(spec, "SSA", t0)
		require.NoError(t, err)
		require.Equal(t, "programme:housing-support", p.ExclusivityKey())
	})

	rejects := []struct {
		name   string
		edit   func(*ProgrammeSpec)
		agency string
		at     time.Time
		field  string
	}{
		{"rejects a malformed owner", func(*ProgrammeSpec) {}, "ssa", t0, "agency"},
		{"rejects a malformed id", func(s *ProgrammeSpec) { s.ID = "" }, "SSA", t0, "id"},
		{"rejects a blank name", func(s *ProgrammeSpec) { s.Name = "  " }, "SSA", t0, "name"},
		{"rejects an overlong name", func(s *ProgrammeSpec) { s.Name = strings.Repeat("n", MaxNameLen+1) }, "SSA", t0, "name"},
		{"rejects a rule that does not parse", func(s *ProgrammeSpec) { s.Rule = "all(" }, "SSA", t0, "rule"},
		{"rejects a claim without a source", func(s *ProgrammeSpec) { s.Sources = s.Sources[1:] }, "SSA", t0, "sources"},
		{"rejects a source the rule does not read", func(s *ProgrammeSpec) {
			s.Sources = append(s.Sources, ClaimSource{Claim: "postcode", Kind: "ResidencyCredential"})
		}, "SSA", t0, "sources"},
		{"rejects a claim listed twice", func(s *ProgrammeSpec) {
			s.Sources = append(s.Sources, ClaimSource{Claim: "residency", Kind: "IncomeCredential"})
		}, "SSA", t0, "sources"},
		{"rejects a malformed source claim", func(s *ProgrammeSpec) { s.Sources[0].Claim = "Residency" }, "SSA", t0, "sources[0].claim"},
		{"rejects a malformed source kind", func(s *ProgrammeSpec) { s.Sources[0].Kind = "residency" }, "SSA", t0, "sources[3].kind"},
		{"rejects an unknown assurance level", func(s *ProgrammeSpec) { s.MinAssurance = "" }, "SSA", t0, "minAssurance"},
		{"rejects a malformed purpose", func(s *ProgrammeSpec) { s.Purpose = "Benefits" }, "SSA", t0, "purpose"},
		{"rejects a malformed group", func(s *ProgrammeSpec) { s.ExclusivityGroup = "programme:x" }, "SSA", t0, "exclusivityGroup"},
		{"rejects a zero amount", func(s *ProgrammeSpec) { s.Benefit.Amount.Minor = 0 }, "SSA", t0, "benefit.amount.minor"},
		{"rejects an amount above the cap", func(s *ProgrammeSpec) { s.Benefit.Amount.Minor = MaxMinorUnits + 1 }, "SSA", t0, "benefit.amount.minor"},
		{"rejects a malformed currency", func(s *ProgrammeSpec) { s.Benefit.Amount.Currency = "eur" }, "SSA", t0, "benefit.amount.currency"},
		{"rejects a monthly benefit without months", func(s *ProgrammeSpec) { s.Benefit.Months = 0 }, "SSA", t0, "benefit.months"},
		{"rejects too many months", func(s *ProgrammeSpec) { s.Benefit.Months = MaxMonths + 1 }, "SSA", t0, "benefit.months"},
		{"rejects months on a one-off benefit", func(s *ProgrammeSpec) { s.Benefit.Schedule = ScheduleOneOff }, "SSA", t0, "benefit.months"},
		{"rejects an unknown schedule", func(s *ProgrammeSpec) { s.Benefit.Schedule = "weekly" }, "SSA", t0, "benefit.schedule"},
		{"rejects a missing time", func(*ProgrammeSpec) {}, "SSA", time.Time{}, "at"},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			spec := programmeSpec()
			tt.edit(&spec)
			_, err := NewProgramme(spec, tt.agency, tt.at)
			require.ErrorIs(t, err, ErrInvalid)
			if fr, ok := err.(interface{ ErrorField() string }); ok {
				require.Equal(t, tt.field, fr.ErrorField())
			} else {
				t.Fatalf("error %v names no field", err)
			}
		})
	}
}

func TestProgrammeVersions(t *testing.T) {
	t.Run("revises into the next version that supersedes the last", func(t *testing.T) {
		p := newProgramme(t)
		spec := programmeSpec()
		spec.Rule = `all(residency == "resident", ageOver18 == true)`
		spec.Sources = spec.Sources[:2]
		v2, err := p.Revise(spec, t0.Add(time.Hour))
		require.NoError(t, err)
		require.EqualValues(t, 2, v2.Version)
		require.EqualValues(t, 1, v2.Supersedes)
		require.Equal(t, "SSA", v2.Agency)
		require.Equal(t, []string{"ResidencyCredential"}, v2.Kinds())
		require.EqualValues(t, 1, p.Version, "the old version is left as it was")
	})
	t.Run("refuses to revise under another id", func(t *testing.T) {
		spec := programmeSpec()
		spec.ID = "other"
		_, err := newProgramme(t).Revise(spec, t0)
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("refuses an invalid revision", func(t *testing.T) {
		spec := programmeSpec()
		spec.Rule = "x"
		_, err := newProgramme(t).Revise(spec, t0)
		require.ErrorIs(t, err, ErrSyntax)
	})
	t.Run("refuses to revise past the version limit", func(t *testing.T) {
		p := newProgramme(t)
		p.Version = MaxVersion
		_, err := p.Revise(programmeSpec(), t0)
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("closes once and then refuses revision and applications", func(t *testing.T) {
		p := newProgramme(t)
		require.NoError(t, p.Close(t0.Add(time.Hour)))
		require.Equal(t, ProgrammeClosed, p.Status)
		require.ErrorIs(t, p.Close(t0), ErrTransition)
		_, err := p.Revise(programmeSpec(), t0)
		require.ErrorIs(t, err, ErrTransition)
		_, err = NewApplication("app-1", p, subjectOf(t, "AB1"), "SSA", t0)
		require.ErrorIs(t, err, ErrTransition)
	})
	t.Run("reports a tampered stored rule", func(t *testing.T) {
		p := newProgramme(t)
		p.Rule = "all("
		_, err := p.ParsedRule()
		require.ErrorIs(t, err, ErrSyntax)
		_, err = p.Assess(subjectOf(t, "AB1"), nil, t0)
		require.ErrorIs(t, err, ErrSyntax)
	})
}

func TestMoneyValidate(t *testing.T) {
	tests := []struct {
		name  string
		m     Money
		field string
	}{
		{"accepts a positive amount", Money{Minor: 1, Currency: "EUR"}, ""},
		{"rejects a negative amount", Money{Minor: -5, Currency: "EUR"}, "m.minor"},
		{"rejects a short currency", Money{Minor: 5, Currency: "EU"}, "m.currency"},
		{"rejects a lower-case currency", Money{Minor: 5, Currency: "EUr"}, "m.currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate("m")
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var fe *identity.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
	_ = identity.AssuranceHigh
}
