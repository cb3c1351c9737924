package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

// expire removes a private value the way the collection's blockToLive
// backstop does: behind the contract's back.
func expire(t testing.TB, f *fixture, key string) {
	t.Helper()
	stub := f.net.Ledger.Begin(memstub.TxOptions{Creator: epi})
	require.NoError(t, stub.PurgePrivateData(contract.Collection, key))
	require.NoError(t, stub.Commit())
}

func TestRecordExpiredByBlockToLive(t *testing.T) {
	f := newFixture(t)
	out := f.mustSubmit(reporter1, caseReport(1, "2026-W10"))
	rc := f.readReceipt(epi, out.RecordID, health.PurposeDataQuality)
	expire(t, f, recordKey(t, out.RecordID))

	t.Run("reading says the record expired", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "ReadCaseReport", nil, out.RecordID, health.PurposeDataQuality),
			ccerror.FailedPrecondition, "", "record-expired")
		requireCode(t, f.call(false, epi, "GetCaseReport", nil, out.RecordID, rc.ID),
			ccerror.FailedPrecondition, "", "record-expired")
	})
	t.Run("the hash is still verifiable from the reference", func(t *testing.T) {
		var hc contract.HashCheck
		f.must(false, regulator, "VerifyRecordHash", &hc, out.RecordID, out.SHA256)
		require.Equal(t, contract.HashCheck{RecordID: out.RecordID, Match: true, Status: health.RecordHeld, Source: "reference"}, hc)
	})
	t.Run("retention still marks it purged", func(t *testing.T) {
		f.updateSettings(func(c *health.Config) { c.RetentionWeeks, c.DuplicateWindowWeeks = 1, 1 })
		f.net.Ledger.Advance(2 * week)
		var p contract.Purge
		f.must(true, admin, "PurgeExpired", &p, "10")
		require.Equal(t, []string{out.RecordID}, p.RecordIDs)
	})
}

func TestReceiptOutlivedByPurge(t *testing.T) {
	f := newFixture(t)
	f.updateSettings(func(c *health.Config) { c.RetentionWeeks, c.DuplicateWindowWeeks = 1, 1 })
	out := f.mustSubmit(reporter1, caseReport(1, "2026-W10"))
	f.net.Ledger.Advance(2 * week)
	rc := f.readReceipt(epi, out.RecordID, health.PurposeDataQuality)
	f.must(true, admin, "PurgeExpired", nil, "10")
	t.Run("a valid receipt does not bring a purged record back", func(t *testing.T) {
		requireCode(t, f.call(false, epi, "GetCaseReport", nil, out.RecordID, rc.ID),
			ccerror.FailedPrecondition, "", "record-purged")
	})
}

func TestLabOnlyRecordsPurgeWithoutEpisodes(t *testing.T) {
	f := newFixture(t)
	f.updateSettings(func(c *health.Config) { c.RetentionWeeks, c.DuplicateWindowWeeks = 1, 1 })
	r := caseReport(1, "2026-W10")
	r.Condition = nil
	r.Lab = &deid.LabResult{Code: "94500-6", Interpretation: deid.Negative}
	out := f.mustSubmit(reporter1, r)
	f.net.Ledger.Advance(2 * week)
	var p contract.Purge
	f.must(true, admin, "PurgeExpired", &p, "10")
	require.Equal(t, []string{out.RecordID}, p.RecordIDs)
}

func TestMalformedIdentifiers(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		fn    string
		args  []string
		field string
	}{
		{"GetCaseRef", []string{"bad id"}, "recordId"},
		{"ReadCaseReport", []string{"bad id", health.PurposeDataQuality}, "recordId"},
		{"GetAlert", []string{"bad id"}, "alertId"},
		{"AcknowledgeAlert", []string{"bad id"}, "alertId"},
		{"GetAlertRule", []string{"bad id"}, "ruleId"},
	}
	for _, tt := range tests {
		t.Run(tt.fn+" names the malformed "+tt.field, func(t *testing.T) {
			requireCode(t, f.call(true, epi, tt.fn, nil, tt.args...), ccerror.InvalidArgument, tt.field)
		})
	}
	t.Run("an empty transient report is missing", func(t *testing.T) {
		_, err := f.submitRaw(reporter1, nil)
		requireCode(t, err, ccerror.InvalidArgument, "transient.report")
	})
}

// corrupt overwrites a public key with bytes no contract wrote.
func corrupt(t testing.TB, f *fixture, objectType string, attrs ...string) {
	t.Helper()
	k, err := ledger.Key(objectType, attrs...)
	require.NoError(t, err)
	stub := f.net.Ledger.Begin(memstub.TxOptions{Creator: epi})
	require.NoError(t, stub.PutState(k, []byte("not json")))
	require.NoError(t, stub.Commit())
}

func TestCorruptStateIsInternal(t *testing.T) {
	t.Run("a corrupt aggregate delta", func(t *testing.T) {
		f := newFixture(t)
		corrupt(t, f, "agg", "icd-10:B05", "021", "2026-W10", "00")
		requireCode(t, f.call(false, epi, "GetAggregate", nil, "icd-10:B05", "021", "2026-W10"), ccerror.Internal)
		requireCode(t, f.call(true, epi, "CompactAggregate", nil, "icd-10:B05", "021", "2026-W10"), ccerror.Internal)
	})
	t.Run("corrupt settings", func(t *testing.T) {
		f := newFixture(t)
		corrupt(t, f, "settings", contract.Name)
		requireCode(t, f.call(false, buyer, "GetSettings", nil), ccerror.Internal)
		_, err := f.submit(reporter1, caseReport(1, "2026-W10"))
		requireCode(t, err, ccerror.Internal)
	})
	t.Run("a rule index entry without its rule", func(t *testing.T) {
		f := newFixture(t)
		corrupt(t, f, "alertrule~condition~region~id", "icd-10:B05", "021", "ghost")
		_, err := f.submit(reporter1, caseReport(1, "2026-W10"))
		requireCode(t, err, ccerror.Internal)
	})
}
