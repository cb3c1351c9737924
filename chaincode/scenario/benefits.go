package scenario

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits"
	benefitscc "github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity"
	identitycc "github.com/govledger/govledger/chaincode/identity/contract"
)

func init() {
	register(Suite{Name: "benefits from attested claims", Chaincodes: []string{"identity", "benefits"}, Run: benefitsFromAttestedClaims})
}

// Attestation kinds, consent purpose and eligibility rule of the housing
// programmes: resident adults on a low income or out of work.
const (
	kindResidency      = "ResidencyCredential"
	kindIncome         = "IncomeCredential"
	eligibilityPurpose = "benefits-eligibility"
	housingGroup       = "housing"
	housingRule        = `all(residency == "resident", ageOver18 == true, any(incomeBand <= 2, not(employed == true)))`
)

// subjectKey stands in for the gateway's subject key, from which it derives
// pseudonymous subjects; the ledger never sees it.
var subjectKey = bytes.Repeat([]byte{0x5c}, identity.MinSubjectSecretLen)

// benefitsFromAttestedClaims follows one person from attested claims to a
// benefit. The accreditor accredits the identity agency's issuer; the issuer
// attests the person's residency and income as salted commitments about a
// pseudonymous subject; the person consents to two agencies using them; the
// agency granting housing support decides at once from disclosures that
// never reach the ledger and explains its decision; the municipality's
// application for another housing benefit is refused as a duplicate; a
// withdrawn consent stops the next access; a revoked attestation makes the
// next application ineligible; and oversight reads it all but writes
// nothing.
func benefitsFromAttestedClaims(t *testing.T, s *Session) {
	var (
		accreditor = User{"SocialServicesMSP", "accreditor1"}
		issuer     = User{"SocialServicesMSP", "issuer1"}
		caseSSA    = User{"SocialServicesMSP", "caseworker1"}
		caseMUNI   = User{"SocialServicesMSP", "caseworker2"}
		finance    = User{"SocialServicesMSP", "finance1"}
		auditor    = User{"AuditOfficeMSP", "auditor1"}
		regulator  = User{"RegulatorMSP", "regulator1"}
	)
	now := s.Ledger.Now()
	run := s.RunID

	// issuer1 attests for its agency, SSA, once the accreditor has accredited
	// SSA for both kinds the programmes read.
	iss := accreditForKinds(t, s, accreditor, "SSA", kindResidency, kindIncome)
	require.Equal(t, identity.IssuerActive, iss.Status)
	require.Subset(t, iss.Kinds, []string{kindResidency, kindIncome})

	// The subject is a DID derived from the national ID at the gateway; the
	// person's wallet keeps the claim values and salts.
	alice, err := identity.SubjectID(subjectKey, "BEN-"+run)
	require.NoError(t, err)
	residency := newCredential(t, "RES-"+run, kindResidency, alice, now,
		attestedClaim{identity.ClaimResidency, identity.StringValue("resident")},
		attestedClaim{identity.ClaimAgeOver18, identity.BoolValue(true)})
	income := newCredential(t, "INC-"+run, kindIncome, alice, now,
		attestedClaim{identity.ClaimIncomeBand, identity.NumberValue(1)},
		attestedClaim{"employed", identity.BoolValue(true)})

	// An issuer attests only kinds it is accredited for; the status-list
	// index of each attestation must be one nobody has used.
	pension := newCredential(t, "PEN-"+run, "PensionCredential", alice, now, attestedClaim{"pensioner", identity.BoolValue(false)})
	s.Rejects(t, issuer, identityCall("Attest", argJSON(t, pension.input)), ccerror.FailedPrecondition, "")
	slot := statusSlot(run)
	for _, c := range []*credential{&residency, &income} {
		att := attestFresh(t, s, issuer, c, &slot)
		require.Equal(t, "SSA", att.Issuer)
		require.Equal(t, alice, att.Subject.ID)
		require.Len(t, att.Subject.Claims, len(c.evidence.Disclosures), "one commitment per claim, no values")
	}

	// No agency reads an attestation before the subject consents.
	s.Rejects(t, caseSSA, identityCall("AccessAttestation", residency.input.ID, eligibilityPurpose), ccerror.PermissionDenied, "")
	consentUntil := now.AddDate(0, 1, 0)
	consents := map[string]string{} // grantee/kind → consent id
	for _, grantee := range []string{"SSA", "MUNI"} {
		for _, kind := range []string{kindResidency, kindIncome} {
			id := "CONSENT-" + run + "-" + grantee + "-" + kind
			var c identity.Consent
			s.SubmitJSON(t, caseSSA, identityCall("GrantConsent", argJSON(t, identitycc.ConsentInput{
				ID: id, Subject: alice, Grantee: grantee, Kind: kind, Purpose: eligibilityPurpose, ValidUntil: consentUntil,
			})), &c)
			require.Equal(t, "SSA", c.RecordedBy)
			consents[grantee+"/"+kind] = id
		}
	}

	// Finance defines two housing programmes in one exclusivity group and a
	// winter grant of its own.
	housing := benefits.Benefit{Amount: benefits.Money{Minor: 45_000, Currency: "EUR"}, Schedule: benefits.ScheduleMonthly, Months: 6}
	rent := benefits.Benefit{Amount: benefits.Money{Minor: 30_000, Currency: "EUR"}, Schedule: benefits.ScheduleMonthly, Months: 3}
	grant := benefits.Benefit{Amount: benefits.Money{Minor: 20_000, Currency: "EUR"}, Schedule: benefits.ScheduleOneOff}
	programmes := []benefits.ProgrammeSpec{
		housingProgramme("HS-"+run, "Housing support", housingGroup, housing),
		housingProgramme("RR-"+run, "Rent relief", housingGroup, rent),
		housingProgramme("WG-"+run, "Winter grant", "", grant),
	}
	unsourced := housingProgramme("BAD-"+run, "Housing support", housingGroup, housing)
	unsourced.Sources = unsourced.Sources[1:]
	s.Rejects(t, finance, benefitsCall("CreateProgramme", argJSON(t, unsourced)), ccerror.InvalidArgument, "sources")
	s.Rejects(t, caseSSA, benefitsCall("CreateProgramme", argJSON(t, programmes[0])), ccerror.PermissionDenied, "")
	for _, p := range programmes {
		var got benefits.Programme
		s.SubmitJSON(t, finance, benefitsCall("CreateProgramme", argJSON(t, p)), &got)
		require.Equal(t, "SSA", got.Agency)
		require.Equal(t, uint32(1), got.Version)
		require.Equal(t, benefits.ProgrammeOpen, got.Status)
	}
	hs, rr, wg := programmes[0].ID, programmes[1].ID, programmes[2].ID
	evidence := []benefitscc.EvidenceInput{residency.evidence, income.evidence}

	// SSA applies for housing support: decided at once, and explained.
	appHS := "APP-" + run + "-housing"
	var approved benefits.Application
	s.SubmitJSON(t, caseSSA, applyCall(t, appHS, hs, alice, evidence), &approved)
	require.Equal(t, benefits.ApplicationApproved, approved.Status)
	require.Equal(t, "SSA", approved.Agency)
	d := approved.Decision
	require.Equal(t, "ent-"+appHS, d.Entitlement)
	require.Equal(t, []string{
		"all: pass",
		`residency == "resident": pass`,
		"ageOver18 == true: pass",
		"any: pass",
		"incomeBand <= 2: pass",
		"not: fail",
		"employed == true: pass",
	}, conditionOutcomes(d.Explanation), "a low income qualifies although employed")
	require.Equal(t, []benefits.EvidenceRef{
		{Attestation: residency.input.ID, Kind: kindResidency, Claims: []string{identity.ClaimAgeOver18, identity.ClaimResidency}, Usable: true},
		{Attestation: income.input.ID, Kind: kindIncome, Claims: []string{"employed", identity.ClaimIncomeBand}, Usable: true},
	}, d.Evidence)
	var ent benefits.Entitlement
	s.EvaluateJSON(t, caseSSA, benefitsCall("GetEntitlement", d.Entitlement), &ent)
	require.Equal(t, benefits.EntitlementActive, ent.Status)
	require.Equal(t, housingGroup, ent.Group)
	require.Equal(t, alice, ent.Subject)
	require.Equal(t, housing, ent.Benefit)

	// The municipality files for rent relief, in the same group: eligible,
	// but refused and recorded as a duplicate of SSA's entitlement.
	appRR := "APP-" + run + "-rent"
	var duplicate benefits.Application
	s.SubmitJSON(t, caseMUNI, applyCall(t, appRR, rr, alice, evidence), &duplicate)
	require.Equal(t, benefits.ApplicationRejected, duplicate.Status)
	require.Equal(t, benefits.RefusalDuplicate, duplicate.Decision.Refusal)
	require.Equal(t, d.Entitlement, duplicate.Decision.BlockedBy)
	require.Equal(t, benefits.OutcomePass, duplicate.Decision.Explanation.Outcome, "eligible, but already housed by SSA")
	require.Empty(t, duplicate.Decision.Entitlement)
	var recorded benefits.Application
	s.EvaluateJSON(t, caseMUNI, benefitsCall("GetApplication", appRR), &recorded)
	require.Equal(t, duplicate, recorded)
	require.Equal(t, "MUNI", recorded.Agency)

	// The subject withdraws the municipality's use of residency attestations:
	// the next access fails, while the income consent still holds.
	var revokedConsent identity.Consent
	s.SubmitJSON(t, caseMUNI, identityCall("RevokeConsent", consents["MUNI/"+kindResidency]), &revokedConsent)
	require.NotNil(t, revokedConsent.RevokedAt)
	s.Rejects(t, caseMUNI, identityCall("AccessAttestation", residency.input.ID, eligibilityPurpose), ccerror.PermissionDenied, "")
	// The refused application leaves no access record, not even of the
	// income attestation read before the refusal: it is one transaction.
	incomeFirst := []benefitscc.EvidenceInput{income.evidence, residency.evidence}
	s.Rejects(t, caseMUNI, applyCall(t, "APP-"+run+"-muni-winter", wg, alice, incomeFirst), ccerror.PermissionDenied, "")
	var access identitycc.AttestationAccess
	s.SubmitJSON(t, caseMUNI, identityCall("AccessAttestation", income.input.ID, eligibilityPurpose), &access)
	require.Equal(t, consents["MUNI/"+kindIncome], access.Access.ConsentID)
	require.False(t, access.Revoked)

	// The issuer revokes the residency attestation: a new application is
	// refused as ineligible, and the explanation says which claims could not
	// be relied on.
	var status identitycc.AttestationStatus
	s.SubmitJSON(t, issuer, identityCall("RevokeAttestation", residency.input.ID), &status)
	require.True(t, status.Revoked)
	appWG := "APP-" + run + "-winter"
	var ineligible benefits.Application
	s.SubmitJSON(t, caseSSA, applyCall(t, appWG, wg, alice, evidence), &ineligible)
	require.Equal(t, benefits.ApplicationRejected, ineligible.Status)
	require.Equal(t, benefits.RefusalIneligible, ineligible.Decision.Refusal)
	require.Equal(t, []string{
		"all: unknown",
		`residency == "resident": unknown`,
		"ageOver18 == true: unknown",
		"any: pass",
		"incomeBand <= 2: pass",
		"not: fail",
		"employed == true: pass",
	}, conditionOutcomes(ineligible.Decision.Explanation))
	require.False(t, ineligible.Decision.Evidence[0].Usable, "the revoked residency attestation")
	require.True(t, ineligible.Decision.Evidence[1].Usable)

	// Oversight reads every decision and every access once its own peer has
	// them: three applications (the refused access left none), and seven
	// accesses, four by SSA and three by the municipality.
	s.EvaluateUntil(t, regulator, benefitsCall("GetApplication", appWG), resultWhen(func(a benefits.Application) bool {
		return a.Status == benefits.ApplicationRejected
	}))
	out := s.EvaluateUntil(t, regulator, benefitsCall("ListApplications", string(alice), "100", ""), resultWhen(func(p benefitscc.ApplicationPage) bool {
		return p.Count == 3
	}))
	var apps benefitscc.ApplicationPage
	require.NoError(t, json.Unmarshal(out, &apps))
	require.ElementsMatch(t, []string{appHS, appRR, appWG}, applicationIDs(apps))
	s.EvaluateUntil(t, auditor, benefitsCall("GetEntitlement", d.Entitlement), resultWhen(func(e benefits.Entitlement) bool {
		return e.Status == benefits.EntitlementActive && e.Application == appHS
	}))
	out = s.EvaluateUntil(t, auditor, identityCall("ListAccessRecords", string(alice), "100", ""), resultWhen(func(p identitycc.AccessRecordPage) bool {
		return p.Count == 7
	}))
	var accesses identitycc.AccessRecordPage
	require.NoError(t, json.Unmarshal(out, &accesses))
	require.Equal(t, map[string]int{"SSA": 4, "MUNI": 3}, accessesByAgency(accesses))
	s.EvaluateUntil(t, regulator, identityCall("GetConsent", consents["MUNI/"+kindResidency]), resultWhen(func(c identity.Consent) bool {
		return c.RevokedAt != nil && c.RevokedBy == "MUNI"
	}))
	s.EvaluateUntil(t, auditor, identityCall("GetAttestationStatus", residency.input.ID), resultWhen(func(st identitycc.AttestationStatus) bool {
		return st.Revoked
	}))

	writes := []struct {
		action string
		call   Call
	}{
		{"accrediting an issuer", identityCall("AccreditIssuer", argJSON(t, identitycc.AccreditInput{Agency: "REG", Kinds: []string{kindIncome}}))},
		{"attesting", identityCall("Attest", argJSON(t, pension.input))},
		{"revoking an attestation", identityCall("RevokeAttestation", income.input.ID)},
		{"recording consent", identityCall("GrantConsent", argJSON(t, identitycc.ConsentInput{
			ID: "CONSENT-" + run + "-oversight", Subject: alice, Grantee: "SSA", Kind: kindIncome, Purpose: eligibilityPurpose, ValidUntil: consentUntil,
		}))},
		{"withdrawing consent", identityCall("RevokeConsent", consents["SSA/"+kindIncome])},
		{"accessing an attestation", identityCall("AccessAttestation", income.input.ID, eligibilityPurpose)},
		{"creating a programme", benefitsCall("CreateProgramme", argJSON(t, housingProgramme("OV-"+run, "Oversight", "", grant)))},
		{"closing a programme", benefitsCall("CloseProgramme", wg)},
		{"applying", applyCall(t, "APP-"+run+"-oversight", wg, alice, evidence)},
		{"suspending an entitlement", benefitsCall("SuspendEntitlement", d.Entitlement, benefits.ReasonReview)},
	}
	for _, who := range []struct {
		name string
		user User
	}{{"auditor", auditor}, {"regulator", regulator}} {
		for _, w := range writes {
			t.Run("rejects the "+who.name+" "+w.action, func(t *testing.T) {
				s.Rejects(t, who.user, w.call, ccerror.PermissionDenied, "")
			})
		}
	}
}

// identityCall calls fn of the identity contract.
func identityCall(fn string, args ...string) Call {
	return Call{Chaincode: "identity", Function: identitycc.Name + ":" + fn, Args: args}
}

// benefitsCall calls fn of the benefits contract.
func benefitsCall(fn string, args ...string) Call {
	return Call{Chaincode: "benefits", Function: benefitscc.Name + ":" + fn, Args: args}
}

// applyCall files application id for subject under programme, with the
// disclosures in the transient map, where the ledger never records them.
func applyCall(t *testing.T, id, programme string, subject identity.Subject, evidence []benefitscc.EvidenceInput) Call {
	t.Helper()
	c := benefitsCall("SubmitApplication", argJSON(t, benefitscc.ApplicationInput{ID: id, ProgrammeID: programme, Subject: subject}))
	c.Transient = map[string][]byte{benefitscc.TransientEvidence: []byte(argJSON(t, evidence))}
	return c
}

// housingProgramme is a programme of the housing rule, reading residency
// and age from residency attestations and income and employment from
// income attestations of at least substantial assurance.
func housingProgramme(id, name, group string, b benefits.Benefit) benefits.ProgrammeSpec {
	return benefits.ProgrammeSpec{
		ID: id, Name: name, Rule: housingRule,
		Sources: []benefits.ClaimSource{
			{Claim: identity.ClaimResidency, Kind: kindResidency}, {Claim: identity.ClaimAgeOver18, Kind: kindResidency},
			{Claim: identity.ClaimIncomeBand, Kind: kindIncome}, {Claim: "employed", Kind: kindIncome},
		},
		MinAssurance: identity.AssuranceSubstantial, Purpose: eligibilityPurpose, Benefit: b, ExclusivityGroup: group,
	}
}

// accreditForKinds has accreditor accredit agency for kinds. The live
// ledger outlives a run, so an agency accredited by an earlier run is
// amended to cover kinds instead, keeping the kinds it has.
func accreditForKinds(t *testing.T, s *Session, accreditor User, agency string, kinds ...string) identity.Issuer {
	t.Helper()
	var iss identity.Issuer
	out, err := s.Ledger.Submit(s.Ctx, accreditor, identityCall("AccreditIssuer", argJSON(t, identitycc.AccreditInput{Agency: agency, Kinds: kinds})))
	if err == nil {
		require.NoError(t, json.Unmarshal(out, &iss))
		return iss
	}
	RequireCode(t, err, ccerror.AlreadyExists, "")
	s.EvaluateJSON(t, accreditor, identityCall("GetIssuer", agency), &iss)
	missing := slices.DeleteFunc(slices.Clone(kinds), iss.Accredits)
	if len(missing) == 0 {
		return iss
	}
	s.SubmitJSON(t, accreditor, identityCall("AmendIssuer", agency, argJSON(t, identitycc.IssuerChange{
		Kinds: append(iss.Kinds, missing...), Reason: "benefits programmes read these kinds",
	})), &iss)
	return iss
}

// attestedClaim is one claim an issuer attests.
type attestedClaim struct {
	name  string
	value identity.Value
}

// credential is an attestation as its issuer submits it and the evidence
// the subject's wallet keeps for it: every claim value with its salt.
type credential struct {
	input    identitycc.AttestInput
	evidence benefitscc.EvidenceInput
}

// newCredential commits each claim under a fresh 128-bit salt, so no
// verifier can confirm a guessed value from the ledger. The attestation is
// valid from a day before now for a year.
func newCredential(t *testing.T, id, kind string, subject identity.Subject, now time.Time, claims ...attestedClaim) credential {
	t.Helper()
	c := credential{
		input: identitycc.AttestInput{
			ID: id, Kind: kind, Subject: subject, ValidFrom: now.AddDate(0, 0, -1), ValidUntil: now.AddDate(1, 0, 0),
			Assurance: identity.AssuranceSubstantial,
		},
		evidence: benefitscc.EvidenceInput{Attestation: id},
	}
	for _, cl := range claims {
		salt := make([]byte, identity.MinSaltLen)
		_, err := rand.Read(salt)
		require.NoError(t, err)
		digest, err := identity.Commit(cl.name, cl.value, salt)
		require.NoError(t, err)
		c.input.Claims = append(c.input.Claims, identity.ClaimCommitment{Name: cl.name, Digest: digest})
		c.evidence.Disclosures = append(c.evidence.Disclosures, benefits.Disclosure{Claim: cl.name, Value: cl.value, Salt: salt})
	}
	return c
}

// Status-list indexes are taken for good, and the live ledger keeps those
// of earlier runs: each run starts at its own slot of statusSlotSize
// indexes and moves past an index already taken, at most
// maxStatusAttempts times.
const (
	statusSlotSize    = 4
	statusSlots       = 1 << 24
	maxStatusAttempts = 16
)

// statusSlot is the first status-list index of the run runID.
func statusSlot(runID string) uint32 {
	sum := sha256.Sum256([]byte(runID))
	return binary.BigEndian.Uint32(sum[:4]) % statusSlots * statusSlotSize
}

// attestFresh has issuer attest c at status-list index *next or the first
// free one after it, and leaves *next past the index used.
func attestFresh(t *testing.T, s *Session, issuer User, c *credential, next *uint32) identity.Attestation {
	t.Helper()
	for range maxStatusAttempts {
		c.input.StatusIndex = *next
		*next++
		out, err := s.Ledger.Submit(s.Ctx, issuer, identityCall("Attest", argJSON(t, c.input)))
		if errors.Is(err, ccerror.ErrAlreadyExists) {
			continue
		}
		require.NoError(t, err, "attest %s", c.input.ID)
		var att identity.Attestation
		require.NoError(t, json.Unmarshal(out, &att))
		return att
	}
	require.FailNow(t, "no free status-list index", "attest %s: %d indexes from %d taken", c.input.ID, maxStatusAttempts, *next-maxStatusAttempts)
	return identity.Attestation{}
}

// conditionOutcomes lists every condition of an explanation with its
// outcome, depth first in rule order.
func conditionOutcomes(e benefits.Explanation) []string {
	out := []string{e.Condition + ": " + string(e.Outcome)}
	for _, c := range e.Children {
		out = append(out, conditionOutcomes(c)...)
	}
	return out
}

func applicationIDs(p benefitscc.ApplicationPage) []string {
	ids := make([]string, len(p.Items))
	for i, a := range p.Items {
		ids[i] = a.ID
	}
	return ids
}

func accessesByAgency(p identitycc.AccessRecordPage) map[string]int {
	n := map[string]int{}
	for _, r := range p.Items {
		n[r.Agency]++
	}
	return n
}
