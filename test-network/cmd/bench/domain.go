package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	auditcc "github.com/govledger/govledger/chaincode/audit/contract"
	benefitscc "github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	healthcc "github.com/govledger/govledger/chaincode/health/contract"
	identitycc "github.com/govledger/govledger/chaincode/identity/contract"
	procurementcc "github.com/govledger/govledger/chaincode/procurement/contract"
)

// Users of network/topology.yaml the domain runs act as.
var (
	buyer        = user{"ProcurementMSP", "buyer1"}
	reporter     = user{"HospitalMSP", "reporter1"}
	epidemiology = user{"PublicHealthMSP", "epidemiologist1"}
	auditManager = user{"AuditOfficeMSP", "auditmanager1"}
	auditor      = user{"AuditOfficeMSP", "auditor1"}
	accreditor   = user{"SocialServicesMSP", "accreditor1"}
	issuer       = user{"SocialServicesMSP", "issuer1"}
	caseworker   = user{"SocialServicesMSP", "caseworker1"}
	finance      = user{"SocialServicesMSP", "finance1"}
	// suppliers are the supplier users and the supplier IDs their
	// certificates carry.
	suppliers = []struct {
		user user
		id   string
	}{{user{"ProcurementMSP", "supplierA"}, "SUP-A"}, {user{"ProcurementMSP", "supplierB"}, "SUP-B"}, {user{"ProcurementMSP", "supplierC"}, "SUP-C"}}
)

// setupParallel bounds the transactions setup keeps in flight.
const setupParallel = 32

func (b *bench) domainSpec(name, kind string) spec {
	s := spec{name: name, group: groupDomain, via: viaDirect, kind: kind, clients: b.opts.domainClients,
		duration: b.opts.duration, warmup: b.opts.warmup}
	if kind == kindEvaluate {
		s.duration = b.opts.evalDuration
	}
	return s
}

// submitOp adapts a submit to a loadgen operation.
func (b *bench) submitOp(ctx context.Context, u user, c call, onSuccess func([]byte)) (string, error) {
	out, kind, err := b.sdk.submit(ctx, u, c)
	if err == nil && onSuccess != nil {
		onSuccess(out)
	}
	return kind, err
}

// procurement measures creating, publishing and bidding on tenders, each
// tender and each (tender, supplier) bid touched by one operation only, and
// the buyer's paged tender listing.
func (b *bench) procurement(ctx context.Context) error {
	cc := func(fn string, args ...string) call {
		return call{Chaincode: "procurement", Function: procurementcc.Name + ":" + fn, Args: args}
	}
	now := time.Now()
	created := &pool[string]{}
	create := func(_ context.Context, c, i int) (string, error) {
		id := fmt.Sprintf("T-%s-%d-%d", b.run, c, i)
		arg, err := jsonArg(tenderDraft(id, now))
		if err != nil {
			return "input", err
		}
		return b.submitOp(ctx, buyer, cc("CreateTender", arg), func([]byte) { created.add(id) })
	}
	if _, err := b.measure(ctx, b.domainSpec("procurement.CreateTender", kindSubmit), create); err != nil {
		return err
	}

	published := &pool[string]{}
	publish := func(_ context.Context, _, _ int) (string, error) {
		id, ok := created.take()
		if !ok {
			return "pool", errExhausted
		}
		return b.submitOp(ctx, buyer, cc("PublishTender", id), func([]byte) { published.add(id) })
	}
	s, ok := poolRun(b.domainSpec("procurement.PublishTender", kindSubmit), created.size())
	if !ok {
		return fmt.Errorf("only %d tenders created: too few to publish at %d clients", created.size(), s.clients)
	}
	if _, err := b.measure(ctx, s, publish); err != nil {
		return err
	}

	type bid struct {
		tender string
		n      int
	}
	bids := &pool[bid]{}
	for _, t := range published.items {
		for n := range suppliers {
			bids.add(bid{t, n})
		}
	}
	commit := func(_ context.Context, _, _ int) (string, error) {
		bd, ok := bids.take()
		if !ok {
			return "pool", errExhausted
		}
		sup := suppliers[bd.n]
		content, err := sealedBid(bd.tender, sup.id)
		if err != nil {
			return "input", err
		}
		return b.submitOp(ctx, sup.user, cc("SubmitBidCommitment", bd.tender, sup.id, content.Commitment()), nil)
	}
	if s, ok = poolRun(b.domainSpec("procurement.SubmitBidCommitment", kindSubmit), bids.size()); !ok {
		return fmt.Errorf("only %d bids possible: too few at %d clients", bids.size(), s.clients)
	}
	if _, err := b.measure(ctx, s, commit); err != nil {
		return err
	}

	list := func(_ context.Context, _, _ int) (string, error) {
		_, kind, err := b.sdk.evaluate(ctx, buyer, cc("ListTendersByBuyer", "MOF", "20", ""))
		return kind, err
	}
	_, err := b.measure(ctx, b.domainSpec("procurement.ListTendersByBuyer", kindEvaluate), list)
	return err
}

// health measures hospital case reports, each for its own patient, with the
// report in the transient map, and the alert listing.
func (b *bench) health(ctx context.Context) error {
	now := time.Now()
	report := func(_ context.Context, c, i int) (string, error) {
		arg, err := jsonArg(caseReport(fmt.Sprintf("bench|%s|%d|%d", b.run, c, i), now))
		if err != nil {
			return "input", err
		}
		return b.submitOp(ctx, reporter, call{Chaincode: "health", Function: healthcc.Name + ":SubmitCaseReport",
			Transient: map[string][]byte{healthcc.TransientReport: []byte(arg)}}, nil)
	}
	if _, err := b.measure(ctx, b.domainSpec("health.SubmitCaseReport", kindSubmit), report); err != nil {
		return err
	}
	list := func(_ context.Context, _, _ int) (string, error) {
		_, kind, err := b.sdk.evaluate(ctx, epidemiology, call{Chaincode: "health", Function: healthcc.Name + ":ListAlerts", Args: []string{"", "20", ""}})
		return kind, err
	}
	_, err := b.measure(ctx, b.domainSpec("health.ListAlerts", kindEvaluate), list)
	return err
}

// audit opens one engagement per client, measures auditors issuing
// requests (each client on its own engagement, whose count of open
// requests every request updates), the agency answering each request once
// with evidence, and the engagement's request listing.
func (b *bench) audit(ctx context.Context) error {
	cc := func(fn string, args ...string) call {
		return call{Chaincode: "audit", Function: auditcc.Name + ":" + fn, Args: args}
	}
	clients := b.opts.domainClients
	engagement := func(c int) string { return fmt.Sprintf("ENG-%s-%d", b.run, c) }
	var calls []func(context.Context) error
	for c := range clients {
		calls = append(calls, func(ctx context.Context) error {
			arg, err := jsonArg(engagementSpec(engagement(c)))
			if err != nil {
				return err
			}
			_, _, err = b.sdk.submit(ctx, auditManager, cc("OpenEngagement", arg))
			return err
		})
	}
	if err := setup(ctx, setupParallel, calls); err != nil {
		return fmt.Errorf("open engagements: %w", err)
	}

	type ref struct{ engagement, request string }
	requests := &pool[ref]{}
	now := time.Now()
	issue := func(_ context.Context, c, i int) (string, error) {
		r := ref{engagement(c), fmt.Sprintf("REQ-%d", i)}
		arg, err := jsonArg(requestSpec(r.request, now))
		if err != nil {
			return "input", err
		}
		return b.submitOp(ctx, auditor, cc("IssueRequest", r.engagement, arg), func([]byte) { requests.add(r) })
	}
	if _, err := b.measure(ctx, b.domainSpec("audit.IssueRequest", kindSubmit), issue); err != nil {
		return err
	}

	respond := func(_ context.Context, _, _ int) (string, error) {
		r, ok := requests.take()
		if !ok {
			return "pool", errExhausted
		}
		arg, err := jsonArg(evidenceResponse(r.engagement + "/" + r.request))
		if err != nil {
			return "input", err
		}
		return b.submitOp(ctx, buyer, cc("FileResponse", r.engagement, r.request, arg), nil)
	}
	s, ok := poolRun(b.domainSpec("audit.FileResponse", kindSubmit), requests.size())
	if !ok {
		return fmt.Errorf("only %d requests issued: too few to answer at %d clients", requests.size(), s.clients)
	}
	if _, err := b.measure(ctx, s, respond); err != nil {
		return err
	}

	list := func(_ context.Context, c, _ int) (string, error) {
		_, kind, err := b.sdk.evaluate(ctx, auditor, cc("ListRequests", engagement(c), "", "20", ""))
		return kind, err
	}
	_, err := b.measure(ctx, b.domainSpec("audit.ListRequests", kindEvaluate), list)
	return err
}

// programmes is how many housing programmes the benefits run spreads
// applications over: a subject holds one entitlement per programme, so a
// client's first applications are approved and only later ones are refused
// as duplicates.
const programmes = 8

// benefits accredits the issuer, defines the programmes, attests two
// credentials and records two consents for one subject per client, then
// measures applications decided from evidence in the transient map (the
// benefits chaincode reads each attestation through the identity
// chaincode) and the subject's application listing.
func (b *bench) benefits(ctx context.Context) error {
	idc := func(fn string, args ...string) call {
		return call{Chaincode: "identity", Function: identitycc.Name + ":" + fn, Args: args}
	}
	bc := func(fn string, args ...string) call {
		return call{Chaincode: "benefits", Function: benefitscc.Name + ":" + fn, Args: args}
	}
	now := time.Now()
	arg, err := jsonArg(identitycc.AccreditInput{Agency: benefitsAgency, Kinds: []string{kindIncome, kindResidency}})
	if err != nil {
		return err
	}
	if _, _, err := b.sdk.submit(ctx, accreditor, idc("AccreditIssuer", arg)); err != nil && !errors.Is(err, ccerror.ErrAlreadyExists) && chaincodeCode(err) != ccerror.AlreadyExists {
		return fmt.Errorf("accredit %s: %w", benefitsAgency, err)
	}

	clients := b.opts.domainClients
	applicants := make([]applicant, clients)
	var calls []func(context.Context) error
	progs := make([]string, programmes)
	for k := range progs {
		progs[k] = fmt.Sprintf("BP-%s-%d", b.run, k)
		arg, err := jsonArg(programmeSpec(progs[k]))
		if err != nil {
			return err
		}
		calls = append(calls, func(ctx context.Context) error {
			_, _, err := b.sdk.submit(ctx, finance, bc("CreateProgramme", arg))
			return err
		})
	}
	base := statusBase(b.run)
	for c := range clients {
		a, err := newApplicant(b.run, c, base, now)
		if err != nil {
			return err
		}
		applicants[c] = a
		for _, cr := range []credential{a.residency, a.income} {
			arg, err := jsonArg(cr.input)
			if err != nil {
				return err
			}
			calls = append(calls, func(ctx context.Context) error {
				_, _, err := b.sdk.submit(ctx, issuer, idc("Attest", arg))
				return err
			})
		}
		for _, kind := range []string{kindResidency, kindIncome} {
			arg, err := jsonArg(a.consent(fmt.Sprintf("CON-%s-%d-%s", b.run, c, kind), kind, now))
			if err != nil {
				return err
			}
			calls = append(calls, func(ctx context.Context) error {
				_, _, err := b.sdk.submit(ctx, caseworker, idc("GrantConsent", arg))
				return err
			})
		}
	}
	if err := setup(ctx, setupParallel, calls); err != nil {
		return fmt.Errorf("attest, consent and define programmes: %w", err)
	}

	apply := func(_ context.Context, c, i int) (string, error) {
		a := applicants[c]
		in, err := jsonArg(benefitscc.ApplicationInput{ID: fmt.Sprintf("APP-%s-%d-%d", b.run, c, i), ProgrammeID: progs[i%programmes], Subject: a.subject})
		if err != nil {
			return "input", err
		}
		ev, err := jsonArg(a.evidence())
		if err != nil {
			return "input", err
		}
		cl := bc("SubmitApplication", in)
		cl.Transient = map[string][]byte{benefitscc.TransientEvidence: []byte(ev)}
		return b.submitOp(ctx, caseworker, cl, nil)
	}
	if _, err := b.measure(ctx, b.domainSpec("benefits.SubmitApplication", kindSubmit), apply); err != nil {
		return err
	}
	list := func(_ context.Context, c, _ int) (string, error) {
		_, kind, err := b.sdk.evaluate(ctx, caseworker, bc("ListApplications", string(applicants[c].subject), "20", ""))
		return kind, err
	}
	_, err = b.measure(ctx, b.domainSpec("benefits.ListApplications", kindEvaluate), list)
	return err
}
