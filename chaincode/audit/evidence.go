package audit

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// URI schemes accepted for evidence documents: stable, retrievable locations.
// Plain http is refused because evidence must not be altered in transit.
var evidenceSchemes = []string{"https", "ipfs", "s3"}

var (
	// Channel and chaincode name rules are Fabric's own, so a reference that
	// passes could name a real channel and chaincode.
	channelPattern   = regexp.MustCompile(`^[a-z][a-z0-9.-]{0,248}$`)
	chaincodePattern = regexp.MustCompile(`^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$`)
	txIDPattern      = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

const maxChaincodeNameLen = 128

func checkURI(field, v string) error {
	if err := validate.Required(field, v); err != nil {
		return err
	}
	if err := validate.MaxLen(field, v, MaxURILen); err != nil {
		return err
	}
	u, err := url.Parse(v)
	if err != nil || !slices.Contains(evidenceSchemes, u.Scheme) || u.Host == "" {
		return fieldErr(field, RuleURI, "must be an absolute URI with scheme "+strings.Join(evidenceSchemes, ", ")+" and a host")
	}
	if u.User != nil {
		// Credentials would end up on every peer's ledger.
		return fieldErr(field, RuleURI, "must not contain user information")
	}
	return nil
}

// TxRef points at a transaction of any contract on the ledger, so evidence can
// cite what was recorded (e.g. a tender award) rather than a copy of it.
type TxRef struct {
	Channel   string `json:"channel"`
	Chaincode string `json:"chaincode"`
	TxID      string `json:"txId"`
}

// Validate checks the reference against Fabric's naming rules.
func (r TxRef) Validate() error {
	return validate.All(
		validate.Pattern("channel", r.Channel, channelPattern, "a Fabric channel name: lower-case letters, digits, '.' or '-', starting with a letter, at most 249 characters"),
		validate.MaxLen("chaincode", r.Chaincode, maxChaincodeNameLen),
		validate.Pattern("chaincode", r.Chaincode, chaincodePattern, "a Fabric chaincode name: letters and digits separated by single '-' or '_'"),
		validate.Pattern("txId", r.TxID, txIDPattern, "a transaction ID of 64 lower-case hex digits"),
	)
}

// Evidence supports a response: a document identified by its SHA-256 digest
// and where to fetch it, references to ledger transactions, or both.
type Evidence struct {
	Description    string  `json:"description"`
	DocumentSHA256 string  `json:"documentSha256,omitempty" metadata:",optional"`
	URI            string  `json:"uri,omitempty" metadata:",optional"`
	LedgerRefs     []TxRef `json:"ledgerRefs,omitempty" metadata:",optional"`
}

// Validate checks the item. A document needs both digest and URI: the digest
// alone cannot be fetched, the URI alone cannot be verified.
func (e Evidence) Validate() error {
	if err := checkText("description", e.Description, MaxTitleLen); err != nil {
		return err
	}
	hasDoc := e.DocumentSHA256 != "" || e.URI != ""
	if !hasDoc && len(e.LedgerRefs) == 0 {
		return fieldErr("documentSha256", RuleEvidence, "must be given with uri unless ledgerRefs are given")
	}
	if hasDoc {
		if err := validate.SHA256Hex("documentSha256", e.DocumentSHA256); err != nil {
			return err
		}
		if err := checkURI("uri", e.URI); err != nil {
			return err
		}
	}
	if err := checkCount("ledgerRefs", len(e.LedgerRefs), MaxLedgerRefs); err != nil {
		return err
	}
	for i, r := range e.LedgerRefs {
		if err := r.Validate(); err != nil {
			return within(indexed("ledgerRefs", i), err)
		}
		if slices.Contains(e.LedgerRefs[:i], r) {
			return fieldErr(indexed("ledgerRefs", i), RuleUnique, "must not repeat a reference")
		}
	}
	return nil
}

func checkEvidence(items []Evidence) error {
	if err := checkCount("evidence", len(items), MaxEvidence); err != nil {
		return err
	}
	for i, ev := range items {
		if err := ev.Validate(); err != nil {
			return within(indexed("evidence", i), err)
		}
	}
	return nil
}

func cloneEvidence(items []Evidence) []Evidence {
	out := make([]Evidence, len(items))
	for i, ev := range items {
		out[i] = ev
		out[i].LedgerRefs = slices.Clone(ev.LedgerRefs)
	}
	return out
}
