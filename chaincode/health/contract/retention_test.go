package contract_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/ledger"
)

const week = 7 * 24 * time.Hour

func episodesKey(t testing.TB, patientKey, condition string) string {
	t.Helper()
	k, err := ledger.Key("episodes", patientKey, condition)
	require.NoError(t, err)
	return k
}

func TestPurgeExpired(t *testing.T) {
	f := newFixture(t)
	f.updateSettings(func(c *health.Config) { c.RetentionWeeks, c.DuplicateWindowWeeks = 4, 2 })
	old1 := f.mustSubmit(reporter1, caseReport(1, "2026-W09"))
	f.net.Ledger.Advance(time.Hour)
	old2 := f.mustSubmit(reporter2, caseReport(2, "2026-W10"))
	f.net.Ledger.Advance(5 * week) // now 2026-W15: cutoff is four weeks back, W11
	recent := f.mustSubmit(reporter1, caseReport(3, "2026-W15"))
	countsBefore := []int64{
		f.aggregate(epi, "icd-10:B05", "021", "2026-W09").Count,
		f.aggregate(epi, "icd-10:B05", "021", "2026-W10").Count,
	}

	var p contract.Purge
	t.Run("purges the oldest expired records a page at a time", func(t *testing.T) {
		res, err := f.net.Submit(admin, "health:PurgeExpired", "1")
		require.NoError(t, err)
		require.NoError(t, res.JSON(&p))
		require.Equal(t, []string{old1.RecordID}, p.RecordIDs)
		require.True(t, p.More)
		require.Equal(t, f.net.Ledger.Now().Add(-4*week), p.Before)
		require.Equal(t, "caserecord.purged", res.Event.GetEventName())

		f.must(true, admin, "PurgeExpired", &p, "0")
		require.Equal(t, []string{old2.RecordID}, p.RecordIDs)
		require.False(t, p.More)
	})
	t.Run("removes the private values", func(t *testing.T) {
		require.Nil(t, f.net.Ledger.PrivateData(contract.Collection, recordKey(t, old1.RecordID)))
		require.Nil(t, f.net.Ledger.PrivateData(contract.Collection, recordKey(t, old2.RecordID)))
		require.NotNil(t, f.net.Ledger.PrivateData(contract.Collection, recordKey(t, recent.RecordID)))
	})
	t.Run("forgets the purged patients' episodes", func(t *testing.T) {
		require.Nil(t, f.net.Ledger.PrivateData(contract.Collection, episodesKey(t, patient(1), "icd-10:B05")))
		require.Nil(t, f.net.Ledger.PrivateData(contract.Collection, episodesKey(t, patient(2), "icd-10:B05")))
		require.NotNil(t, f.net.Ledger.PrivateData(contract.Collection, episodesKey(t, patient(3), "icd-10:B05")))
	})
	t.Run("leaves the hash verifiable", func(t *testing.T) {
		var hc contract.HashCheck
		f.must(false, regulator, "VerifyRecordHash", &hc, old1.RecordID, old1.SHA256)
		require.Equal(t, contract.HashCheck{RecordID: old1.RecordID, Match: true, Status: health.RecordPurged, Source: "reference"}, hc)
		var ref health.CaseRef
		f.must(false, buyer, "GetCaseRef", &ref, old1.RecordID)
		require.Equal(t, health.RecordPurged, ref.Status)
		require.Equal(t, f.net.Ledger.Now(), ref.PurgedAt)
	})
	t.Run("leaves the counts", func(t *testing.T) {
		countsAfter := []int64{
			f.aggregate(epi, "icd-10:B05", "021", "2026-W09").Count,
			f.aggregate(epi, "icd-10:B05", "021", "2026-W10").Count,
		}
		require.Equal(t, countsBefore, countsAfter)
	})
	t.Run("refuses to read a purged record", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "ReadCaseReport", nil, old1.RecordID, health.PurposeDataQuality),
			ccerror.FailedPrecondition, "", "record-purged")
	})
	t.Run("does nothing when nothing expired", func(t *testing.T) {
		res, err := f.net.Submit(admin, "health:PurgeExpired", "10")
		require.NoError(t, err)
		require.NoError(t, res.JSON(&p))
		require.Empty(t, p.RecordIDs)
		require.False(t, p.More)
		require.Nil(t, res.Event)
	})
	t.Run("refuses an oversized page", func(t *testing.T) {
		requireCode(t, f.call(true, admin, "PurgeExpired", nil, "101"), ccerror.InvalidArgument, "pageSize")
	})
}

func TestPurgeKeepsEpisodesStillInRetention(t *testing.T) {
	f := newFixture(t)
	f.updateSettings(func(c *health.Config) { c.RetentionWeeks, c.DuplicateWindowWeeks = 4, 2 })
	first := f.mustSubmit(reporter1, caseReport(1, "2026-W02"))
	f.net.Ledger.Advance(5 * week)
	f.mustSubmit(reporter1, caseReport(1, "2026-W15"))
	var p contract.Purge
	f.must(true, admin, "PurgeExpired", &p, "10")
	require.Equal(t, []string{first.RecordID}, p.RecordIDs)

	var eps health.Episodes
	require.NoError(t, json.Unmarshal(f.net.Ledger.PrivateData(contract.Collection, episodesKey(t, patient(1), "icd-10:B05")), &eps))
	require.Equal(t, []string{"2026-W15"}, eps.Weeks)
}
