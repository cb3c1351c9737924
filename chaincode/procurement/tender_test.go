package procurement

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestNewTenderValidatesTheDraft(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*TenderDraft)
		field  string
		rule   string
	}{
		{"rejects a missing id", func(d *TenderDraft) { d.ID = "" }, "id", validate.RuleRequired},
		{"rejects an id with a slash", func(d *TenderDraft) { d.ID = "T/1" }, "id", validate.RuleID},
		{"rejects a blank title", func(d *TenderDraft) { d.Title = "  " }, "title", validate.RuleRequired},
		{"rejects an overlong title", func(d *TenderDraft) { d.Title = strings.Repeat("x", 201) }, "title", validate.RuleMaxLen},
		{"rejects a description with control characters", func(d *TenderDraft) { d.Description = "a\x00b" }, "description", RuleControlCharacters},
		{"rejects a description that is not UTF-8", func(d *TenderDraft) { d.Description = "a\xffb" }, "description", validate.RuleUTF8},
		{"rejects a missing buyer id", func(d *TenderDraft) { d.Buyer.ID = "" }, "buyer.id", validate.RuleRequired},
		{"rejects a missing buyer name", func(d *TenderDraft) { d.Buyer.Name = "" }, "buyer.name", validate.RuleRequired},
		{"rejects an unknown method", func(d *TenderDraft) { d.Method = "auction" }, "procurementMethod", validate.RuleOneOf},
		{"rejects an unknown category", func(d *TenderDraft) { d.Category = "consultancy" }, "mainProcurementCategory", validate.RuleOneOf},
		{"rejects no items", func(d *TenderDraft) { d.Items = nil }, "items", validate.RuleRange},
		{"rejects a duplicate item id", func(d *TenderDraft) { d.Items[1].ID = d.Items[0].ID }, "items[1].id", validate.RuleDuplicate},
		{"rejects a bad item id", func(d *TenderDraft) { d.Items[0].ID = "" }, "items[0].id", validate.RuleRequired},
		{"rejects an item without description", func(d *TenderDraft) { d.Items[1].Description = "" }, "items[1].description", validate.RuleRequired},
		{"rejects a zero quantity", func(d *TenderDraft) { d.Items[0].Quantity = 0 }, "items[0].quantity", validate.RuleRange},
		{"rejects an item without unit", func(d *TenderDraft) { d.Items[0].Unit = "" }, "items[0].unit", validate.RuleRequired},
		{"rejects a zero budget", func(d *TenderDraft) { d.Budget.Amount = 0 }, "budget.amount", validate.RulePositive},
		{"rejects a negative budget", func(d *TenderDraft) { d.Budget.Amount = -5 }, "budget.amount", validate.RulePositive},
		{"rejects an unknown currency", func(d *TenderDraft) { d.Budget.Currency = "EURO" }, "budget.currency", validate.RuleCurrency},
		{"rejects a direct award without a threshold in the currency", func(d *TenderDraft) {
			d.Method, d.Budget = MethodDirect, Money{Amount: 100, Currency: "GBP"}
		}, "procurementMethod", RuleDirectThreshold},
		{"rejects a direct award at the threshold", func(d *TenderDraft) {
			d.Method, d.Budget = MethodDirect, Money{Amount: 5_000_000, Currency: "EUR"}
		}, "budget.amount", RuleDirectThreshold},
		{"rejects an unknown award method", func(d *TenderDraft) { d.AwardMethod = "auction" }, "awardMethod", validate.RuleOneOf},
		{"rejects criteria on a lowest-price tender", func(d *TenderDraft) { d.AwardMethod = AwardLowestPrice }, "criteria", RuleCriteria},
		{"rejects a best-value tender with one criterion", func(d *TenderDraft) { d.Criteria = d.Criteria[:1] }, "criteria", RuleCriteria},
		{"rejects a duplicate criterion id", func(d *TenderDraft) { d.Criteria[2].ID = "quality" }, "criteria[2].id", validate.RuleDuplicate},
		{"rejects a bad criterion id", func(d *TenderDraft) { d.Criteria[0].ID = "q q" }, "criteria[0].id", validate.RuleID},
		{"rejects a criterion without name", func(d *TenderDraft) { d.Criteria[1].Name = "" }, "criteria[1].name", validate.RuleRequired},
		{"rejects an unknown criterion kind", func(d *TenderDraft) { d.Criteria[0].Kind = "social" }, "criteria[0].kind", validate.RuleOneOf},
		{"rejects a zero weight", func(d *TenderDraft) { d.Criteria[0].WeightBps = 0 }, "criteria[0].weightBps", validate.RuleRange},
		{"rejects two price criteria", func(d *TenderDraft) { d.Criteria[0].Kind = CriterionPrice }, "criteria", RuleCriteria},
		{"rejects weights not summing to 10000", func(d *TenderDraft) { d.Criteria[0].WeightBps = 3000 }, "criteria", RuleCriteria},
		{"rejects a missing enquiry end", func(d *TenderDraft) { d.Deadlines.EnquiryEnd = time.Time{} }, "deadlines.enquiryEnd", validate.RuleRequired},
		{"rejects a missing reveal end", func(d *TenderDraft) { d.Deadlines.RevealEnd = time.Time{} }, "deadlines.revealEnd", validate.RuleRequired},
		{"rejects a submission deadline in the past", func(d *TenderDraft) {
			d.Deadlines.EnquiryEnd, d.Deadlines.SubmissionDeadline = t0.Add(-2*time.Hour), t0
		}, "deadlines.submissionDeadline", RuleFuture},
		{"rejects enquiries ending after the submission deadline", func(d *TenderDraft) {
			d.Deadlines.EnquiryEnd = d.Deadlines.SubmissionDeadline.Add(time.Second)
		}, "deadlines.enquiryEnd", RuleDeadlineOrder},
		{"rejects a reveal end at the submission deadline", func(d *TenderDraft) {
			d.Deadlines.RevealEnd = d.Deadlines.SubmissionDeadline
		}, "deadlines.revealEnd", RuleDeadlineOrder},
		{"rejects a negative standstill", func(d *TenderDraft) { d.Deadlines.StandstillDays = -1 }, "deadlines.standstillDays", validate.RuleRange},
		{"rejects a challenge window over a year", func(d *TenderDraft) { d.Deadlines.ChallengeDays = 366 }, "deadlines.challengeDays", validate.RuleRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := bestValueDraft()
			tc.mutate(&d)
			_, err := NewTender(DefaultConfig(), d, t0)
			require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
			requireField(t, err, tc.field, tc.rule)
		})
	}
}

func TestNewTenderStartsInPlanning(t *testing.T) {
	d := bestValueDraft()
	d.Deadlines.SubmissionDeadline = d.Deadlines.SubmissionDeadline.In(time.FixedZone("CET", 3600))
	tn, err := NewTender(DefaultConfig(), d, t0)
	require.NoError(t, err)
	require.Equal(t, StatusPlanning, tn.Status)
	require.Equal(t, "ocds-govldg-T-1", tn.OCID)
	require.Equal(t, int64(1), tn.Revision)
	require.Equal(t, t0, tn.CreatedAt)
	require.Equal(t, t0, tn.UpdatedAt)
	require.Empty(t, tn.CriteriaHash, "criteria are locked at publication, not creation")
	require.Equal(t, []string{"delivery", "price", "quality"}, []string{tn.Criteria[0].ID, tn.Criteria[1].ID, tn.Criteria[2].ID})
	require.Equal(t, time.UTC, tn.Deadlines.SubmissionDeadline.Location(), "deadlines are stored in UTC")
	require.NoError(t, tn.CheckBuyer("MOF"))
	require.ErrorIs(t, tn.CheckBuyer("HEALTH"), ErrNotParticipant)
	require.ErrorIs(t, tn.CheckBuyer("HEALTH"), ccerror.ErrPermissionDenied)
}

func TestPublish(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name      string
		mutate    func(*TenderDraft)
		at        time.Time
		wantFlags []FlagKind
		wantErr   error
	}{
		{"publishes a tender with a legal period without flags", func(*TenderDraft) {}, t0, nil, nil},
		{"flags a tender period below the legal minimum", func(d *TenderDraft) {
			d.Deadlines.EnquiryEnd, d.Deadlines.SubmissionDeadline = t0.Add(days(5)), t0.Add(days(29))
		}, t0, []FlagKind{FlagShortTenderPeriod}, nil},
		{"uses the high-value minimum for large open tenders", func(d *TenderDraft) {
			d.Budget.Amount = 600_000_000
			d.Deadlines.SubmissionDeadline = t0.Add(days(34))
		}, t0, []FlagKind{FlagShortTenderPeriod}, nil},
		{"does not flag a short limited tender above its minimum", func(d *TenderDraft) {
			d.Method = MethodLimited
			d.Deadlines.EnquiryEnd, d.Deadlines.SubmissionDeadline = t0.Add(days(5)), t0.Add(days(10))
		}, t0, nil, nil},
		{"rejects publication after the enquiry period ended", func(*TenderDraft) {}, t0.Add(days(20)), nil, ErrDeadline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := bestValueDraft()
			tc.mutate(&d)
			tn, err := NewTender(cfg, d, t0)
			require.NoError(t, err)
			flags, err := Publish(cfg, tn, tc.at)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, StatusActive, tn.Status)
			require.Equal(t, tc.at, tn.PublishedAt)
			require.Equal(t, CriteriaHash(d.AwardMethod, d.Criteria), tn.CriteriaHash)
			require.Equal(t, int64(2), tn.Revision)
			var kinds []FlagKind
			for _, f := range flags {
				kinds = append(kinds, f.Kind)
				require.Equal(t, tn.ID, f.TenderID)
				require.Equal(t, tc.at, f.RaisedAt)
			}
			require.Equal(t, tc.wantFlags, kinds)
			require.Equal(t, flags, tn.RedFlags, "the tender keeps the flags it raised")
		})
	}
	t.Run("rejects publishing twice", func(t *testing.T) {
		tn := published(t, bestValueDraft())
		_, err := Publish(cfg, tn, t0)
		require.ErrorIs(t, err, ErrTransition)
	})
}

func TestCriteriaHash(t *testing.T) {
	d := bestValueDraft()
	h := CriteriaHash(d.AwardMethod, d.Criteria)
	t.Run("is the SHA-256 of the documented canonical JSON", func(t *testing.T) {
		canonical := `{"awardMethod":"bestValue","criteria":[` +
			`{"id":"delivery","kind":"technical","name":"Delivery plan","weightBps":2500},` +
			`{"id":"price","kind":"price","name":"Price","weightBps":4000},` +
			`{"id":"quality","kind":"technical","name":"Quality","weightBps":3500}]}`
		require.Equal(t, digest(canonical), h)
	})
	t.Run("ignores the order criteria are given in", func(t *testing.T) {
		rev := []Criterion{d.Criteria[2], d.Criteria[0], d.Criteria[1]}
		require.Equal(t, h, CriteriaHash(AwardBestValue, rev))
	})
	t.Run("changes with any weight", func(t *testing.T) {
		d.Criteria[0].WeightBps++
		require.NotEqual(t, h, CriteriaHash(AwardBestValue, d.Criteria))
	})
	t.Run("does not escape HTML characters", func(t *testing.T) {
		c := []Criterion{{ID: "q", Kind: CriterionTechnical, Name: "A<B&C", WeightBps: 1}}
		require.Equal(t, digest(`{"awardMethod":"bestValue","criteria":[{"id":"q","kind":"technical","name":"A<B&C","weightBps":1}]}`),
			CriteriaHash(AwardBestValue, c))
	})
	t.Run("hashes no criteria as an empty list", func(t *testing.T) {
		require.Equal(t, digest(`{"awardMethod":"lowestPrice","criteria":[]}`), CriteriaHash(AwardLowestPrice, nil))
	})
}

func TestAmend(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name      string
		mutate    func(*TenderDraft)
		rationale string
		at        time.Time
		field     string
		rule      string
		wantErr   error
		changes   []string
		extended  bool
	}{
		{name: "records a change of description and items",
			mutate:    func(d *TenderDraft) { d.Description = "Laptops for 45 schools"; d.Items[0].Quantity = 2250 },
			rationale: "five more schools", at: t0.Add(days(3)), changes: []string{"description", "items"}},
		{name: "records budget, title, category and buyer name changes",
			mutate: func(d *TenderDraft) {
				d.Budget.Amount++
				d.Title = "Laptops"
				d.Category = CategoryServices
				d.Buyer.Name = "MoF"
			},
			rationale: "clarified", at: t0.Add(days(3)), changes: []string{"budget", "buyer.name", "mainProcurementCategory", "title"}},
		{name: "extends the deadline to leave the minimum amendment period",
			mutate: func(d *TenderDraft) { d.Items[0].Quantity = 1 }, rationale: "quantity corrected",
			at: t0.Add(days(33)), changes: []string{"items"}, extended: true},
		{name: "accepts a later deadline", mutate: func(d *TenderDraft) {
			d.Deadlines.SubmissionDeadline = d.Deadlines.SubmissionDeadline.Add(days(1))
		}, rationale: "more time", at: t0.Add(days(1)), changes: []string{"deadlines"}},
		{name: "rejects a missing rationale", mutate: func(d *TenderDraft) { d.Title = "x" }, at: t0,
			field: "rationale", rule: validate.RuleRequired},
		{name: "rejects a new id", mutate: func(d *TenderDraft) { d.ID = "T-9" }, rationale: "r", at: t0,
			field: "id", rule: RuleImmutable},
		{name: "rejects a new buyer", mutate: func(d *TenderDraft) { d.Buyer.ID = "HEALTH" }, rationale: "r", at: t0,
			field: "buyer.id", rule: RuleImmutable},
		{name: "rejects a new method", mutate: func(d *TenderDraft) { d.Method = MethodSelective }, rationale: "r", at: t0,
			field: "procurementMethod", rule: RuleImmutable},
		{name: "rejects a changed criterion weight", mutate: func(d *TenderDraft) {
			d.Criteria[0].WeightBps, d.Criteria[1].WeightBps = 3000, 4500
		}, rationale: "r", at: t0, wantErr: ErrCriteriaLocked},
		{name: "rejects a changed award method", mutate: func(d *TenderDraft) { d.AwardMethod, d.Criteria = AwardLowestPrice, nil },
			rationale: "r", at: t0, wantErr: ErrCriteriaLocked},
		{name: "rejects an earlier submission deadline", mutate: func(d *TenderDraft) {
			d.Deadlines.SubmissionDeadline = d.Deadlines.SubmissionDeadline.Add(-time.Hour)
		}, rationale: "r", at: t0, field: "deadlines.submissionDeadline", rule: RuleImmutable},
		{name: "rejects an invalid replacement draft", mutate: func(d *TenderDraft) { d.Items = nil }, rationale: "r", at: t0,
			field: "items", rule: validate.RuleRange},
		{name: "rejects an amendment that changes nothing", mutate: func(*TenderDraft) {}, rationale: "r", at: t0,
			field: "draft", rule: RuleUnchanged},
		{name: "rejects an amendment at the submission deadline", mutate: func(d *TenderDraft) { d.Title = "x" }, rationale: "r",
			at: t0.Add(days(35)), wantErr: ErrDeadline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := published(t, bestValueDraft())
			before := *tn
			d := bestValueDraft()
			tc.mutate(&d)
			a, err := Amend(cfg, tn, d, tc.rationale, tc.at)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, before.Revision, tn.Revision, "a rejected amendment changes nothing")
				return
			case tc.field != "":
				requireField(t, err, tc.field, tc.rule)
				require.Equal(t, before.Revision, tn.Revision)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "T-1-amendment-1", a.ID)
			require.Equal(t, int64(1), a.Version)
			require.Equal(t, tc.changes, a.Changes)
			require.Equal(t, tc.extended, a.DeadlineExtended)
			require.Equal(t, []Amendment{*a}, tn.Amendments)
			require.Equal(t, StatusActive, tn.Status)
			require.Equal(t, before.CriteriaHash, tn.CriteriaHash)
			if tc.extended {
				require.Equal(t, tc.at.Add(days(5)), tn.Deadlines.SubmissionDeadline)
				require.Equal(t, tn.Deadlines.SubmissionDeadline.Add(days(2)), tn.Deadlines.RevealEnd, "the reveal window keeps its length")
			}
		})
	}
	t.Run("numbers successive amendments", func(t *testing.T) {
		tn := published(t, bestValueDraft())
		d := bestValueDraft()
		d.Title = "one"
		_, err := Amend(cfg, tn, d, "first", t0.Add(days(1)))
		require.NoError(t, err)
		d.Title = "two"
		a, err := Amend(cfg, tn, d, "second", t0.Add(days(2)))
		require.NoError(t, err)
		require.Equal(t, "T-1-amendment-2", a.ID)
		require.Len(t, tn.Amendments, 2)
	})
	t.Run("rejects amending a tender in planning", func(t *testing.T) {
		tn, err := NewTender(cfg, bestValueDraft(), t0)
		require.NoError(t, err)
		d := bestValueDraft()
		d.Title = "x"
		_, err = Amend(cfg, tn, d, "r", t0)
		require.ErrorIs(t, err, ErrTransition)
	})
}
