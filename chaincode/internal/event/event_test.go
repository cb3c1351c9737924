package event_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/internal/event"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/stretchr/testify/require"
)

func valid() event.Event {
	return event.Event{
		Entity: "tender", ID: "T-1", Action: "published",
		Actor: event.Actor{MSPID: "AgencyMSP", ID: "x509::id", Role: "procurement-officer", Agency: "health"},
		TxID:  "tx1", Time: time.Date(2026, 1, 31, 18, 0, 0, 0, time.FixedZone("CET", 3600)),
		Rule: "procurement-act/s12", Data: json.RawMessage(`{"budget":100}`),
	}
}

func TestEmit(t *testing.T) {
	t.Run("sets the event named entity.action with the documented payload", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		require.NoError(t, event.Emit(s, valid()))
		require.Equal(t, "tender.published", s.Event().GetEventName())
		require.JSONEq(t, `{
			"entity":"tender","id":"T-1","action":"published",
			"actor":{"mspId":"AgencyMSP","id":"x509::id","role":"procurement-officer","agency":"health"},
			"txId":"tx1","time":"2026-01-31T17:00:00Z","rule":"procurement-act/s12","data":{"budget":100}
		}`, string(s.Event().GetPayload()))
	})
	t.Run("leaves optional fields out", func(t *testing.T) {
		e := valid()
		e.Rule, e.Data, e.Actor.Role, e.Actor.Agency = "", nil, "", ""
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		require.NoError(t, event.Emit(s, e))
		var m map[string]any
		require.NoError(t, json.Unmarshal(s.Event().GetPayload(), &m))
		require.NotContains(t, m, "rule")
		require.NotContains(t, m, "data")
		require.Equal(t, map[string]any{"mspId": "AgencyMSP", "id": "x509::id"}, m["actor"])
	})
	t.Run("round-trips through Parse", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		require.NoError(t, event.Emit(s, valid()))
		got, err := event.Parse(s.Event().GetPayload())
		require.NoError(t, err)
		want := valid()
		want.Time = want.Time.UTC()
		require.Equal(t, want, got)
		_, err = event.Parse([]byte("{"))
		require.ErrorIs(t, err, event.ErrInvalid)
	})
	t.Run("the last emitted event is the one Fabric keeps", func(t *testing.T) {
		s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
		require.NoError(t, event.Emit(s, valid()))
		flag := valid()
		flag.Entity, flag.Action, flag.Rule = event.EntityRedFlag, "raised", "single-bid"
		require.NoError(t, event.Emit(s, flag))
		require.Equal(t, "redflag.raised", s.Event().GetEventName())
	})
	t.Run("reports a stub failure", func(t *testing.T) {
		require.Error(t, event.Emit(failingStub{}, valid()))
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(e *event.Event)
	}{
		{"rejects an empty entity", func(e *event.Event) { e.Entity = "" }},
		{"rejects an upper-case entity", func(e *event.Event) { e.Entity = "Tender" }},
		{"rejects a dotted action", func(e *event.Event) { e.Action = "a.b" }},
		{"rejects a missing ID", func(e *event.Event) { e.ID = "" }},
		{"rejects a missing tx ID", func(e *event.Event) { e.TxID = "" }},
		{"rejects a missing time", func(e *event.Event) { e.Time = time.Time{} }},
		{"rejects a missing actor MSP", func(e *event.Event) { e.Actor.MSPID = "" }},
		{"rejects data that is not JSON", func(e *event.Event) { e.Data = json.RawMessage("{") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := valid()
			tc.mutate(&e)
			require.ErrorIs(t, e.Validate(), event.ErrInvalid)
			s := memstub.NewLedger(memstub.Config{}).Begin(memstub.TxOptions{})
			require.Error(t, event.Emit(s, e))
			require.Nil(t, s.Event())
		})
	}
}

func TestData(t *testing.T) {
	t.Run("encodes a value", func(t *testing.T) {
		d, err := event.Data(map[string]int{"b": 2, "a": 1})
		require.NoError(t, err)
		require.Equal(t, `{"a":1,"b":2}`, string(d))
	})
	t.Run("reports a value that cannot be encoded", func(t *testing.T) {
		_, err := event.Data(make(chan int))
		require.Error(t, err)
	})
}

// failingStub is a stub whose SetEvent fails; Emit calls nothing else.
type failingStub struct{ *memstub.Stub }

func (failingStub) SetEvent(string, []byte) error { return errors.New("stub refused the event") }
