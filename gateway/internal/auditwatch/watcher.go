package auditwatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/txn"
)

// Names on the network the watcher works with. The gateway does not import
// the contract packages (their dependencies belong on the chaincode side),
// only the audit domain's RedFlag wire type.
const (
	// AuditOfficeMSP is the only organisation whose gateway may run the
	// watcher: only its auditors may open requests.
	AuditOfficeMSP = "AuditOfficeMSP"
	// ProcurementChaincode raises the red flags; AuditChaincode takes them.
	ProcurementChaincode = "procurement"
	AuditChaincode       = "audit"
	// DefaultAgencyMSP is the organisation of the agencies that buy through
	// procurement, whose engagements the standing policy looks up.
	DefaultAgencyMSP = "ProcurementMSP"

	// Caller scopes the watcher's operations in the transaction journal.
	Caller = "auditwatch"

	openFunction     = "OpenRequestFromRedFlag"
	tenderFunction   = "GetTender"
	listFunction     = "ListEngagementsByAgency"
	engagementsPage  = 100
	maxEngagementPgs = 10
)

// Transactions is the part of the gateway's transaction service (txn.Service)
// the watcher drives.
type Transactions interface {
	Evaluate(ctx context.Context, signer txn.Signer, call txn.Call) ([]byte, error)
	Submit(ctx context.Context, signer txn.Signer, call txn.Call, opts txn.SubmitOptions) (*txn.Receipt, error)
}

// Settings configure a Watcher.
type Settings struct {
	// Engagements maps a buying agency's code (a tender's buyer.id) to the
	// engagement its flags open requests on.
	Engagements map[string]string
	// Standing, for an agency not in Engagements, uses the agency's newest
	// engagement that still takes requests.
	Standing bool
	// AgencyMSP is the MSP ID of the buying agencies' engagements
	// (DefaultAgencyMSP when empty).
	AgencyMSP string
	// StartBlock is where to start when there is no checkpoint yet.
	StartBlock uint64
	// CheckpointFile holds the position; ParkedFile collects the flags the
	// watcher gave up on. Both are required; their folders must exist.
	CheckpointFile string
	ParkedFile     string
	// RefusalAttempts is how often a refused flag is tried before it is
	// parked (3 when zero).
	RefusalAttempts int
	// InitialBackoff doubles up to MaxBackoff between attempts and stream
	// reconnections (1s and 1m when zero).
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
}

// SettingsError names the setting that breaks a rule.
type SettingsError struct {
	Field string
	Rule  string
}

func (e *SettingsError) Error() string { return fmt.Sprintf("audit watch: %s: %s", e.Field, e.Rule) }

// idPattern is the chaincodes' identifier rule (agency codes, engagement
// ids): checked here so a typo fails at start-up, not at the first flag.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)

func (s *Settings) normalize() error {
	if s.AgencyMSP == "" {
		s.AgencyMSP = DefaultAgencyMSP
	}
	if s.RefusalAttempts == 0 {
		s.RefusalAttempts = 3
	}
	if s.InitialBackoff == 0 {
		s.InitialBackoff = time.Second
	}
	if s.MaxBackoff == 0 {
		s.MaxBackoff = time.Minute
	}
	switch {
	case s.CheckpointFile == "":
		return &SettingsError{Field: "CheckpointFile", Rule: "is required"}
	case s.ParkedFile == "":
		return &SettingsError{Field: "ParkedFile", Rule: "is required"}
	case s.ParkedFile == s.CheckpointFile:
		return &SettingsError{Field: "ParkedFile", Rule: "must differ from CheckpointFile"}
	case s.RefusalAttempts < 1 || s.RefusalAttempts > 100:
		return &SettingsError{Field: "RefusalAttempts", Rule: "must be within 1..100"}
	case s.InitialBackoff < 0 || s.MaxBackoff < s.InitialBackoff:
		return &SettingsError{Field: "MaxBackoff", Rule: "must be positive and not below InitialBackoff"}
	case !idPattern.MatchString(s.AgencyMSP):
		return &SettingsError{Field: "AgencyMSP", Rule: "must be an MSP ID"}
	case len(s.Engagements) == 0 && !s.Standing:
		return &SettingsError{Field: "Engagements", Rule: "must name an engagement per agency unless Standing is set"}
	}
	for agency, engagement := range s.Engagements {
		if !idPattern.MatchString(agency) {
			return &SettingsError{Field: "Engagements", Rule: fmt.Sprintf("agency code %q must be 1-64 of A-Z a-z 0-9 . _ : -", agency)}
		}
		if !idPattern.MatchString(engagement) {
			return &SettingsError{Field: "Engagements[" + agency + "]", Rule: fmt.Sprintf("engagement id %q must be 1-64 of A-Z a-z 0-9 . _ : -", engagement)}
		}
	}
	return nil
}

// Watcher follows procurement events and opens audit requests from their red
// flags. Create it with New; call Run once.
type Watcher struct {
	src        events.Source
	txns       Transactions
	signer     txn.Signer
	set        Settings
	log        *slog.Logger
	checkpoint checkpointFile
	parked     parkedLog
	// saveEvery spaces checkpoint saves after events without flags.
	saveEvery time.Duration
}

// Option configures a Watcher.
type Option func(*Watcher)

// WithLogger sets where the watcher reports requests opened, retries and
// parked flags (tender ids, kinds, engagement and request ids: public audit
// data). The default discards it.
func WithLogger(l *slog.Logger) Option {
	return func(w *Watcher) {
		if l != nil {
			w.log = l
		}
	}
}

// New builds a watcher reading events from src and submitting through txns
// as signer, which must hold its key and be an auditor of AuditOfficeMSP.
func New(src events.Source, txns Transactions, signer txn.Signer, s Settings, opts ...Option) (*Watcher, error) {
	switch {
	case src == nil:
		return nil, &SettingsError{Field: "source", Rule: "is required"}
	case txns == nil:
		return nil, &SettingsError{Field: "transactions", Rule: "are required"}
	case signer == nil || !signer.Custodial():
		return nil, &SettingsError{Field: "signer", Rule: "must be a wallet user whose key the gateway holds"}
	case signer.Creator().MSPID != AuditOfficeMSP:
		return nil, &SettingsError{Field: "signer", Rule: "must be a user of " + AuditOfficeMSP}
	}
	if err := s.normalize(); err != nil {
		return nil, err
	}
	w := &Watcher{
		src: src, txns: txns, signer: signer, set: s,
		log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		checkpoint: checkpointFile{path: s.CheckpointFile},
		parked:     parkedLog{path: s.ParkedFile},
		saveEvery:  time.Second,
	}
	for _, o := range opts {
		o(w)
	}
	return w, nil
}

// Run follows the procurement events from the checkpoint (or StartBlock)
// until ctx ends, which is a clean stop (nil). It returns an error only when
// it cannot keep its promise never to lose a flag: the checkpoint or the
// parked file cannot be read or written.
func (w *Watcher) Run(ctx context.Context) error {
	from, found, err := w.checkpoint.load()
	if err != nil {
		return err
	}
	if !found {
		from = ledger.Position{Block: w.set.StartBlock}
	}
	w.log.Info("audit watch following procurement red flags", "from_block", from.Block, "after_tx", from.AfterTxID,
		"user", w.signer.Name(), "standing_engagements", w.set.Standing)
	// Stop the stream's goroutine whichever way Run ends.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream := events.Follow(ctx, w.src, ProcurementChaincode, from, w.set.InitialBackoff, w.log)
	var (
		pending   *ledger.Position // handled but not saved
		lastSaved = time.Now()
	)
	save := func(p ledger.Position) error {
		if err := w.checkpoint.save(p); err != nil {
			return err
		}
		pending, lastSaved = nil, time.Now()
		return nil
	}
	for ev := range stream {
		settled, err := w.handle(ctx, ev)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return err
		}
		pos := ev.Position()
		if settled > 0 || time.Since(lastSaved) >= w.saveEvery {
			if err := save(pos); err != nil {
				return err
			}
			continue
		}
		pending = &pos
	}
	if pending != nil {
		return save(*pending)
	}
	return nil
}

// handle settles every flag of one event and returns how many it settled
// (an unreadable event counts as one), so the checkpoint is saved at once
// after anything was submitted or parked. It fails only when ctx ends or a
// parked flag cannot be recorded.
func (w *Watcher) handle(ctx context.Context, ev ledger.Event) (int, error) {
	flags, err := flagsOf(ev)
	if err != nil {
		return 1, w.park(Parked{EventID: ev.ID(), Step: StepEvent, Code: CodeMalformed, Reason: err.Error(), Attempts: 1})
	}
	for _, f := range flags {
		if f.err != nil {
			p := Parked{EventID: ev.ID(), Flag: clipFlag(f.flag), Step: StepEvent, Code: CodeMalformed, Reason: f.err.Error(), Attempts: 1}
			if err := w.park(p); err != nil {
				return 0, err
			}
			continue
		}
		if err := w.settle(ctx, ev, f.flag); err != nil {
			return 0, err
		}
	}
	return len(flags), nil
}

// settle tries one flag until its request is open or it is parked.
func (w *Watcher) settle(ctx context.Context, ev ledger.Event, flag audit.RedFlag) error {
	delay := w.set.InitialBackoff
	refusals := 0
	for attempt := 1; ; attempt++ {
		o, err := w.open(ctx, flag)
		if err == nil {
			msg := "opened audit request from red flag"
			if o.existed {
				msg = "audit request for red flag already open"
			}
			w.log.Info(msg, "event_id", ev.ID(), "tender", flag.ID, "kind", flag.Kind, "agency", o.agency,
				"engagement", o.engagement, "request", o.requestID, "tx_id", o.txID)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var refused *RefusalError
		if errors.As(err, &refused) {
			refusals++
			if refusals >= w.set.RefusalAttempts {
				return w.park(Parked{
					EventID: ev.ID(), Flag: flag, RequestID: audit.RedFlagRequestID(flag), Agency: o.agency,
					EngagementID: o.engagement, Step: refused.Step, Code: refused.Code, Reason: err.Error(), Attempts: attempt,
				})
			}
		}
		w.log.Warn("red flag not settled yet; retrying", "event_id", ev.ID(), "tender", flag.ID, "kind", flag.Kind,
			"attempt", attempt, "retry_in", delay, "error", err)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
		delay = min(2*delay, w.set.MaxBackoff)
	}
}

func (w *Watcher) park(p Parked) error {
	p.ParkedAt = time.Now().UTC()
	if err := w.parked.add(p); err != nil {
		return err
	}
	w.log.Error("red flag parked: open the audit request by hand", "event_id", p.EventID, "tender", p.Flag.ID,
		"kind", p.Flag.Kind, "agency", p.Agency, "engagement", p.EngagementID, "request", p.RequestID,
		"step", p.Step, "code", p.Code, "reason", p.Reason, "parked_file", w.set.ParkedFile)
	return nil
}

// clipFlag bounds the fields of a flag that failed validation before they
// are written anywhere: they are whatever the event held.
func clipFlag(f audit.RedFlag) audit.RedFlag {
	clip := func(s string) string {
		const limit = 128
		if len(s) <= limit {
			return s
		}
		s = s[:limit]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		return s + "…"
	}
	return audit.RedFlag{Entity: f.Entity, ID: clip(f.ID), Kind: clip(f.Kind)}
}
