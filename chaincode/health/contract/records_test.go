package contract_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/health/contract"
	"github.com/govledger/govledger/chaincode/internal/ledger"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func recordKey(t testing.TB, id string) string {
	t.Helper()
	k, err := ledger.Key("caserecord", id)
	require.NoError(t, err)
	return k
}

func TestRecordStorage(t *testing.T) {
	f := newFixture(t)
	r := caseReport(1, "2026-W10")
	out := f.mustSubmit(reporter1, r)
	stored := f.net.Ledger.PrivateData(contract.Collection, recordKey(t, out.RecordID))
	require.NotNil(t, stored)

	t.Run("keeps the report in the collection", func(t *testing.T) {
		var rec health.CaseRecord
		require.NoError(t, json.Unmarshal(stored, &rec))
		require.Equal(t, health.CaseRecord{ID: out.RecordID, Report: r, Condition: "icd-10:B05", Counted: true,
			ReceivedAt: start, Submitter: health.Submitter{MSPID: "HospitalMSP", Agency: "HOSP1"}}, rec)
	})
	t.Run("publishes only a reference with the value's hash", func(t *testing.T) {
		sum := sha256.Sum256(stored)
		require.Equal(t, hex.EncodeToString(sum[:]), out.SHA256)
		var ref health.CaseRef
		f.must(false, buyer, "GetCaseRef", &ref, out.RecordID)
		require.Equal(t, health.CaseRef{ID: out.RecordID, Collection: contract.Collection, SHA256: out.SHA256,
			ReceivedAt: start, Submitter: health.Submitter{MSPID: "HospitalMSP", Agency: "HOSP1"}, Status: health.RecordHeld}, ref)
	})
	t.Run("derives the record ID from the transaction", func(t *testing.T) {
		res, err := f.submit(reporter2, caseReport(2, "2026-W10"))
		require.NoError(t, err)
		var o contract.SubmitResult
		require.NoError(t, res.JSON(&o))
		require.Equal(t, health.RecordID(res.TxID), o.RecordID)
	})
	t.Run("puts no private value on public state", func(t *testing.T) {
		requirePublicStateFree(t, f, r.PatientKey)
	})
}

func TestNonMembersCannotReadButCanVerify(t *testing.T) {
	f := newFixture(t)
	out := f.mustSubmit(reporter1, caseReport(1, "2026-W10"))

	for name, id := range map[string]memstub.Identity{"the regulator": regulator, "another organisation": buyer} {
		t.Run(name+" cannot read the record", func(t *testing.T) {
			requireCode(t, f.call(true, id, "ReadCaseReport", nil, out.RecordID, health.PurposeDataQuality), ccerror.PermissionDenied)
			requireCode(t, f.call(false, id, "GetCaseReport", nil, out.RecordID, "RC-x"), ccerror.PermissionDenied)
		})
		t.Run(name+" is refused by the peer too", func(t *testing.T) {
			stub := f.net.Ledger.Begin(memstub.TxOptions{Creator: id})
			_, err := stub.GetPrivateData(contract.Collection, recordKey(t, out.RecordID))
			require.ErrorContains(t, err, "does not have read access")
		})
		t.Run(name+" can verify the hash", func(t *testing.T) {
			var hc contract.HashCheck
			f.must(false, id, "VerifyRecordHash", &hc, out.RecordID, out.SHA256)
			require.Equal(t, contract.HashCheck{RecordID: out.RecordID, Match: true, Status: health.RecordHeld,
				Source: "private-data-hash"}, hc)
			f.must(false, id, "VerifyRecordHash", &hc, out.RecordID, strings.Repeat("0", 64))
			require.False(t, hc.Match)
		})
	}
	t.Run("a malformed hash is refused", func(t *testing.T) {
		requireCode(t, f.call(false, regulator, "VerifyRecordHash", nil, out.RecordID, "ABC"),
			ccerror.InvalidArgument, "sha256", validate.RuleSHA256)
	})
	t.Run("an unknown record is not found", func(t *testing.T) {
		requireCode(t, f.call(false, regulator, "VerifyRecordHash", nil, "CR-none", out.SHA256), ccerror.NotFound)
		requireCode(t, f.call(false, regulator, "GetCaseRef", nil, "CR-none"), ccerror.NotFound)
	})
}

func (f *fixture) readReceipt(id memstub.Identity, recordID, purpose string) health.AccessReceipt {
	f.t.Helper()
	var rc health.AccessReceipt
	f.must(true, id, "ReadCaseReport", &rc, recordID, purpose)
	return rc
}

func TestReadingLeavesAReceipt(t *testing.T) {
	f := newFixture(t)
	r := caseReport(1, "2026-W10")
	out := f.mustSubmit(reporter1, r)
	stored := f.net.Ledger.PrivateData(contract.Collection, recordKey(t, out.RecordID))

	t.Run("the submitted read returns a receipt and no private data", func(t *testing.T) {
		res, err := f.net.Submit(clinician1, "health:ReadCaseReport", out.RecordID, health.PurposeCaseFollowUp)
		require.NoError(t, err)
		requireNoPrivateData(t, res.Payload, r)
		requireNoPrivateData(t, res.Event.GetPayload(), r)
		require.NotContains(t, string(res.Payload), "B05")
		e := decodeEvent(t, res)
		require.Equal(t, "caserecord.accessed", res.Event.GetEventName())
		require.Equal(t, out.RecordID, e.ID)
		var rc health.AccessReceipt
		require.NoError(t, res.JSON(&rc))
		require.Equal(t, health.AccessReceipt{ID: health.ReceiptID(res.TxID), RecordID: out.RecordID,
			Purpose: health.PurposeCaseFollowUp, Reader: health.Reader{MSPID: "HospitalMSP", ID: rc.Reader.ID,
				Role: "clinician", Agency: "HOSP1"}, At: start, ValidUntil: start.Add(health.ReceiptValidity), TxID: res.TxID}, rc)
	})
	t.Run("the holder of the receipt gets the stored bytes, whose hash is published", func(t *testing.T) {
		rc := f.readReceipt(epi, out.RecordID, health.PurposeOutbreakInvestigation)
		res, err := f.net.Evaluate(epi, "health:GetCaseReport", out.RecordID, rc.ID)
		require.NoError(t, err)
		require.Equal(t, stored, res.Payload)
		sum := sha256.Sum256(res.Payload)
		require.Equal(t, out.SHA256, hex.EncodeToString(sum[:]))
	})
	t.Run("the clinician of the submitting hospital reads it", func(t *testing.T) {
		rc := f.readReceipt(clinician1, out.RecordID, health.PurposeCaseFollowUp)
		require.NoError(t, f.call(false, clinician1, "GetCaseReport", nil, out.RecordID, rc.ID))
	})
	t.Run("a clinician of another hospital may not", func(t *testing.T) {
		requireCode(t, f.call(true, clinician2, "ReadCaseReport", nil, out.RecordID, health.PurposeCaseFollowUp),
			ccerror.PermissionDenied)
	})
	t.Run("nobody reads without a committed receipt", func(t *testing.T) {
		requireCode(t, f.call(false, epi, "GetCaseReport", nil, out.RecordID, health.ReceiptID("never-committed")), ccerror.NotFound)
		requireCode(t, f.call(false, epi, "GetCaseReport", nil, out.RecordID, "not an id"), ccerror.InvalidArgument, "receiptId")
	})
	t.Run("a receipt is not transferable", func(t *testing.T) {
		rc := f.readReceipt(epi, out.RecordID, health.PurposeContactTracing)
		requireCode(t, f.call(false, epi2, "GetCaseReport", nil, out.RecordID, rc.ID), ccerror.PermissionDenied)
	})
	t.Run("a receipt expires", func(t *testing.T) {
		rc := f.readReceipt(epi, out.RecordID, health.PurposeDataQuality)
		late := f.net.WithTime(start.Add(health.ReceiptValidity + time.Second))
		_, err := late.Evaluate(epi, "health:GetCaseReport", out.RecordID, rc.ID)
		requireCode(t, err, ccerror.FailedPrecondition, "", "receipt-expired")
	})
	t.Run("a receipt is for one record", func(t *testing.T) {
		other := f.mustSubmit(reporter1, caseReport(2, "2026-W10"))
		rc := f.readReceipt(epi, out.RecordID, health.PurposeDataQuality)
		requireCode(t, f.call(false, epi, "GetCaseReport", nil, other.RecordID, rc.ID), ccerror.NotFound)
	})
	t.Run("a free-text purpose is refused", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "ReadCaseReport", nil, out.RecordID, "checking on J. Smith"),
			ccerror.InvalidArgument, "purpose", validate.RuleOneOf)
	})
	t.Run("an unknown record is not found", func(t *testing.T) {
		requireCode(t, f.call(true, epi, "ReadCaseReport", nil, "CR-none", health.PurposeDataQuality), ccerror.NotFound)
	})
	t.Run("oversight lists every read of the record", func(t *testing.T) {
		var page contract.ReceiptPage
		f.must(false, regulator, "ListAccessReceipts", &page, out.RecordID, "100", "")
		require.Len(t, page.Items, 6)
		var purposes []string
		for _, rc := range page.Items {
			require.Equal(t, out.RecordID, rc.RecordID)
			purposes = append(purposes, rc.Purpose)
		}
		require.Contains(t, purposes, health.PurposeCaseFollowUp)
		require.Contains(t, purposes, health.PurposeOutbreakInvestigation)
		requireCode(t, f.call(false, regulator, "ListAccessReceipts", nil, "bad id!", "10", ""),
			ccerror.InvalidArgument, "recordId")
		requireCode(t, f.call(false, regulator, "ListAccessReceipts", nil, out.RecordID, "1000", ""),
			ccerror.InvalidArgument, "page.size")
	})
}

func TestSubmitRejections(t *testing.T) {
	f := newFixture(t)
	valid, err := json.Marshal(caseReport(1, "2026-W10"))
	require.NoError(t, err)

	t.Run("refuses a report passed as an argument, committing nothing", func(t *testing.T) {
		height := f.net.Ledger.Height()
		_, err := f.net.Submit(reporter1, "health:SubmitCaseReport", string(valid))
		requireCode(t, err, ccerror.InvalidArgument, "args", "transient-only")
		require.Equal(t, height, f.net.Ledger.Height())
	})
	t.Run("refuses a report passed as an argument even alongside the transient one", func(t *testing.T) {
		_, err := f.net.WithTransient(map[string][]byte{contract.TransientReport: valid}).
			Submit(reporter1, "health:SubmitCaseReport", string(valid))
		requireCode(t, err, ccerror.InvalidArgument, "args", "transient-only")
	})
	t.Run("requires the transient report", func(t *testing.T) {
		_, err := f.net.Submit(reporter1, "health:SubmitCaseReport")
		requireCode(t, err, ccerror.InvalidArgument, "transient.report", validate.RuleRequired)
	})
	gate := []struct {
		name  string
		edit  func(r *deid.Report)
		field string
		rule  string
	}{
		{"an SSN typed into the region", func(r *deid.Report) { r.Region = "123-45-6789" }, "report.region", string(deid.RuleNationalID)},
		{"an e-mail address as patient key", func(r *deid.Report) { r.PatientKey = "jane@example.org" }, "report.patientKey", string(deid.RuleEmail)},
		{"a birth date as onset", func(r *deid.Report) { r.OnsetWeek = "1950-03-14" }, "report.onsetWeek", string(deid.RuleDate)},
		{"a small-population region", func(r *deid.Report) { r.Region = "036" }, "report.region", string(deid.RuleSmallPopulation)},
		{"an unknown sex", func(r *deid.Report) { r.Sex = "F" }, "report.sex", string(deid.RuleSex)},
		{"a malformed ICD-10 code", func(r *deid.Report) { r.Condition.Code = "B5" }, "report.condition.code", string(deid.RuleICD10)},
		{"an onset after the week of submission", func(r *deid.Report) { r.OnsetWeek = "2026-W11" }, "report.onsetWeek", health.RuleNotFuture},
	}
	for _, tt := range gate {
		t.Run("refuses "+tt.name+" naming the field and rule", func(t *testing.T) {
			r := caseReport(1, "2026-W10")
			tt.edit(&r)
			_, err := f.submit(reporter1, r)
			requireCode(t, err, ccerror.InvalidArgument, tt.field, tt.rule)
			require.NotContains(t, err.Error(), "6789")
			require.NotContains(t, err.Error(), "jane@")
		})
	}
	structural := map[string]string{
		"malformed JSON":  `{"sex":`,
		"an extra field":  `{"name":"Jane"}`,
		"a JSON array":    `[]`,
		"an empty report": ``,
	}
	for name, raw := range structural {
		t.Run("refuses "+name, func(t *testing.T) {
			_, err := f.submitRaw(reporter1, []byte(raw))
			require.ErrorIs(t, err, ccerror.ErrInvalidArgument)
		})
	}
	t.Run("refuses a reporter whose certificate names no hospital", func(t *testing.T) {
		_, err := f.submit(agencylessRep, caseReport(1, "2026-W10"))
		requireCode(t, err, ccerror.PermissionDenied)
	})
	t.Run("stores nothing for any refused report", func(t *testing.T) {
		require.Equal(t, uint64(0), f.net.Ledger.Height())
	})
}
