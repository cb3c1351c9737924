// Package ocds holds the Open Contracting Data Standard 1.1 shapes GovLedger
// publishes: release packages, records and the parts of a release it fills.
// Amounts are json.Number so major-unit decimals stay exact (no float).
package ocds

import (
	"encoding/json"
	"time"
)

// Version is the OCDS schema version of every package.
const Version = "1.1"

// Release tags (OCDS codelist releaseTag) GovLedger emits.
const (
	TagPlanning          = "planning"
	TagTender            = "tender"
	TagTenderAmendment   = "tenderAmendment"
	TagTenderUpdate      = "tenderUpdate"
	TagAward             = "award"
	TagAwardUpdate       = "awardUpdate"
	TagAwardCancellation = "awardCancellation"
	TagContract          = "contract"
	TagImplementation    = "implementation"
	TagCompiled          = "compiled"
)

// Publisher is who publishes the package.
type Publisher struct {
	Name string `json:"name"`
}

// ReleasePackage wraps releases for publication.
type ReleasePackage struct {
	URI           string    `json:"uri"`
	Version       string    `json:"version"`
	PublishedDate time.Time `json:"publishedDate"`
	Publisher     Publisher `json:"publisher"`
	Releases      []Release `json:"releases"`
}

// RecordPackage wraps records for publication.
type RecordPackage struct {
	URI           string    `json:"uri"`
	Version       string    `json:"version"`
	PublishedDate time.Time `json:"publishedDate"`
	Publisher     Publisher `json:"publisher"`
	Records       []Record  `json:"records"`
}

// Record is every release of one contracting process plus the compiled
// release: the current state of everything known about it.
type Record struct {
	OCID            string    `json:"ocid"`
	Releases        []Release `json:"releases"`
	CompiledRelease Release   `json:"compiledRelease"`
}

// Release is the state of a contracting process at one point in time.
type Release struct {
	OCID           string                 `json:"ocid"`
	ID             string                 `json:"id"`
	Date           time.Time              `json:"date"`
	Tag            []string               `json:"tag"`
	InitiationType string                 `json:"initiationType"`
	Parties        []Party                `json:"parties,omitempty"`
	Buyer          *OrganizationReference `json:"buyer,omitempty"`
	Planning       *Planning              `json:"planning,omitempty"`
	Tender         *Tender                `json:"tender,omitempty"`
	Awards         []Award                `json:"awards,omitempty"`
	Contracts      []Contract             `json:"contracts,omitempty"`
}

// Value is an amount in major units with its ISO 4217 currency.
type Value struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

// OrganizationReference points to an entry of Release.Parties.
type OrganizationReference struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Party is an organisation with its roles (codelist partyRole).
type Party struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// Planning carries the budget.
type Planning struct {
	Budget *Budget `json:"budget,omitempty"`
}

// Budget is the money set aside.
type Budget struct {
	Amount Value `json:"amount"`
}

// Period is a time span.
type Period struct {
	StartDate time.Time `json:"startDate,omitzero"`
	EndDate   time.Time `json:"endDate,omitzero"`
}

// Tender is the tender section of a release.
type Tender struct {
	ID                      string                  `json:"id"`
	Title                   string                  `json:"title"`
	Description             string                  `json:"description,omitempty"`
	Status                  string                  `json:"status"`
	ProcuringEntity         *OrganizationReference  `json:"procuringEntity,omitempty"`
	Items                   []Item                  `json:"items,omitempty"`
	Value                   *Value                  `json:"value,omitempty"`
	ProcurementMethod       string                  `json:"procurementMethod"`
	MainProcurementCategory string                  `json:"mainProcurementCategory"`
	AwardCriteria           string                  `json:"awardCriteria"`
	AwardCriteriaDetails    string                  `json:"awardCriteriaDetails,omitempty"`
	SubmissionMethod        []string                `json:"submissionMethod,omitempty"`
	TenderPeriod            *Period                 `json:"tenderPeriod,omitempty"`
	EnquiryPeriod           *Period                 `json:"enquiryPeriod,omitempty"`
	AwardPeriod             *Period                 `json:"awardPeriod,omitempty"`
	DatePublished           time.Time               `json:"datePublished,omitzero"`
	NumberOfTenderers       *int64                  `json:"numberOfTenderers,omitempty"`
	Tenderers               []OrganizationReference `json:"tenderers,omitempty"`
	Amendments              []Amendment             `json:"amendments,omitempty"`
}

// Item is a line of what is bought.
type Item struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	Unit        *Unit  `json:"unit,omitempty"`
}

// Unit is an item's unit of measure.
type Unit struct {
	Name string `json:"name"`
}

// Amendment describes a change to the tender.
type Amendment struct {
	ID          string    `json:"id"`
	Date        time.Time `json:"date"`
	Rationale   string    `json:"rationale"`
	Description string    `json:"description,omitempty"`
}

// Award is an award decision.
type Award struct {
	ID          string                  `json:"id"`
	Status      string                  `json:"status"`
	Date        time.Time               `json:"date"`
	Description string                  `json:"description,omitempty"`
	Value       *Value                  `json:"value,omitempty"`
	Suppliers   []OrganizationReference `json:"suppliers,omitempty"`
}

// Contract is a signed contract with its implementation.
type Contract struct {
	ID             string          `json:"id"`
	AwardID        string          `json:"awardID"`
	Status         string          `json:"status"`
	Value          *Value          `json:"value,omitempty"`
	DateSigned     time.Time       `json:"dateSigned,omitzero"`
	Milestones     []Milestone     `json:"milestones,omitempty"`
	Implementation *Implementation `json:"implementation,omitempty"`
}

// Milestone is a contract milestone (codelist milestoneStatus).
type Milestone struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Type        string    `json:"type"`
	Description string    `json:"description,omitempty"`
	DueDate     time.Time `json:"dueDate,omitzero"`
	DateMet     time.Time `json:"dateMet,omitzero"`
	Status      string    `json:"status"`
	Value       *Value    `json:"value,omitempty"`
}

// Implementation records what happened under the contract.
type Implementation struct {
	Transactions []Transaction `json:"transactions,omitempty"`
}

// Transaction is a payment made under the contract.
type Transaction struct {
	ID    string                `json:"id"`
	Date  time.Time             `json:"date"`
	Value Value                 `json:"value"`
	Payer OrganizationReference `json:"payer"`
	Payee OrganizationReference `json:"payee"`
}
