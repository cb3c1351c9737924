package auditwatch_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/gateway/internal/auditwatch"
	"github.com/govledger/govledger/gateway/internal/ledger"
)

var (
	auditor = signer{name: "auditor1", msp: "AuditOfficeMSP"}
	day0    = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
)

// rig is one watcher's files and fakes; start runs a Watcher on them, and a
// second start after stop is a restart.
type rig struct {
	t   *testing.T
	src *source
	net *network
	set auditwatch.Settings
}

func newRig(t *testing.T) *rig {
	dir := t.TempDir()
	return &rig{t: t, src: newSource(), net: newNetwork(), set: auditwatch.Settings{
		Engagements:    map[string]string{"MOF": "ENG-MOF"},
		CheckpointFile: filepath.Join(dir, "auditwatch.json"),
		ParkedFile:     filepath.Join(dir, "parked.jsonl"),
		InitialBackoff: time.Millisecond,
		MaxBackoff:     5 * time.Millisecond,
	}}
}

// start runs a watcher until the returned stop, which reports Run's error.
func (r *rig) start() (stop func() error) {
	r.t.Helper()
	w, err := auditwatch.New(r.src, r.net, auditor, r.set)
	require.NoError(r.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			r.t.Fatal("watcher did not stop")
			return nil
		}
	}
	r.t.Cleanup(func() { _ = stop() })
	return stop
}

// checkpoint reads the checkpoint file as the Fabric Gateway SDK's own
// FileCheckpointer does.
func (r *rig) checkpoint() (uint64, string) {
	r.t.Helper()
	cp, err := client.NewFileCheckpointer(r.set.CheckpointFile)
	require.NoError(r.t, err)
	defer func() { require.NoError(r.t, cp.Close()) }()
	return cp.BlockNumber(), cp.TransactionID()
}

// settledThrough waits until the checkpoint is just after ev.
func (r *rig) settledThrough(ev ledger.Event) {
	r.t.Helper()
	require.Eventually(r.t, func() bool {
		if _, err := os.Stat(r.set.CheckpointFile); err != nil {
			return false
		}
		block, tx := r.checkpoint()
		return block == ev.Block && tx == ev.TxID
	}, 5*time.Second, 2*time.Millisecond, "checkpoint after event %s", ev.ID())
}

func (r *rig) parked() []auditwatch.Parked {
	r.t.Helper()
	f, err := os.Open(r.set.ParkedFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(r.t, err)
	defer func() { _ = f.Close() }()
	var out []auditwatch.Parked
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p auditwatch.Parked
		require.NoError(r.t, json.Unmarshal(sc.Bytes(), &p))
		out = append(out, p)
	}
	require.NoError(r.t, sc.Err())
	return out
}

func flag(kind, tender string) [2]string { return [2]string{kind, tender} }

func TestWatcherOpensRequestsFromRedFlags(t *testing.T) {
	t.Run("opens one request per red flag on the engagement of the tender's agency", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("T1", "MOF", "shortTenderPeriod", "singleBid")
		r.net.addTender("T2", "MOF", "awardNotTopRanked")
		r.start()
		r.src.emit("created", "T1")
		r.src.emit("published", "T1", flag("shortTenderPeriod", "T1"))
		r.src.emit("opened", "T1", flag("singleBid", "T1"), flag("singleBid", "T1"))
		last := r.src.emit("awarded", "T2", flag("awardNotTopRanked", "T2"))
		r.settledThrough(last)
		require.Equal(t, []string{
			requestKey("ENG-MOF", "T1", "shortTenderPeriod"),
			requestKey("ENG-MOF", "T1", "singleBid"),
			requestKey("ENG-MOF", "T2", "awardNotTopRanked"),
		}, r.net.open())
		require.Empty(t, r.parked())
	})

	t.Run("treats a request the audit contract already holds as done", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("T1", "MOF", "shortTenderPeriod")
		first := r.src.emit("published", "T1", flag("shortTenderPeriod", "T1"))
		r.start()
		r.settledThrough(first)
		// The same flag again (an auditor filed it by hand, or a replay).
		again := r.src.emit("amended", "T1", flag("shortTenderPeriod", "T1"))
		r.settledThrough(again)
		require.Equal(t, []string{requestKey("ENG-MOF", "T1", "shortTenderPeriod")}, r.net.open())
		require.Empty(t, r.parked())
	})

	t.Run("starts at the configured block when there is no checkpoint", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("OLD", "MOF", "singleBid")
		r.net.addTender("NEW", "MOF", "singleBid")
		r.src.emit("opened", "OLD", flag("singleBid", "OLD"))
		ev := r.src.emit("opened", "NEW", flag("singleBid", "NEW"))
		r.set.StartBlock = ev.Block
		r.start()
		r.settledThrough(ev)
		require.Equal(t, []string{requestKey("ENG-MOF", "NEW", "singleBid")}, r.net.open())
	})

	t.Run("keeps following when the event stream breaks", func(t *testing.T) {
		r := newRig(t)
		r.src.breakAfter = 1
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		var last ledger.Event
		for _, id := range []string{"A", "B", "C"} {
			r.net.addTender(id, "MOF", "singleBid")
			last = r.src.emit("opened", id, flag("singleBid", id))
		}
		r.start()
		r.settledThrough(last)
		require.Len(t, r.net.open(), 3)
		require.GreaterOrEqual(t, r.src.streams(), 3, "the watcher reopened the stream after each break")
	})
}

func TestWatcherNeverLosesAFlag(t *testing.T) {
	t.Run("resumes after a restart without a gap or a second request", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		for _, id := range []string{"A", "B", "C", "D"} {
			r.net.addTender(id, "MOF", "singleBid")
		}
		stop := r.start()
		r.src.emit("opened", "A", flag("singleBid", "A"))
		b := r.src.emit("opened", "B", flag("singleBid", "B"))
		r.settledThrough(b)
		require.NoError(t, stop())

		// Flags raised while the watcher is down are picked up on restart.
		r.src.emit("opened", "C", flag("singleBid", "C"))
		r.src.emit("viewed", "C")
		r.start()
		d := r.src.emit("opened", "D", flag("singleBid", "D"))
		r.settledThrough(d)
		require.Equal(t, []string{
			requestKey("ENG-MOF", "A", "singleBid"), requestKey("ENG-MOF", "B", "singleBid"),
			requestKey("ENG-MOF", "C", "singleBid"), requestKey("ENG-MOF", "D", "singleBid"),
		}, r.net.open())
	})

	t.Run("a crash before the checkpoint moved replays the flag, which ALREADY_EXISTS settles", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("A", "MOF", "singleBid")
		r.net.addTender("B", "MOF", "singleBid")
		a := r.src.emit("opened", "A", flag("singleBid", "A"))
		b := r.src.emit("opened", "B", flag("singleBid", "B"))
		stop := r.start()
		r.settledThrough(b)
		require.NoError(t, stop())
		// Put the checkpoint back to before A, as if the process died
		// after submitting both requests but before saving.
		require.NoError(t, os.WriteFile(r.set.CheckpointFile, []byte(`{"blockNumber":`+jsonNumber(a.Block)+`,"transactionId":""}`), 0o600))
		r.start()
		r.settledThrough(b)
		require.Len(t, r.net.open(), 2)
		require.Empty(t, r.parked())
	})

	t.Run("retries network failures and unknown outcomes until the request is open", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("A", "MOF", "singleBid")
		r.net.addTender("B", "MOF", "singleBid")
		r.net.inject(unavailable(), unavailable(), errLostReply, unavailable(),
			&ledger.CommitError{Status: ledger.Status{TxID: "x", Code: ledger.CodeMVCCReadConflict}})
		r.src.emit("opened", "A", flag("singleBid", "A"))
		b := r.src.emit("opened", "B", flag("singleBid", "B"))
		r.set.RefusalAttempts = 1 // none of these is a refusal
		r.start()
		r.settledThrough(b)
		require.Equal(t, []string{requestKey("ENG-MOF", "A", "singleBid"), requestKey("ENG-MOF", "B", "singleBid")}, r.net.open())
		require.Empty(t, r.parked())
	})

	t.Run("holds the stream while the network is down", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("A", "MOF", "singleBid")
		faults := make([]error, 50)
		for i := range faults {
			faults[i] = unavailable()
		}
		r.net.inject(faults...)
		a := r.src.emit("opened", "A", flag("singleBid", "A"))
		stop := r.start()
		time.Sleep(20 * time.Millisecond)
		require.NoError(t, stop())
		_, err := os.Stat(r.set.CheckpointFile)
		require.ErrorIs(t, err, os.ErrNotExist, "the checkpoint must not move past a flag not yet settled")
		r.start()
		r.settledThrough(a)
		require.Equal(t, []string{requestKey("ENG-MOF", "A", "singleBid")}, r.net.open())
	})
}

func jsonNumber(n uint64) string {
	b, err := json.Marshal(n)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestWatcherParksWhatItCannotOpen(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(r *rig)
		flag     [2]string
		step     string
		code     string
		agency   string
		engageID string
	}{
		{
			name: "parks a flag whose engagement no longer takes requests",
			setup: func(r *rig) {
				r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementClosed, day0)
				r.net.addTender("T", "MOF", "singleBid")
			},
			flag: flag("singleBid", "T"), step: auditwatch.StepRequest, code: string(ccerror.FailedPrecondition),
			agency: "MOF", engageID: "ENG-MOF",
		},
		{
			name:  "parks a flag of an agency without a configured engagement",
			setup: func(r *rig) { r.net.addTender("T", "MOH", "singleBid") },
			flag:  flag("singleBid", "T"), step: auditwatch.StepEngagement, code: auditwatch.CodeNoEngagement, agency: "MOH",
		},
		{
			name: "parks a flag the network refuses to endorse",
			setup: func(r *rig) {
				r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
				r.net.addTender("T", "MOF", "singleBid")
				denied := &ledger.PhaseError{Phase: ledger.PhaseEndorse, Err: fmt.Errorf("%w: access denied", ledger.ErrPermissionDenied)}
				r.net.inject(denied, denied)
			},
			flag: flag("singleBid", "T"), step: auditwatch.StepRequest, code: auditwatch.CodeNetworkRefused,
			agency: "MOF", engageID: "ENG-MOF",
		},
		{
			name:  "parks a flag on a tender procurement does not know",
			setup: func(r *rig) {},
			flag:  flag("singleBid", "GHOST"), step: auditwatch.StepTender, code: string(ccerror.NotFound),
		},
		{
			name: "parks a flag the tender does not carry",
			setup: func(r *rig) {
				r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
				r.net.addTender("T", "MOF")
			},
			flag: flag("singleBid", "T"), step: auditwatch.StepRequest, code: string(ccerror.FailedPrecondition),
			agency: "MOF", engageID: "ENG-MOF",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			tc.setup(r)
			r.set.Engagements["NEXTAGENCY"] = "ENG-OK"
			r.set.RefusalAttempts = 2
			bad := r.src.emit("opened", tc.flag[1], tc.flag)
			// The flag after a parked one is handled as usual.
			r.net.addTender("NEXT", "NEXTAGENCY", "singleBid")
			r.net.addEngagement("ENG-OK", "NEXTAGENCY", audit.EngagementOpen, day0)
			next := r.src.emit("opened", "NEXT", flag("singleBid", "NEXT"))
			r.start()
			r.settledThrough(next)
			require.Equal(t, []string{requestKey("ENG-OK", "NEXT", "singleBid")}, r.net.open())

			parked := r.parked()
			require.Len(t, parked, 1)
			p := parked[0]
			want := audit.RedFlag{Entity: "tender", ID: tc.flag[1], Kind: tc.flag[0]}
			require.Equal(t, bad.ID(), p.EventID)
			require.Equal(t, want, p.Flag)
			require.Equal(t, audit.RedFlagRequestID(want), p.RequestID)
			require.Equal(t, tc.step, p.Step)
			require.Equal(t, tc.code, p.Code)
			require.Equal(t, tc.agency, p.Agency)
			require.Equal(t, tc.engageID, p.EngagementID)
			require.Equal(t, 2, p.Attempts)
			require.NotEmpty(t, p.Reason)
		})
	}

	t.Run("opens the request when a refusal clears before the last attempt", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("T", "MOF", "singleBid")
		// An endorsing peer a block behind does not know the tender yet.
		r.net.inject(chaincodeErr(ccerror.NotFound, "tender not found"), chaincodeErr(ccerror.NotFound, "tender not found"))
		r.set.RefusalAttempts = 3
		ev := r.src.emit("opened", "T", flag("singleBid", "T"))
		r.start()
		r.settledThrough(ev)
		require.Equal(t, []string{requestKey("ENG-MOF", "T", "singleBid")}, r.net.open())
		require.Empty(t, r.parked())
	})

	t.Run("parks unreadable events and flags without submitting them", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("T", "MOF", "singleBid")
		garbage := r.src.emitRaw("broken", []byte("not json"))
		tooMany := make([][2]string, 33)
		for i := range tooMany {
			tooMany[i] = flag("singleBid", "T")
		}
		flood := r.src.emit("flooded", "T", tooMany...)
		long := strings.Repeat("é", 100)
		badID := r.src.emit("opened", "T", flag("singleBid", "bad id with spaces"), flag(long, "T"), flag("singleBid", "T"))
		r.start()
		r.settledThrough(badID)
		require.Equal(t, []string{requestKey("ENG-MOF", "T", "singleBid")}, r.net.open())
		parked := r.parked()
		require.Len(t, parked, 4)
		require.Equal(t, garbage.ID(), parked[0].EventID)
		require.Equal(t, flood.ID(), parked[1].EventID)
		require.Equal(t, badID.ID(), parked[2].EventID)
		require.Equal(t, "bad id with spaces", parked[2].Flag.ID)
		require.Equal(t, badID.ID(), parked[3].EventID)
		require.Less(t, len(parked[3].Flag.Kind), len(long), "a hostile field is clipped before it is written")
		require.True(t, utf8.ValidString(parked[3].Flag.Kind))
		for _, p := range parked {
			require.Equal(t, auditwatch.StepEvent, p.Step)
			require.Equal(t, auditwatch.CodeMalformed, p.Code)
		}
	})
}

func TestStandingEngagements(t *testing.T) {
	tests := []struct {
		name        string
		engagements []engagement
		want        string
	}{
		{
			name: "uses the agency's newest engagement that takes requests",
			engagements: []engagement{
				{id: "E1", agency: "MOF", status: audit.EngagementOpen, openedAt: day0},
				{id: "E2", agency: "MOF", status: audit.EngagementReporting, openedAt: day0.Add(48 * time.Hour)},
				{id: "E3", agency: "MOF", status: audit.EngagementClosed, openedAt: day0.Add(72 * time.Hour)},
				{id: "E4", agency: "MOH", status: audit.EngagementOpen, openedAt: day0.Add(96 * time.Hour)},
				{id: "E5", agency: "MOF", status: audit.EngagementWithdrawn, openedAt: day0.Add(96 * time.Hour)},
			},
			want: "E2",
		},
		{
			name: "breaks a tie in opening time by engagement id",
			engagements: []engagement{
				{id: "E-B", agency: "MOF", status: audit.EngagementOpen, openedAt: day0},
				{id: "E-A", agency: "MOF", status: audit.EngagementOpen, openedAt: day0},
			},
			want: "E-B",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.net.listPage = 2 // several pages
			for _, e := range tc.engagements {
				r.net.addEngagement(e.id, e.agency, e.status, e.openedAt)
			}
			r.net.addTender("T", "MOF", "singleBid")
			r.set.Engagements = nil
			r.set.Standing = true
			ev := r.src.emit("opened", "T", flag("singleBid", "T"))
			r.start()
			r.settledThrough(ev)
			require.Equal(t, []string{requestKey(tc.want, "T", "singleBid")}, r.net.open())
		})
	}

	t.Run("the configured engagement wins over the standing one", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("NEWEST", "MOF", audit.EngagementOpen, day0.Add(time.Hour))
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("T", "MOF", "singleBid")
		r.set.Standing = true
		ev := r.src.emit("opened", "T", flag("singleBid", "T"))
		r.start()
		r.settledThrough(ev)
		require.Equal(t, []string{requestKey("ENG-MOF", "T", "singleBid")}, r.net.open())
	})

	t.Run("follows a closed engagement to the agency's next one on replay", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("E1", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("T", "MOF", "singleBid", "shortTenderPeriod")
		r.set.Engagements = nil
		r.set.Standing = true
		first := r.src.emit("opened", "T", flag("singleBid", "T"))
		r.start()
		r.settledThrough(first)
		r.net.setStatus("E1", audit.EngagementClosed)
		r.net.addEngagement("E2", "MOF", audit.EngagementOpen, day0.Add(time.Hour))
		second := r.src.emit("published", "T", flag("shortTenderPeriod", "T"))
		r.settledThrough(second)
		require.Equal(t, []string{requestKey("E1", "T", "singleBid"), requestKey("E2", "T", "shortTenderPeriod")}, r.net.open())
	})
}

func TestNewRefusesUnusableSettings(t *testing.T) {
	dir := t.TempDir()
	valid := func() auditwatch.Settings {
		return auditwatch.Settings{
			Engagements:    map[string]string{"MOF": "ENG-1"},
			CheckpointFile: filepath.Join(dir, "cp.json"), ParkedFile: filepath.Join(dir, "parked.jsonl"),
		}
	}
	tests := []struct {
		name   string
		signer signer
		mod    func(*auditwatch.Settings)
		field  string
	}{
		{"refuses a signer whose key the gateway lacks", signer{name: "auditor1", msp: "AuditOfficeMSP", noKey: true}, func(*auditwatch.Settings) {}, "signer"},
		{"refuses a signer of another organisation", signer{name: "buyer1", msp: "ProcurementMSP"}, func(*auditwatch.Settings) {}, "signer"},
		{"requires a checkpoint file", auditor, func(s *auditwatch.Settings) { s.CheckpointFile = "" }, "CheckpointFile"},
		{"requires a parked file apart from the checkpoint", auditor, func(s *auditwatch.Settings) { s.ParkedFile = s.CheckpointFile }, "ParkedFile"},
		{"requires engagements or the standing policy", auditor, func(s *auditwatch.Settings) { s.Engagements = nil }, "Engagements"},
		{"rejects a malformed agency code", auditor, func(s *auditwatch.Settings) { s.Engagements = map[string]string{"M O F": "E"} }, "Engagements"},
		{"rejects a malformed engagement id", auditor, func(s *auditwatch.Settings) { s.Engagements = map[string]string{"MOF": "/etc"} }, "Engagements[MOF]"},
		{"rejects a backoff cap below the first backoff", auditor, func(s *auditwatch.Settings) {
			s.InitialBackoff, s.MaxBackoff = time.Minute, time.Second
		}, "MaxBackoff"},
		{"rejects too many refusal attempts", auditor, func(s *auditwatch.Settings) { s.RefusalAttempts = 1000 }, "RefusalAttempts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.mod(&s)
			_, err := auditwatch.New(newSource(), newNetwork(), tc.signer, s)
			var se *auditwatch.SettingsError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tc.field, se.Field)
		})
	}
	t.Run("accepts the standing policy alone", func(t *testing.T) {
		s := valid()
		s.Engagements, s.Standing = nil, true
		_, err := auditwatch.New(newSource(), newNetwork(), auditor, s)
		require.NoError(t, err)
	})
}

func TestCheckpointFile(t *testing.T) {
	t.Run("resumes from a checkpoint the SDK's FileCheckpointer wrote", func(t *testing.T) {
		r := newRig(t)
		r.net.addEngagement("ENG-MOF", "MOF", audit.EngagementOpen, day0)
		r.net.addTender("A", "MOF", "singleBid")
		r.net.addTender("B", "MOF", "singleBid")
		a := r.src.emit("opened", "A", flag("singleBid", "A"))
		b := r.src.emit("opened", "B", flag("singleBid", "B"))
		cp, err := client.NewFileCheckpointer(r.set.CheckpointFile)
		require.NoError(t, err)
		require.NoError(t, cp.CheckpointTransaction(a.Block, a.TxID))
		require.NoError(t, cp.Close())
		r.start()
		r.settledThrough(b)
		require.Equal(t, []string{requestKey("ENG-MOF", "B", "singleBid")}, r.net.open())
	})

	t.Run("stops on a corrupt checkpoint rather than start over", func(t *testing.T) {
		r := newRig(t)
		require.NoError(t, os.WriteFile(r.set.CheckpointFile, []byte(`{"blockNumber":`), 0o600))
		w, err := auditwatch.New(r.src, r.net, auditor, r.set)
		require.NoError(t, err)
		err = w.Run(context.Background())
		require.ErrorIs(t, err, auditwatch.ErrCheckpoint)
		require.Contains(t, err.Error(), r.set.CheckpointFile)
	})

	t.Run("stops when a parked flag cannot be recorded", func(t *testing.T) {
		r := newRig(t)
		r.set.ParkedFile = filepath.Join(t.TempDir(), "missing-folder", "parked.jsonl")
		r.src.emitRaw("broken", []byte("not json"))
		w, err := auditwatch.New(r.src, r.net, auditor, r.set)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.ErrorIs(t, w.Run(ctx), auditwatch.ErrParkedFile)
		_, err = os.Stat(r.set.CheckpointFile)
		require.ErrorIs(t, err, os.ErrNotExist, "the checkpoint stays before the flag that could not be parked")
	})
}
