package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/benefits"
	benefitscc "github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/deid"
	"github.com/govledger/govledger/chaincode/identity"
	identitycc "github.com/govledger/govledger/chaincode/identity/contract"
	"github.com/govledger/govledger/chaincode/procurement"
)

// Valid inputs for the main write of every contract. Each builder takes the
// ids that make an operation unique, so that concurrent clients never touch
// the same key and every figure is free of MVCC conflicts by construction.

// tenderDraft is an open lowest-price tender of the Ministry of Finance
// whose deadlines leave the legal 30 days for bids, so publication raises
// no red flag and bids may be committed for weeks.
func tenderDraft(id string, now time.Time) procurement.TenderDraft {
	day := procurement.Day
	return procurement.TenderDraft{
		ID: id, Title: "Office supplies " + id, Description: "Paper, toner and stationery for one year",
		Buyer: procurement.Party{ID: "MOF", Name: "Ministry of Finance"}, Method: procurement.MethodOpen, Category: procurement.CategoryGoods,
		Items:       []procurement.Item{{ID: "paper", Description: "A4 paper, 80 g", Quantity: 5000, Unit: "ream"}},
		Budget:      procurement.Money{Amount: 2_500_000, Currency: "EUR"},
		AwardMethod: procurement.AwardLowestPrice,
		Deadlines: procurement.Deadlines{
			EnquiryEnd: now.Add(20 * day), SubmissionDeadline: now.Add(40 * day), RevealEnd: now.Add(45 * day),
			StandstillDays: 10, ChallengeDays: 10,
		},
	}
}

// sealedBid is a supplier's bid content; the ledger only sees its
// commitment. The salt is random so commitments never repeat.
func sealedBid(tenderID, supplierID string) (procurement.BidContent, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return procurement.BidContent{}, err
	}
	proposal := sha256.Sum256([]byte("proposal of " + supplierID + " for " + tenderID))
	return procurement.BidContent{
		TenderID: tenderID, SupplierID: supplierID, Price: procurement.Money{Amount: 2_000_000, Currency: "EUR"},
		TechnicalDigest: hex.EncodeToString(proposal[:]), TechnicalURI: "https://suppliers.example/" + supplierID + "/" + tenderID,
		Salt: hex.EncodeToString(salt),
	}, nil
}

// pseudonymSecret stands in for a hospital's pseudonymisation secret.
var pseudonymSecret = bytes.Repeat([]byte{0x42}, deid.MinSecretLen)

// caseReport is a measles case report, de-identified as the gate requires,
// for a patient no other operation reports, with onset in the week before
// now.
func caseReport(patient string, now time.Time) deid.Report {
	y, w := now.AddDate(0, 0, -7).ISOWeek()
	return deid.Report{
		Condition:  &deid.Condition{System: deid.SystemICD10, Code: "B05.9"},
		OnsetWeek:  fmt.Sprintf("%04d-W%02d", y, w),
		AgeBand:    "5-9",
		Sex:        deid.SexFemale,
		Region:     "021",
		PatientKey: deid.Pseudonym(pseudonymSecret, patient),
	}
}

// auditedAgency is the agency every benchmark engagement audits; buyer1
// answers for it.
var auditedAgency = audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"}

func engagementSpec(id string) audit.EngagementSpec {
	return audit.EngagementSpec{ID: id, Agency: auditedAgency, Title: "Procurement compliance " + id,
		Scope: "Tenders published by the Ministry of Finance this year."}
}

// requestSpec is an auditor's request, due in 30 days so it never
// escalates during the run.
func requestSpec(id string, now time.Time) map[string]any {
	return map[string]any{"id": id, "subject": "Tender file", "detail": "Provide the tender file and its approvals.",
		"dueAt": now.Add(30 * 24 * time.Hour)}
}

// evidenceResponse is the agency's response with one piece of evidence: a
// document by digest and address.
func evidenceResponse(requestID string) audit.ResponseSpec {
	doc := sha256.Sum256([]byte("tender file for " + requestID))
	return audit.ResponseSpec{
		Statement: "The tender file and its approvals are attached.",
		Evidence: []audit.Evidence{{
			Description:    "Tender file",
			DocumentSHA256: hex.EncodeToString(doc[:]),
			URI:            "https://docs.mof.example/" + requestID + "/file.pdf",
		}},
	}
}

// Benefits: residency and income attestations make a subject eligible for
// housingRule; the person's consent lets SSA read them.
const (
	kindResidency      = "ResidencyCredential"
	kindIncome         = "IncomeCredential"
	eligibilityPurpose = "benefits-eligibility"
	housingRule        = `all(residency == "resident", ageOver18 == true, any(incomeBand <= 2, not(employed == true)))`
	benefitsAgency     = "SSA"
)

// subjectSecret stands in for the gateway's subject key.
var subjectSecret = bytes.Repeat([]byte{0x5c}, identity.MinSubjectSecretLen)

// programmeSpec is a housing programme without an exclusivity group, so
// each programme is its own group: a subject holds at most one entitlement
// per programme.
func programmeSpec(id string) benefits.ProgrammeSpec {
	return benefits.ProgrammeSpec{
		ID: id, Name: "Housing support " + id, Rule: housingRule,
		Sources: []benefits.ClaimSource{
			{Claim: identity.ClaimResidency, Kind: kindResidency}, {Claim: identity.ClaimAgeOver18, Kind: kindResidency},
			{Claim: identity.ClaimIncomeBand, Kind: kindIncome}, {Claim: "employed", Kind: kindIncome},
		},
		MinAssurance: identity.AssuranceSubstantial, Purpose: eligibilityPurpose,
		Benefit: benefits.Benefit{Amount: benefits.Money{Minor: 45_000, Currency: "EUR"}, Schedule: benefits.ScheduleMonthly, Months: 6},
	}
}

// credential is an attestation as its issuer submits it and the evidence
// the subject's wallet keeps: every claim value with its salt.
type credential struct {
	input    identitycc.AttestInput
	evidence benefitscc.EvidenceInput
}

type claim struct {
	name  string
	value identity.Value
}

// newCredential commits each claim under a fresh salt. statusIndex must be
// unused in the issuer's status list.
func newCredential(id, kind string, subject identity.Subject, statusIndex uint32, now time.Time, claims ...claim) (credential, error) {
	c := credential{
		input: identitycc.AttestInput{
			ID: id, Kind: kind, Subject: subject, ValidFrom: now.AddDate(0, 0, -1), ValidUntil: now.AddDate(1, 0, 0),
			Assurance: identity.AssuranceSubstantial, StatusIndex: statusIndex,
		},
		evidence: benefitscc.EvidenceInput{Attestation: id},
	}
	for _, cl := range claims {
		salt := make([]byte, identity.MinSaltLen)
		if _, err := rand.Read(salt); err != nil {
			return credential{}, err
		}
		digest, err := identity.Commit(cl.name, cl.value, salt)
		if err != nil {
			return credential{}, err
		}
		c.input.Claims = append(c.input.Claims, identity.ClaimCommitment{Name: cl.name, Digest: digest})
		c.evidence.Disclosures = append(c.evidence.Disclosures, benefits.Disclosure{Claim: cl.name, Value: cl.value, Salt: salt})
	}
	return c, nil
}

// applicant is one benefits client's subject with the two credentials that
// make it eligible.
type applicant struct {
	subject   identity.Subject
	residency credential
	income    credential
}

// newApplicant derives a subject for client c of run and attests it as a
// resident adult on a low income. Its status-list indexes are
// base+2c and base+2c+1.
func newApplicant(run string, c int, base uint32, now time.Time) (applicant, error) {
	s, err := identity.SubjectID(subjectSecret, fmt.Sprintf("BEN-%s-%d", run, c))
	if err != nil {
		return applicant{}, err
	}
	idx := base + 2*uint32(c) //nolint:gosec // G115: c is a client number, far below 2^31
	res, err := newCredential(fmt.Sprintf("RES-%s-%d", run, c), kindResidency, s, idx, now,
		claim{identity.ClaimResidency, identity.StringValue("resident")}, claim{identity.ClaimAgeOver18, identity.BoolValue(true)})
	if err != nil {
		return applicant{}, err
	}
	inc, err := newCredential(fmt.Sprintf("INC-%s-%d", run, c), kindIncome, s, idx+1, now,
		claim{identity.ClaimIncomeBand, identity.NumberValue(1)}, claim{"employed", identity.BoolValue(false)})
	if err != nil {
		return applicant{}, err
	}
	return applicant{subject: s, residency: res, income: inc}, nil
}

// consent lets SSA use the subject's attestations of kind for eligibility.
func (a applicant) consent(id, kind string, now time.Time) identitycc.ConsentInput {
	return identitycc.ConsentInput{ID: id, Subject: a.subject, Grantee: benefitsAgency, Kind: kind,
		Purpose: eligibilityPurpose, ValidUntil: now.AddDate(0, 1, 0)}
}

// evidence is the transient evidence of an application: both attestations
// with their disclosures.
func (a applicant) evidence() []benefitscc.EvidenceInput {
	return []benefitscc.EvidenceInput{a.residency.evidence, a.income.evidence}
}

// statusBase spreads runs over an issuer's status list, so a run on a
// ledger that earlier runs used is unlikely to hit a taken index.
func statusBase(run string) uint32 {
	sum := sha256.Sum256([]byte(run))
	return binary.BigEndian.Uint32(sum[:4]) % (1 << 20) * 1024
}

// jsonArg encodes v as a chaincode argument.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode argument: %w", err)
	}
	return string(b), nil
}
