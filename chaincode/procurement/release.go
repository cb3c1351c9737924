package procurement

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/govledger/govledger/chaincode/procurement/ocds"
)

// OCDS output. A tender's history is the list of its stored states, one per
// change (Fabric's key history). Each state becomes one release whose id is
// ocid + "-r" + revision, so the same history always yields the same ids;
// its date is the transaction timestamp of that change.

// Releases turns a tender's history (any order; repeated revisions are
// kept once) into OCDS releases, oldest first.
func Releases(history []Tender) ([]ocds.Release, error) {
	states, err := orderHistory(history)
	if err != nil {
		return nil, err
	}
	out := make([]ocds.Release, len(states))
	var prev *Tender
	for i := range states {
		out[i] = release(&states[i], releaseTag(prev, &states[i]))
		prev = &states[i]
	}
	return out, nil
}

// ReleasePackage publishes every release of the tender in one OCDS release
// package, dated by the latest release.
func ReleasePackage(cfg Config, history []Tender) (ocds.ReleasePackage, error) {
	rels, err := Releases(history)
	if err != nil {
		return ocds.ReleasePackage{}, err
	}
	last := rels[len(rels)-1]
	return ocds.ReleasePackage{
		URI: cfg.OCDSBaseURI + "/releases/" + last.OCID, Version: ocds.Version, PublishedDate: last.Date,
		Publisher: ocds.Publisher{Name: cfg.OCDSPublisher}, Releases: rels,
	}, nil
}

// RecordPackage publishes the tender's OCDS record: every release plus the
// compiled release. Each stored state is complete, so the compiled release
// is the latest state tagged "compiled".
func RecordPackage(cfg Config, history []Tender) (ocds.RecordPackage, error) {
	rels, err := Releases(history)
	if err != nil {
		return ocds.RecordPackage{}, err
	}
	states, _ := orderHistory(history) // already validated by Releases
	compiled := release(&states[len(states)-1], ocds.TagCompiled)
	compiled.ID = compiled.OCID + "-compiled"
	return ocds.RecordPackage{
		URI: cfg.OCDSBaseURI + "/records/" + compiled.OCID, Version: ocds.Version, PublishedDate: compiled.Date,
		Publisher: ocds.Publisher{Name: cfg.OCDSPublisher},
		Records:   []ocds.Record{{OCID: compiled.OCID, Releases: rels, CompiledRelease: compiled}},
	}, nil
}

func orderHistory(history []Tender) ([]Tender, error) {
	if len(history) == 0 {
		return nil, fmt.Errorf("%w: the tender has no history", ErrNotFound)
	}
	states := slices.Clone(history)
	for i, s := range states {
		if s.ID != states[0].ID {
			return nil, fieldErr(fmt.Sprintf("history[%d].id", i), RuleMatch, "must be %q like the rest of the history", states[0].ID)
		}
	}
	slices.SortStableFunc(states, func(a, b Tender) int { return compare(a.Revision, b.Revision) })
	return slices.CompactFunc(states, func(a, b Tender) bool { return a.Revision == b.Revision }), nil
}

// releaseTag says what the change from prev (nil for the first known state)
// to cur was.
func releaseTag(prev, cur *Tender) string {
	was := func(s Status) bool { return prev != nil && prev.Status == s }
	switch cur.Status {
	case StatusPlanning:
		return ocds.TagPlanning
	case StatusActive:
		switch {
		case prev == nil || was(StatusPlanning):
			return ocds.TagTender
		case len(cur.Amendments) > len(prev.Amendments):
			return ocds.TagTenderAmendment
		}
		return ocds.TagTenderUpdate
	case StatusAwarded:
		if prev == nil || len(cur.Awards) > len(prev.Awards) {
			return ocds.TagAward
		}
		return ocds.TagAwardUpdate
	case StatusContracted:
		if prev == nil || !was(StatusContracted) {
			return ocds.TagContract
		}
		return ocds.TagImplementation
	case StatusCompleted:
		return ocds.TagImplementation
	}
	// evaluation or unsuccessful
	if was(StatusAwarded) {
		return ocds.TagAwardCancellation
	}
	return ocds.TagTenderUpdate
}

func value(m Money) *ocds.Value {
	return &ocds.Value{Amount: json.Number(m.MajorUnits()), Currency: m.Currency}
}

func release(t *Tender, tag string) ocds.Release {
	buyer := ocds.OrganizationReference{ID: t.Buyer.ID, Name: t.Buyer.Name}
	r := ocds.Release{
		OCID: t.OCID, ID: fmt.Sprintf("%s-r%d", t.OCID, t.Revision), Date: t.UpdatedAt, Tag: []string{tag},
		InitiationType: "tender", Buyer: &buyer,
		Planning: &ocds.Planning{Budget: &ocds.Budget{Amount: *value(t.Budget)}},
		Tender:   releaseTender(t, buyer),
	}
	r.Parties = parties(t)
	for _, a := range t.Awards {
		r.Awards = append(r.Awards, ocds.Award{
			ID: a.ID, Status: string(a.Status), Date: a.Date, Description: a.Justification, Value: value(a.Value),
			Suppliers: []ocds.OrganizationReference{{ID: a.SupplierID, Name: a.SupplierID}},
		})
	}
	if c := t.Contract; c != nil {
		r.Contracts = []ocds.Contract{releaseContract(t, c, buyer)}
	}
	return r
}

var tenderStatus = map[Status]string{
	StatusPlanning: "planning", StatusActive: "active", StatusEvaluation: "active", StatusAwarded: "complete",
	StatusContracted: "complete", StatusCompleted: "complete", StatusUnsuccessful: "unsuccessful",
}

func releaseTender(t *Tender, buyer ocds.OrganizationReference) *ocds.Tender {
	rt := &ocds.Tender{
		ID: t.ID, Title: t.Title, Description: t.Description, Status: tenderStatus[t.Status],
		ProcuringEntity: &buyer, Value: value(t.Budget), ProcurementMethod: string(t.Method),
		MainProcurementCategory: string(t.Category), AwardCriteria: "priceOnly",
		SubmissionMethod: []string{"electronicSubmission"}, DatePublished: t.PublishedAt,
	}
	for _, it := range t.Items {
		rt.Items = append(rt.Items, ocds.Item{ID: it.ID, Description: it.Description, Quantity: it.Quantity, Unit: &ocds.Unit{Name: it.Unit}})
	}
	if t.AwardMethod == AwardBestValue {
		rt.AwardCriteria = "ratedCriteria"
		parts := make([]string, len(t.Criteria))
		for i, c := range t.Criteria {
			parts[i] = fmt.Sprintf("%s (%s): %d bps", c.Name, c.Kind, c.WeightBps)
		}
		rt.AwardCriteriaDetails = strings.Join(parts, "; ") + "; criteria hash " + t.CriteriaHash
	}
	if !t.PublishedAt.IsZero() {
		rt.TenderPeriod = &ocds.Period{StartDate: t.PublishedAt, EndDate: t.Deadlines.SubmissionDeadline}
		rt.EnquiryPeriod = &ocds.Period{StartDate: t.PublishedAt, EndDate: t.Deadlines.EnquiryEnd}
	}
	if t.Opening != nil {
		rt.AwardPeriod = &ocds.Period{StartDate: t.Opening.OpenedAt}
		if a := t.CurrentAward(); a != nil {
			rt.AwardPeriod.EndDate = a.Date
		}
		n := int64(len(t.Opening.Bidders))
		rt.NumberOfTenderers = &n
		for _, b := range t.Opening.Bidders {
			rt.Tenderers = append(rt.Tenderers, ocds.OrganizationReference{ID: b, Name: b})
		}
	}
	for _, a := range t.Amendments {
		rt.Amendments = append(rt.Amendments, ocds.Amendment{
			ID: a.ID, Date: a.Date, Rationale: a.Rationale, Description: "changed: " + strings.Join(a.Changes, ", "),
		})
	}
	return rt
}

func releaseContract(t *Tender, c *Contract, buyer ocds.OrganizationReference) ocds.Contract {
	supplier := ocds.OrganizationReference{ID: c.SupplierID, Name: c.SupplierID}
	status := "active"
	if t.Status == StatusCompleted {
		status = "terminated"
	}
	rc := ocds.Contract{ID: c.ID, AwardID: c.AwardID, Status: status, Value: value(c.Value), DateSigned: c.DateSigned}
	var txs []ocds.Transaction
	for _, m := range c.Milestones {
		om := ocds.Milestone{
			ID: m.ID, Title: m.Title, Type: "delivery", Description: m.AcceptanceCriteria, DueDate: m.DueDate,
			Status: "scheduled", Value: value(m.Amount),
		}
		if m.Status == MilestoneAccepted || m.Status == MilestonePaid {
			om.Status = "met"
			om.DateMet = m.Deliverables[len(m.Deliverables)-1].DecidedAt
		}
		rc.Milestones = append(rc.Milestones, om)
		if p := m.Payment; p != nil {
			txs = append(txs, ocds.Transaction{
				ID: c.ID + "-" + m.ID + "-payment", Date: p.ReleasedAt, Value: *value(p.Amount), Payer: buyer, Payee: supplier,
			})
		}
	}
	if len(txs) > 0 {
		rc.Implementation = &ocds.Implementation{Transactions: txs}
	}
	return rc
}

// parties lists the buyer, the opened bidders and the awarded suppliers,
// sorted by id, each with its roles.
func parties(t *Tender) []ocds.Party {
	roles := map[string][]string{t.Buyer.ID: {"buyer", "procuringEntity"}}
	add := func(id, role string) {
		if !slices.Contains(roles[id], role) {
			roles[id] = append(roles[id], role)
		}
	}
	if t.Opening != nil {
		for _, b := range t.Opening.Bidders {
			add(b, "tenderer")
		}
	}
	for _, a := range t.Awards {
		add(a.SupplierID, "supplier")
	}
	ids := make([]string, 0, len(roles))
	for id := range roles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]ocds.Party, len(ids))
	for i, id := range ids {
		name := id
		if id == t.Buyer.ID {
			name = t.Buyer.Name
		}
		out[i] = ocds.Party{ID: id, Name: name, Roles: roles[id]}
	}
	return out
}
