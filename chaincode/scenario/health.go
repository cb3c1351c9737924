package scenario

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/health"
	healthcc "github.com/govledger/govledger/chaincode/health/contract"
)

func init() {
	register(Suite{Name: "health reports to an outbreak alert", Chaincodes: []string{"health"}, Run: reportsToOutbreakAlert})
}

// measles is the condition the suite reports: ICD-10 B05.9 counts under its
// category.
const (
	measlesCode = "B05.9"
	measles     = deid.SystemICD10 + ":B05"
)

// pseudonymSecret stands in for the secret the hospitals' gateways share to
// derive patient keys; the ledger never sees it.
var pseudonymSecret = bytes.Repeat([]byte{0xa7}, deid.MinSecretLen)

// Outbreak cells are condition × region × week and outlive a run on the live
// ledger, so each run reports into a region and a past onset week of its own
// (up to outbreakWeeks back), and measures counts from what the cell held
// before it started.
const outbreakWeeks = 520

// reportsToOutbreakAlert follows de-identified case reports to an outbreak
// alert. The health-admin sets a threshold rule on measles in one region;
// two hospitals report cases through the transient map, one patient twice,
// which counts once; the third counted case raises an alert that the
// epidemiologist acknowledges and closes. Members of the health
// organisations see exact counts, everyone else a count suppressed below k
// until the cell reaches k. The epidemiologist reads a record and leaves a
// public receipt; another organisation and the regulator cannot read it but
// can check its hash. Reports in arguments or carrying identifiers are
// refused, naming the field.
//
// Retention is not exercised here: its shortest setting is a week, a live
// network cannot wait that long, and a channel-wide retention change would
// purge other runs' records; the contract's TestPurgeExpired covers it.
func reportsToOutbreakAlert(t *testing.T, s *Session) {
	var (
		reporter1      = User{"HospitalMSP", "reporter1"}
		reporter2      = User{"HospitalMSP", "reporter2"}
		clinician      = User{"HospitalMSP", "clinician1"}
		epidemiologist = User{"PublicHealthMSP", "epidemiologist1"}
		admin          = User{"PublicHealthMSP", "healthadmin1"}
		buyer          = User{"ProcurementMSP", "buyer1"}
		regulator      = User{"RegulatorMSP", "regulator1"}
	)
	run := s.RunID

	var settings health.Settings
	s.EvaluateJSON(t, admin, healthCall("GetSettings"), &settings)
	k := int64(settings.Config.MinCellSize)
	region, week := outbreakCell(run, settings.Config.SmallPopulationPrefixes, health.WeekOf(s.Ledger.Now()))
	cell := healthCall("GetAggregate", measles, region, week.String())
	before := memberCount(t, s, epidemiologist, cell, 0)
	patient := func(name string) deid.Report {
		return deid.Report{
			Condition: &deid.Condition{System: deid.SystemICD10, Code: measlesCode},
			OnsetWeek: week.String(), AgeBand: "5-9", Sex: deid.SexFemale, Region: region,
			PatientKey: deid.Pseudonym(pseudonymSecret, "SCN-"+run+"-"+name),
		}
	}

	// The health-admin watches the cell: an alert once three more cases
	// count than it held before. Hospitals report; they set no rules.
	ruleInput := health.RuleInput{ID: "MEASLES-" + run, Condition: measles, Region: region,
		Method: health.MethodThreshold, Threshold: before + 3}
	s.Rejects(t, reporter1, healthCall("CreateAlertRule", argJSON(t, ruleInput)), ccerror.PermissionDenied, "")
	var rule health.Rule
	s.SubmitJSON(t, admin, healthCall("CreateAlertRule", argJSON(t, ruleInput)), &rule)
	require.True(t, rule.Enabled)
	require.Equal(t, "PublicHealthMSP", rule.UpdatedBy.MSPID)
	alertID := health.AlertID(rule.ID, region, week)

	// A report travels only in the transient map, and only without
	// identifiers: the gate names the field and the Safe Harbor rule, never
	// the value.
	inArgs := healthCall("SubmitCaseReport", argJSON(t, patient("A")))
	s.Rejects(t, reporter1, inArgs, ccerror.InvalidArgument, "args")
	identified := []struct {
		name  string
		edit  func(r *deid.Report, bad string)
		bad   string
		field string
		rule  deid.Rule
	}{
		{"a social security number as the patient key", func(r *deid.Report, v string) { r.PatientKey = v },
			"123-45-6789", "report.patientKey", deid.RuleNationalID},
		{"a full ZIP code as the region", func(r *deid.Report, v string) { r.Region = v },
			"02139", "report.region", deid.RulePostalCode},
		{"a date of onset instead of its week", func(r *deid.Report, v string) { r.OnsetWeek = v },
			"2024-03-05", "report.onsetWeek", deid.RuleDate},
	}
	for _, tt := range identified {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			r := patient("A")
			tt.edit(&r, tt.bad)
			_, err := s.Ledger.Submit(s.Ctx, reporter1, reportCall(t, r))
			RequireCode(t, err, ccerror.InvalidArgument, tt.field)
			var ce *ccerror.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, string(tt.rule), ce.Rule)
			require.NotContains(t, ce.Message, tt.bad, "the error never quotes the value")
		})
	}

	// Two hospitals report three patients; the second hospital's report of
	// the first patient is a duplicate and does not count. The third
	// counted case crosses the threshold.
	reports := []struct {
		by       User
		patient  string
		count    int64 // the cell's count afterwards, from before
		raisesIt bool
	}{
		{reporter1, "A", 1, false},
		{reporter2, "B", 2, false},
		{reporter2, "A", 2, false},
		{reporter1, "C", 3, true},
	}
	records := make([]healthcc.SubmitResult, len(reports))
	for i, r := range reports {
		s.SubmitJSON(t, r.by, reportCall(t, patient(r.patient)), &records[i])
		require.NotEmpty(t, records[i].RecordID)
		if r.raisesIt {
			require.Equal(t, []string{alertID}, records[i].Alerts, "report %d raises the rule's alert", i)
		} else {
			require.Empty(t, records[i].Alerts, "report %d", i)
		}
		require.Equal(t, before+r.count, memberCount(t, s, epidemiologist, cell, before+r.count), "after report %d", i)
	}
	first, duplicate := records[0], records[2]

	// Members of the health organisations see the exact count; another
	// organisation and the regulator see it suppressed below k.
	counted := before + 3
	for _, member := range []User{epidemiologist, admin, clinician, reporter2} {
		require.Equal(t, counted, memberCount(t, s, member, cell, counted), "%s sees the exact count", member.Name)
	}
	for _, outsider := range []User{buyer, regulator} {
		agg := outsiderAggregate(t, s, outsider, cell, health.Suppressed(counted, int(k)))
		require.Equal(t, counted < k, agg.Suppressed)
		require.False(t, agg.Exact)
		require.Zero(t, agg.Count, "%s learns no exact count", outsider.Name)
	}

	// The alert is public and carries a band, not the count.
	var alert health.Alert
	out := s.EvaluateUntil(t, epidemiologist, healthCall("GetAlert", alertID), resultWhen(func(a health.Alert) bool {
		return a.Status == health.StatusOpen
	}))
	require.NoError(t, json.Unmarshal(out, &alert))
	require.Equal(t, rule.ID, alert.RuleID)
	require.Equal(t, health.MethodThreshold, alert.Method)
	require.Equal(t, []string{measles, region, week.String()}, []string{alert.Condition, alert.Region, alert.Week})
	require.Equal(t, health.Band(counted, int(k)), alert.CountBand)
	require.True(t, listsAlert(t, s, regulator, health.StatusOpen, alertID), "open alerts list %s", alertID)

	// Only an epidemiologist moves the alert: acknowledge, then close with
	// a reason from the closed vocabulary.
	s.Rejects(t, reporter1, healthCall("AcknowledgeAlert", alertID), ccerror.PermissionDenied, "")
	s.Rejects(t, admin, healthCall("AcknowledgeAlert", alertID), ccerror.PermissionDenied, "")
	s.Rejects(t, epidemiologist, healthCall("CloseAlert", alertID, health.CloseResolved), ccerror.FailedPrecondition, "")
	s.SubmitJSON(t, epidemiologist, healthCall("AcknowledgeAlert", alertID), &alert)
	require.Equal(t, health.StatusAcknowledged, alert.Status)
	s.Rejects(t, epidemiologist, healthCall("CloseAlert", alertID, "patient recovered at home"), ccerror.InvalidArgument, "reason")
	s.SubmitJSON(t, epidemiologist, healthCall("CloseAlert", alertID, health.CloseResolved), &alert)
	require.Equal(t, health.StatusClosed, alert.Status)
	require.Equal(t, health.CloseResolved, alert.CloseReason)
	out = s.EvaluateUntil(t, regulator, healthCall("GetAlertHistory", alertID), resultWhen(func(h healthcc.AlertHistory) bool {
		return len(h.Items) == 3
	}))
	var history healthcc.AlertHistory
	require.NoError(t, json.Unmarshal(out, &history))
	require.Equal(t, []health.Status{health.StatusClosed, health.StatusAcknowledged, health.StatusOpen}, alertStatuses(history))

	// Reading a record is a submitted receipt, then an evaluation that
	// returns exactly the bytes whose hash the public reference carries.
	s.Rejects(t, epidemiologist, healthCall("ReadCaseReport", first.RecordID, "curiosity"), ccerror.InvalidArgument, "purpose")
	rec, receipt := readRecord(t, s, epidemiologist, first, health.PurposeOutbreakInvestigation)
	require.Equal(t, patient("A"), rec.Report)
	require.True(t, rec.Counted)
	require.Equal(t, health.Submitter{MSPID: "HospitalMSP", Agency: "HOSP1"}, rec.Submitter)
	dup, _ := readRecord(t, s, epidemiologist, duplicate, health.PurposeDataQuality)
	require.Equal(t, measles, dup.Condition)
	require.False(t, dup.Counted, "the same patient and condition count once")
	require.Equal(t, health.Submitter{MSPID: "HospitalMSP", Agency: "HOSP2"}, dup.Submitter)

	// A clinician reads what their own hospital reported, nothing else.
	own, _ := readRecord(t, s, clinician, first, health.PurposeCaseFollowUp)
	require.Equal(t, rec, own)
	s.Rejects(t, clinician, healthCall("ReadCaseReport", duplicate.RecordID, health.PurposeCaseFollowUp), ccerror.PermissionDenied, "")

	// Another organisation and the regulator cannot read the record, not
	// even with a valid receipt, but can check a copy against its hash.
	zeros := strings.Repeat("0", 64)
	for _, outsider := range []User{buyer, regulator} {
		s.Rejects(t, outsider, healthCall("ReadCaseReport", first.RecordID, health.PurposeLegalRequest), ccerror.PermissionDenied, "")
		_, err := s.Ledger.Evaluate(s.Ctx, outsider, healthCall("GetCaseReport", first.RecordID, receipt.ID))
		RequireCode(t, err, ccerror.PermissionDenied, "")
		s.EvaluateUntil(t, outsider, healthCall("VerifyRecordHash", first.RecordID, first.SHA256), resultWhen(func(h healthcc.HashCheck) bool {
			return h == healthcc.HashCheck{RecordID: first.RecordID, Match: true, Status: health.RecordHeld, Source: "private-data-hash"}
		}))
		var check healthcc.HashCheck
		s.EvaluateJSON(t, outsider, healthCall("VerifyRecordHash", first.RecordID, zeros), &check)
		require.False(t, check.Match, "%s: a different copy does not match", outsider.Name)
	}

	// Oversight sees who read the record and why.
	out = s.EvaluateUntil(t, regulator, healthCall("ListAccessReceipts", first.RecordID, "10", ""), resultWhen(func(p healthcc.ReceiptPage) bool {
		return p.Count == 2
	}))
	var receipts healthcc.ReceiptPage
	require.NoError(t, json.Unmarshal(out, &receipts))
	require.ElementsMatch(t, []string{
		"PublicHealthMSP/epidemiologist/" + health.PurposeOutbreakInvestigation,
		"HospitalMSP/clinician/" + health.PurposeCaseFollowUp,
	}, receiptReaders(receipts))

	// Further cases bring the cell to k: outsiders then see the count.
	for i := int64(0); counted < k; i++ {
		var res healthcc.SubmitResult
		s.SubmitJSON(t, []User{reporter2, reporter1}[i%2], reportCall(t, patient("K"+strconv.FormatInt(i, 10))), &res)
		require.Empty(t, res.Alerts, "the rule alerts once per region and week")
		counted++
	}
	for _, outsider := range []User{buyer, regulator} {
		agg := outsiderAggregate(t, s, outsider, cell, strconv.FormatInt(counted, 10))
		require.False(t, agg.Suppressed)
	}

	// The rule goes; the alert it raised stays.
	s.Submit(t, admin, healthCall("DeleteAlertRule", rule.ID))
	_, err := s.Ledger.Evaluate(s.Ctx, admin, healthCall("GetAlertRule", rule.ID))
	RequireCode(t, err, ccerror.NotFound, "")
	s.EvaluateJSON(t, admin, healthCall("GetAlert", alertID), &alert)
	require.Equal(t, health.StatusClosed, alert.Status)
}

// healthCall calls fn of the health contract.
func healthCall(fn string, args ...string) Call {
	return Call{Chaincode: "health", Function: healthcc.Name + ":" + fn, Args: args}
}

// reportCall submits r in the transient map, where the ledger never records
// it.
func reportCall(t *testing.T, r deid.Report) Call {
	t.Helper()
	c := healthCall("SubmitCaseReport")
	c.Transient = map[string][]byte{healthcc.TransientReport: []byte(argJSON(t, r))}
	return c
}

// outbreakCell picks the run's region, a three-digit ZIP prefix the gate
// accepts as it is, and its onset week, before this week.
func outbreakCell(runID string, smallPopulation []string, now health.Week) (string, health.Week) {
	sum := sha256.Sum256([]byte("health/" + runID))
	r := binary.BigEndian.Uint32(sum[:4]) % 999
	region := fmt.Sprintf("%03d", 1+r) // 001 to 999: never the suppressed 000
	for slices.Contains(smallPopulation, region) {
		r = (r + 1) % 999
		region = fmt.Sprintf("%03d", 1+r)
	}
	back := 1 + int(binary.BigEndian.Uint32(sum[4:8])%outbreakWeeks)
	return region, now.Add(-back)
}

// memberCount is the exact count a member of the health organisations sees
// in cell, once the member's peer has caught up to want: the report was
// committed through the hospital's peer, and another organisation's peer
// may be a block behind.
func memberCount(t *testing.T, s *Session, member User, cell Call, want int64) int64 {
	t.Helper()
	var agg healthcc.Aggregate
	out := s.EvaluateUntil(t, member, cell, resultWhen(func(a healthcc.Aggregate) bool { return a.Count >= want }))
	require.NoError(t, json.Unmarshal(out, &agg))
	require.True(t, agg.Exact, "%s is a member", member.Name)
	require.True(t, agg.Complete)
	return agg.Count
}

// outsiderAggregate waits until outsider's peer shows cell as display.
func outsiderAggregate(t *testing.T, s *Session, outsider User, cell Call, display string) healthcc.Aggregate {
	t.Helper()
	out := s.EvaluateUntil(t, outsider, cell, resultWhen(func(a healthcc.Aggregate) bool { return a.Display == display }))
	var agg healthcc.Aggregate
	require.NoError(t, json.Unmarshal(out, &agg))
	return agg
}

// readRecord reads a record as reader: the receipt, then the record, which
// must hash to what the submission published.
func readRecord(t *testing.T, s *Session, reader User, rec healthcc.SubmitResult, purpose string) (health.CaseRecord, health.AccessReceipt) {
	t.Helper()
	var receipt health.AccessReceipt
	s.SubmitJSON(t, reader, healthCall("ReadCaseReport", rec.RecordID, purpose), &receipt)
	require.Equal(t, rec.RecordID, receipt.RecordID)
	require.Equal(t, purpose, receipt.Purpose)
	// contractapi returns a string result as is, not JSON-quoted.
	out := s.EvaluateUntil(t, reader, healthCall("GetCaseReport", rec.RecordID, receipt.ID), func(out []byte) bool { return len(out) > 0 })
	sum := sha256.Sum256(out)
	require.Equal(t, rec.SHA256, hex.EncodeToString(sum[:]), "the record is the value its reference hashes")
	var stored health.CaseRecord
	require.NoError(t, json.Unmarshal(out, &stored))
	require.Equal(t, rec.RecordID, stored.ID)
	return stored, receipt
}

// listsAlert reports whether the alerts with status, read page by page as
// u, include id. Alerts of earlier runs stay on the live ledger, so the
// search is bounded, not exhaustive.
func listsAlert(t *testing.T, s *Session, u User, status health.Status, id string) bool {
	t.Helper()
	bookmark := ""
	for range 20 {
		var page healthcc.AlertPage
		s.EvaluateJSON(t, u, healthCall("ListAlerts", string(status), "100", bookmark), &page)
		for _, a := range page.Items {
			if a.ID == id {
				return true
			}
		}
		if page.Bookmark == "" || len(page.Items) == 0 {
			return false
		}
		bookmark = page.Bookmark
	}
	return false
}

func alertStatuses(h healthcc.AlertHistory) []health.Status {
	out := make([]health.Status, len(h.Items))
	for i, v := range h.Items {
		out[i] = v.Alert.Status
	}
	return out
}

// receiptReaders names each receipt's reader by organisation, role and
// purpose: identities differ between the stub and the network.
func receiptReaders(p healthcc.ReceiptPage) []string {
	out := make([]string, len(p.Items))
	for i, r := range p.Items {
		out[i] = r.Reader.MSPID + "/" + r.Reader.Role + "/" + r.Purpose
	}
	return out
}
