package procurement

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Method is the OCDS procurement method.
type Method string

// Procurement methods (OCDS codelist method).
const (
	MethodOpen      Method = "open"
	MethodSelective Method = "selective"
	MethodLimited   Method = "limited"
	MethodDirect    Method = "direct"
)

func (m Method) valid() bool {
	return m == MethodOpen || m == MethodSelective || m == MethodLimited || m == MethodDirect
}

// competitive reports whether the method invites competition, which makes a
// single bid suspicious.
func (m Method) competitive() bool { return m == MethodOpen || m == MethodSelective }

// Category is the OCDS main procurement category.
type Category string

// Procurement categories.
const (
	CategoryGoods    Category = "goods"
	CategoryWorks    Category = "works"
	CategoryServices Category = "services"
)

// AwardMethod decides how bids are ranked.
type AwardMethod string

// Award methods.
const (
	// AwardLowestPrice ranks by price alone; tenders with it have no criteria.
	AwardLowestPrice AwardMethod = "lowestPrice"
	// AwardBestValue ranks by weighted criteria: one price criterion scored
	// by formula and technical criteria scored by evaluators.
	AwardBestValue AwardMethod = "bestValue"
)

// CriterionKind says who scores a criterion.
type CriterionKind string

// Criterion kinds.
const (
	CriterionPrice     CriterionKind = "price"     // scored by formula: lowest price / price
	CriterionTechnical CriterionKind = "technical" // scored 0..100 by each evaluator
)

// Party identifies an organisation by id and name.
type Party struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Item is one line of what is bought.
type Item struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	Unit        string `json:"unit"`
}

// Criterion is one weighted award criterion. The JSON field order is
// alphabetical on purpose: it is part of the canonical form hashed into
// Tender.CriteriaHash.
type Criterion struct {
	ID        string        `json:"id"`
	Kind      CriterionKind `json:"kind"`
	Name      string        `json:"name"`
	WeightBps int64         `json:"weightBps"`
}

// Deadlines are the tender's time windows. Commitments are accepted before
// SubmissionDeadline; reveals from SubmissionDeadline until before
// RevealEnd; bids are opened from RevealEnd. After an award, signing waits
// StandstillDays and the challenge window lasts ChallengeDays.
type Deadlines struct {
	EnquiryEnd         time.Time `json:"enquiryEnd"`
	SubmissionDeadline time.Time `json:"submissionDeadline"`
	RevealEnd          time.Time `json:"revealEnd"`
	StandstillDays     int64     `json:"standstillDays"`
	ChallengeDays      int64     `json:"challengeDays"`
}

func (d Deadlines) equal(o Deadlines) bool {
	return d.EnquiryEnd.Equal(o.EnquiryEnd) && d.SubmissionDeadline.Equal(o.SubmissionDeadline) &&
		d.RevealEnd.Equal(o.RevealEnd) && d.StandstillDays == o.StandstillDays && d.ChallengeDays == o.ChallengeDays
}

// TenderDraft is what a buyer submits to create a tender, and to amend it
// (an amendment is a full replacement draft).
type TenderDraft struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Buyer       Party       `json:"buyer"`
	Method      Method      `json:"procurementMethod"`
	Category    Category    `json:"mainProcurementCategory"`
	Items       []Item      `json:"items"`
	Budget      Money       `json:"budget"`
	AwardMethod AwardMethod `json:"awardMethod"`
	Criteria    []Criterion `json:"criteria"`
	Deadlines   Deadlines   `json:"deadlines"`
}

// Tender is the state of one procurement process, from planning to the last
// payment. Bids, declarations and scores are separate records (each has its
// own writer), so concurrent suppliers and evaluators never write the tender.
type Tender struct {
	ID           string      `json:"id"`
	OCID         string      `json:"ocid"`
	Revision     int64       `json:"revision"` // +1 on every change; OCDS release ids derive from it
	Status       Status      `json:"status"`
	Title        string      `json:"title"`
	Description  string      `json:"description,omitempty" metadata:",optional"`
	Buyer        Party       `json:"buyer"`
	Method       Method      `json:"procurementMethod"`
	Category     Category    `json:"mainProcurementCategory"`
	Items        []Item      `json:"items"`
	Budget       Money       `json:"budget"`
	AwardMethod  AwardMethod `json:"awardMethod"`
	Criteria     []Criterion `json:"criteria,omitempty" metadata:",optional"`
	CriteriaHash string      `json:"criteriaHash,omitempty" metadata:",optional"` // set at publication
	Deadlines    Deadlines   `json:"deadlines"`
	CreatedAt    time.Time   `json:"createdAt"`
	UpdatedAt    time.Time   `json:"updatedAt"`
	PublishedAt  time.Time   `json:"publishedAt,omitzero" metadata:",optional"`
	Amendments   []Amendment `json:"amendments,omitempty" metadata:",optional"`
	Evaluators   []string    `json:"evaluators,omitempty" metadata:",optional"`
	Opening      *Opening    `json:"opening,omitempty" metadata:",optional"`
	Awards       []Award     `json:"awards,omitempty" metadata:",optional"` // every award made; the last is current
	Challenges   []Challenge `json:"challenges,omitempty" metadata:",optional"`
	Contract     *Contract   `json:"contract,omitempty" metadata:",optional"`
	RedFlags     []RedFlag   `json:"redFlags,omitempty" metadata:",optional"`
}

// Amendment records one published change to an active tender.
type Amendment struct {
	ID               string    `json:"id"`
	Version          int64     `json:"version"`
	Date             time.Time `json:"date"`
	Rationale        string    `json:"rationale"`
	Changes          []string  `json:"changes"` // changed top-level fields, sorted
	DeadlineExtended bool      `json:"deadlineExtended"`
}

// Opening records the bid opening: who revealed in time and who did not.
type Opening struct {
	OpenedAt   time.Time `json:"openedAt"`
	Bidders    []string  `json:"bidders,omitempty" metadata:",optional"`    // revealed, sorted
	Unrevealed []string  `json:"unrevealed,omitempty" metadata:",optional"` // committed but never revealed, sorted
}

// NewTender validates a draft and returns the tender in planning. now is
// the transaction timestamp.
func NewTender(cfg Config, d TenderDraft, now time.Time) (*Tender, error) {
	if err := validateDraft(cfg, d, now); err != nil {
		return nil, err
	}
	t := &Tender{
		ID: d.ID, OCID: cfg.OCIDPrefix + d.ID, Status: StatusPlanning, CreatedAt: now.UTC(),
	}
	t.applyDraft(d)
	t.touch(now)
	return t, nil
}

func (t *Tender) applyDraft(d TenderDraft) {
	t.Title, t.Description, t.Buyer = d.Title, d.Description, d.Buyer
	t.Method, t.Category, t.AwardMethod = d.Method, d.Category, d.AwardMethod
	t.Items = slices.Clone(d.Items)
	t.Budget = d.Budget
	t.Criteria = sortedCriteria(d.Criteria)
	t.Deadlines = Deadlines{
		EnquiryEnd: d.Deadlines.EnquiryEnd.UTC(), SubmissionDeadline: d.Deadlines.SubmissionDeadline.UTC(),
		RevealEnd: d.Deadlines.RevealEnd.UTC(), StandstillDays: d.Deadlines.StandstillDays,
		ChallengeDays: d.Deadlines.ChallengeDays,
	}
}

// touch records a change made at transaction time now.
func (t *Tender) touch(now time.Time) {
	t.Revision++
	t.UpdatedAt = now.UTC()
}

// CheckBuyer admits agency to act as the tender's buyer: only the agency
// that created a tender manages it.
func (t *Tender) CheckBuyer(agency string) error {
	if agency != t.Buyer.ID {
		return fmt.Errorf("%w: agency %q is not the buyer of tender %s", ErrNotParticipant, agency, t.ID)
	}
	return nil
}

// move applies action a through the transition table.
func (t *Tender) move(a Action) error {
	s, err := NextStatus(t.Status, a)
	if err != nil {
		return err
	}
	t.Status = s
	return nil
}

// Publish opens the tender for bids and locks its criteria by hash. It
// returns a shortTenderPeriod red flag when the period to the submission
// deadline is below the legal minimum for the method and budget.
func Publish(cfg Config, t *Tender, now time.Time) ([]RedFlag, error) {
	if err := t.move(ActionPublish); err != nil {
		return nil, err
	}
	if !now.Before(t.Deadlines.EnquiryEnd) {
		return nil, fmt.Errorf("%w: the enquiry period ended at %s, before publication", ErrDeadline, stamp(t.Deadlines.EnquiryEnd))
	}
	t.CriteriaHash = CriteriaHash(t.AwardMethod, t.Criteria)
	t.PublishedAt = now.UTC()
	var flags []RedFlag
	period := t.Deadlines.SubmissionDeadline.Sub(now)
	if minDays := cfg.minTenderDays(t.Method, t.Budget); period < time.Duration(minDays)*Day {
		flags = append(flags, RedFlag{
			Kind: FlagShortTenderPeriod, TenderID: t.ID, RaisedAt: now.UTC(),
			Detail: fmt.Sprintf("tender period of %s is below the %d-day minimum for %s procurement", period.Round(time.Minute), minDays, t.Method),
		})
	}
	t.RedFlags = append(t.RedFlags, flags...)
	t.touch(now)
	return flags, nil
}

// Amend replaces an active tender's notice with draft before the submission
// deadline. The award method and criteria must hash to the locked
// CriteriaHash; id, buyer and method cannot change; the submission deadline
// cannot move earlier. When less than cfg.MinAmendmentDays would remain, the
// submission deadline and reveal end move out together to restore it.
func Amend(cfg Config, t *Tender, d TenderDraft, rationale string, now time.Time) (*Amendment, error) {
	if _, err := NextStatus(t.Status, ActionAmend); err != nil {
		return nil, err
	}
	if !now.Before(t.Deadlines.SubmissionDeadline) {
		return nil, fmt.Errorf("%w: amendments closed with the submission deadline %s", ErrDeadline, stamp(t.Deadlines.SubmissionDeadline))
	}
	if err := checkText("rationale", rationale, maxText, true); err != nil {
		return nil, err
	}
	switch {
	case d.ID != t.ID:
		return nil, fieldErr("id", RuleImmutable, "must stay %q", t.ID)
	case d.Buyer.ID != t.Buyer.ID:
		return nil, fieldErr("buyer.id", RuleImmutable, "must stay %q", t.Buyer.ID)
	case d.Method != t.Method:
		return nil, fieldErr("procurementMethod", RuleImmutable, "cannot change after publication")
	case CriteriaHash(d.AwardMethod, d.Criteria) != t.CriteriaHash:
		return nil, fmt.Errorf("%w: awardMethod and criteria must hash to %s", ErrCriteriaLocked, t.CriteriaHash)
	}
	if err := validateDraft(cfg, d, now); err != nil {
		return nil, err
	}
	if d.Deadlines.SubmissionDeadline.Before(t.Deadlines.SubmissionDeadline) {
		return nil, fieldErr("deadlines.submissionDeadline", RuleImmutable, "an amendment may not bring the deadline forward from %s", stamp(t.Deadlines.SubmissionDeadline))
	}
	changes := t.changes(d)
	if len(changes) == 0 {
		return nil, fieldErr("draft", RuleUnchanged, "must change at least one field")
	}
	t.applyDraft(d)
	extended := false
	if minEnd := now.Add(time.Duration(cfg.MinAmendmentDays) * Day); t.Deadlines.SubmissionDeadline.Before(minEnd) {
		shift := minEnd.Sub(t.Deadlines.SubmissionDeadline)
		t.Deadlines.SubmissionDeadline = minEnd.UTC()
		t.Deadlines.RevealEnd = t.Deadlines.RevealEnd.Add(shift).UTC()
		extended = true
	}
	version := int64(len(t.Amendments) + 1)
	a := Amendment{
		ID: fmt.Sprintf("%s-amendment-%d", t.ID, version), Version: version, Date: now.UTC(),
		Rationale: rationale, Changes: changes, DeadlineExtended: extended,
	}
	t.Amendments = append(t.Amendments, a)
	t.touch(now)
	return &a, nil
}

// changes lists, sorted, the top-level fields d would change.
func (t *Tender) changes(d TenderDraft) []string {
	var c []string
	if d.Budget != t.Budget {
		c = append(c, "budget")
	}
	if !d.Deadlines.equal(t.Deadlines) {
		c = append(c, "deadlines")
	}
	if d.Description != t.Description {
		c = append(c, "description")
	}
	if !slices.Equal(d.Items, t.Items) {
		c = append(c, "items")
	}
	if d.Category != t.Category {
		c = append(c, "mainProcurementCategory")
	}
	if d.Buyer.Name != t.Buyer.Name {
		c = append(c, "buyer.name")
	}
	if d.Title != t.Title {
		c = append(c, "title")
	}
	slices.Sort(c)
	return c
}

// CriteriaHash is the hex SHA-256 of the canonical JSON of the award rules:
// {"awardMethod":M,"criteria":[...]} with criteria sorted by id, each
// {"id","kind","name","weightBps"} in that (alphabetical) key order, no
// insignificant whitespace, no HTML escaping, and [] for no criteria.
func CriteriaHash(m AwardMethod, criteria []Criterion) string {
	doc := struct {
		AwardMethod AwardMethod `json:"awardMethod"`
		Criteria    []Criterion `json:"criteria"`
	}{m, sortedCriteria(criteria)}
	if doc.Criteria == nil {
		doc.Criteria = []Criterion{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Encoding plain strings and integers cannot fail.
	_ = enc.Encode(doc)
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return hex.EncodeToString(sum[:])
}

func sortedCriteria(c []Criterion) []Criterion {
	if len(c) == 0 {
		return nil
	}
	s := slices.Clone(c)
	slices.SortFunc(s, func(a, b Criterion) int { return strings.Compare(a.ID, b.ID) })
	return s
}

func validateDraft(cfg Config, d TenderDraft, now time.Time) error {
	if err := checkID("id", d.ID); err != nil {
		return err
	}
	if err := checkText("title", d.Title, maxTitle, true); err != nil {
		return err
	}
	if err := checkText("description", d.Description, maxText, false); err != nil {
		return err
	}
	if err := checkID("buyer.id", d.Buyer.ID); err != nil {
		return err
	}
	if err := checkText("buyer.name", d.Buyer.Name, maxTitle, true); err != nil {
		return err
	}
	if !d.Method.valid() {
		return fieldErr("procurementMethod", validate.RuleOneOf, "must be open, selective, limited or direct")
	}
	if d.Category != CategoryGoods && d.Category != CategoryWorks && d.Category != CategoryServices {
		return fieldErr("mainProcurementCategory", validate.RuleOneOf, "must be goods, works or services")
	}
	if err := validateItems(cfg, d.Items); err != nil {
		return err
	}
	if err := checkMoney("budget", d.Budget, true); err != nil {
		return err
	}
	if d.Method == MethodDirect {
		limit, ok := cfg.directThreshold(d.Budget.Currency)
		if !ok {
			return fieldErr("procurementMethod", RuleDirectThreshold, "direct awards are not allowed in %s: no threshold is configured", d.Budget.Currency)
		}
		if d.Budget.Amount >= limit {
			return fieldErr("budget.amount", RuleDirectThreshold, "must be below the direct-award threshold of %d %s", limit, d.Budget.Currency)
		}
	}
	if err := validateCriteria(cfg, d.AwardMethod, d.Criteria); err != nil {
		return err
	}
	return validateDeadlines(d.Deadlines, now)
}

func validateItems(cfg Config, items []Item) error {
	if len(items) == 0 || len(items) > cfg.MaxItems {
		return fieldErr("items", validate.RuleRange, "must hold 1 to %d items", cfg.MaxItems)
	}
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		f := fmt.Sprintf("items[%d]", i)
		if err := checkID(f+".id", it.ID); err != nil {
			return err
		}
		if seen[it.ID] {
			return fieldErr(f+".id", validate.RuleDuplicate, "duplicates item %q", it.ID)
		}
		seen[it.ID] = true
		if err := checkText(f+".description", it.Description, maxTitle, true); err != nil {
			return err
		}
		if it.Quantity < 1 {
			return fieldErr(f+".quantity", validate.RuleRange, "must be at least 1")
		}
		if err := checkText(f+".unit", it.Unit, 50, true); err != nil {
			return err
		}
	}
	return nil
}

func validateCriteria(cfg Config, m AwardMethod, criteria []Criterion) error {
	switch m {
	case AwardLowestPrice:
		if len(criteria) > 0 {
			return fieldErr("criteria", RuleCriteria, "must be empty when awardMethod is lowestPrice")
		}
		return nil
	case AwardBestValue:
	default:
		return fieldErr("awardMethod", validate.RuleOneOf, "must be lowestPrice or bestValue")
	}
	if len(criteria) < 2 || len(criteria) > cfg.MaxCriteria {
		return fieldErr("criteria", RuleCriteria, "must hold 2 to %d criteria for bestValue", cfg.MaxCriteria)
	}
	seen := make(map[string]bool, len(criteria))
	var sum int64
	prices := 0
	for i, c := range criteria {
		f := fmt.Sprintf("criteria[%d]", i)
		if err := checkID(f+".id", c.ID); err != nil {
			return err
		}
		if seen[c.ID] {
			return fieldErr(f+".id", validate.RuleDuplicate, "duplicates criterion %q", c.ID)
		}
		seen[c.ID] = true
		if err := checkText(f+".name", c.Name, maxTitle, true); err != nil {
			return err
		}
		switch c.Kind {
		case CriterionPrice:
			prices++
		case CriterionTechnical:
		default:
			return fieldErr(f+".kind", validate.RuleOneOf, "must be price or technical")
		}
		if c.WeightBps < 1 || c.WeightBps > 10000 {
			return fieldErr(f+".weightBps", validate.RuleRange, "must be between 1 and 10000")
		}
		sum += c.WeightBps
	}
	if prices != 1 {
		return fieldErr("criteria", RuleCriteria, "must hold exactly one price criterion")
	}
	if sum != 10000 {
		return fieldErr("criteria", RuleCriteria, "weights must sum to 10000 basis points, not %d", sum)
	}
	return nil
}

func validateDeadlines(d Deadlines, now time.Time) error {
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"enquiryEnd", d.EnquiryEnd}, {"submissionDeadline", d.SubmissionDeadline}, {"revealEnd", d.RevealEnd}} {
		if err := checkTime("deadlines."+f.name, f.t); err != nil {
			return err
		}
	}
	switch {
	case !d.SubmissionDeadline.After(now):
		return fieldErr("deadlines.submissionDeadline", RuleFuture, "must be after the transaction time %s", stamp(now))
	case d.EnquiryEnd.After(d.SubmissionDeadline):
		return fieldErr("deadlines.enquiryEnd", RuleDeadlineOrder, "must not be after the submission deadline")
	case !d.RevealEnd.After(d.SubmissionDeadline):
		return fieldErr("deadlines.revealEnd", RuleDeadlineOrder, "must be after the submission deadline")
	case d.StandstillDays < 0 || d.StandstillDays > 365:
		return fieldErr("deadlines.standstillDays", validate.RuleRange, "must be between 0 and 365")
	case d.ChallengeDays < 0 || d.ChallengeDays > 365:
		return fieldErr("deadlines.challengeDays", validate.RuleRange, "must be between 0 and 365")
	}
	return nil
}

// stamp formats a time for messages.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
