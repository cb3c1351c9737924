package contract_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

var errInjected = errors.New("injected peer failure")

// faultyStub fails the n-th call the chaincode makes to the peer's ledger,
// transient map or clock, as a peer under load or a broken connection would.
type faultyStub struct {
	*memstub.Stub
	failAt, calls int
}

func (s *faultyStub) fault() error {
	s.calls++
	if s.calls == s.failAt {
		return errInjected
	}
	return nil
}

func (s *faultyStub) GetState(k string) ([]byte, error) {
	if err := s.fault(); err != nil {
		return nil, err
	}
	return s.Stub.GetState(k)
}

func (s *faultyStub) PutState(k string, v []byte) error {
	if err := s.fault(); err != nil {
		return err
	}
	return s.Stub.PutState(k, v)
}

func (s *faultyStub) DelState(k string) error {
	if err := s.fault(); err != nil {
		return err
	}
	return s.Stub.DelState(k)
}

func (s *faultyStub) GetPrivateData(c, k string) ([]byte, error) {
	if err := s.fault(); err != nil {
		return nil, err
	}
	return s.Stub.GetPrivateData(c, k)
}

func (s *faultyStub) GetPrivateDataHash(c, k string) ([]byte, error) {
	if err := s.fault(); err != nil {
		return nil, err
	}
	return s.Stub.GetPrivateDataHash(c, k)
}

func (s *faultyStub) PutPrivateData(c, k string, v []byte) error {
	if err := s.fault(); err != nil {
		return err
	}
	return s.Stub.PutPrivateData(c, k, v)
}

func (s *faultyStub) PurgePrivateData(c, k string) error {
	if err := s.fault(); err != nil {
		return err
	}
	return s.Stub.PurgePrivateData(c, k)
}

func (s *faultyStub) GetStateByPartialCompositeKey(o string, k []string) (shim.StateQueryIteratorInterface, error) {
	if err := s.fault(); err != nil {
		return nil, err
	}
	return s.Stub.GetStateByPartialCompositeKey(o, k)
}

func (s *faultyStub) GetStateByPartialCompositeKeyWithPagination(o string, k []string, n int32,
	b string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	if err := s.fault(); err != nil {
		return nil, nil, err
	}
	return s.Stub.GetStateByPartialCompositeKeyWithPagination(o, k, n, b)
}

func (s *faultyStub) GetHistoryForKey(k string) (shim.HistoryQueryIteratorInterface, error) {
	if err := s.fault(); err != nil {
		return nil, err
	}
	return s.Stub.GetHistoryForKey(k)
}

func (s *faultyStub) GetTransient() (map[string][]byte, error) {
	if err := s.fault(); err != nil {
		return nil, err
	}
	return s.Stub.GetTransient()
}

func (s *faultyStub) GetTxTimestamp() (*timestamppb.Timestamp, error) {
	if err := s.fault(); err != nil {
		return nil, err
	}
	return s.Stub.GetTxTimestamp()
}

func (s *faultyStub) SetEvent(name string, payload []byte) error {
	if err := s.fault(); err != nil {
		return err
	}
	return s.Stub.SetEvent(name, payload)
}

// TestPeerFailures fails, one at a time, every ledger call each transaction
// makes, and checks that the transaction then fails as INTERNAL: never a
// panic, never a success, never a misleading class such as NOT_FOUND.
func TestPeerFailures(t *testing.T) {
	f := newFixture(t)
	f.updateSettings(func(c *health.Config) { c.RetentionWeeks, c.DuplicateWindowWeeks = 1, 1 })
	f.createRule(health.RuleInput{ID: "measles", Condition: "icd-10:B05", Region: "021", Method: health.MethodThreshold, Threshold: 2})
	f.createRule(health.RuleInput{ID: "measles-c1", Condition: "icd-10:B05", Region: "*", Method: health.MethodEARSC1})
	f.createRule(health.RuleInput{ID: "spare", Condition: "icd-10:A09", Region: "021", Method: health.MethodThreshold, Threshold: 9})
	f.mustSubmit(reporter1, caseReport(1, "2026-W10"))
	f.net.Ledger.Advance(2 * week) // that record is now past retention; now is 2026-W12
	recent := f.mustSubmit(reporter1, caseReport(2, "2026-W12"))
	rc := f.readReceipt(epi, recent.RecordID, health.PurposeDataQuality)
	acked := f.mustSubmit(reporter2, caseReport(3, "2026-W12")).Alerts[0]
	f.must(true, epi, "AcknowledgeAlert", nil, acked)
	open := f.raise("fresh", "021")
	report, err := json.Marshal(caseReport(4, "2026-W12"))
	require.NoError(t, err)
	spareUpdate := ruleJSON(t, health.RuleInput{ID: "spare", Condition: "icd-10:A09", Region: "021", Method: health.MethodThreshold, Threshold: 5})
	newRule := ruleJSON(t, health.RuleInput{ID: "new", Condition: "icd-10:A09", Region: "021", Method: health.MethodThreshold, Threshold: 5})
	settings, err := json.Marshal(health.DefaultConfig())
	require.NoError(t, err)

	calls := []struct {
		by        memstub.Identity
		fn        string
		args      []string
		transient bool
	}{
		{reporter2, "SubmitCaseReport", nil, true},
		{epi, "ReadCaseReport", []string{recent.RecordID, health.PurposeDataQuality}, false},
		{epi, "GetCaseReport", []string{recent.RecordID, rc.ID}, false},
		{regulator, "GetCaseRef", []string{recent.RecordID}, false},
		{regulator, "VerifyRecordHash", []string{recent.RecordID, recent.SHA256}, false},
		{regulator, "ListAccessReceipts", []string{recent.RecordID, "0", ""}, false},
		{admin, "PurgeExpired", []string{"10"}, false},
		{regulator, "GetAggregate", []string{"icd-10:B05", "021", "2026-W12"}, false},
		{epi, "CompactAggregate", []string{"icd-10:B05", "021", "2026-W12"}, false},
		{epi, "CreateAlertRule", []string{newRule}, false},
		{epi, "UpdateAlertRule", []string{spareUpdate}, false},
		{epi, "DeleteAlertRule", []string{"spare"}, false},
		{buyer, "GetAlertRule", []string{"spare"}, false},
		{buyer, "ListAlertRules", []string{"icd-10:B05", "0", ""}, false},
		{buyer, "GetAlert", []string{open}, false},
		{buyer, "ListAlerts", []string{"open", "0", ""}, false},
		{buyer, "GetAlertHistory", []string{acked}, false},
		{epi, "AcknowledgeAlert", []string{open}, false},
		{epi, "CloseAlert", []string{acked, health.CloseResolved}, false},
		{buyer, "GetSettings", nil, false},
		{admin, "UpdateSettings", []string{string(settings)}, false},
	}
	for _, c := range calls {
		t.Run(c.fn+" fails as INTERNAL on every peer failure", func(t *testing.T) {
			opts := memstub.TxOptions{Creator: c.by, Function: "health:" + c.fn, Args: c.args, Time: f.net.Ledger.Now()}
			if c.transient {
				opts.Transient = map[string][]byte{"report": report}
			}
			for n := 1; ; n++ {
				require.Less(t, n, 200, "the transaction never succeeded")
				stub := &faultyStub{Stub: f.net.Ledger.Begin(opts), failAt: n}
				resp := chaincode.Invoke(stub)
				if resp.GetStatus() < shim.ERRORTHRESHOLD {
					require.Greater(t, n, 1, "no ledger call was made")
					break
				}
				ce, ok := ccerror.Parse(resp.GetMessage())
				require.True(t, ok, "call %d: unparseable error %q", n, resp.GetMessage())
				require.Equal(t, ccerror.Internal, ce.Code, "call %d: %s", n, ce.Message)
				require.Contains(t, ce.Message, errInjected.Error(), "call %d: %s", n, ce.Message)
			}
		})
	}
}
