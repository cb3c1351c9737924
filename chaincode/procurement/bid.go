package procurement

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// BidStatus is where a sealed bid is.
type BidStatus string

// Bid statuses. A bid still committed at bid opening is left out.
const (
	BidCommitted BidStatus = "committed"
	BidRevealed  BidStatus = "revealed"
)

// Bid is a supplier's sealed bid on a tender: only the commitment until the
// reveal, then the opened content. There is one Bid per tender and supplier;
// replacing the commitment raises Version.
type Bid struct {
	TenderID        string    `json:"tenderId"`
	SupplierID      string    `json:"supplierId"`
	Commitment      string    `json:"commitment"`
	Version         int64     `json:"version"`
	CommittedAt     time.Time `json:"committedAt"` // time of the current version; it breaks ranking ties
	Status          BidStatus `json:"status"`
	RevealedAt      time.Time `json:"revealedAt,omitzero" metadata:",optional"`
	Price           Money     `json:"price,omitzero" metadata:",optional"`
	TechnicalDigest string    `json:"technicalDigest,omitempty" metadata:",optional"`
	TechnicalURI    string    `json:"technicalUri,omitempty" metadata:",optional"`
	Salt            string    `json:"salt,omitempty" metadata:",optional"` // published at reveal so anyone can re-check the commitment
}

// BidContent is the sealed content a supplier keeps until the reveal.
type BidContent struct {
	TenderID        string `json:"tenderId"`
	SupplierID      string `json:"supplierId"`
	Price           Money  `json:"price"`
	TechnicalDigest string `json:"technicalDigest"` // SHA-256 of the technical proposal document
	TechnicalURI    string `json:"technicalUri"`    // where the proposal is published at reveal; not committed
	Salt            string `json:"salt"`
}

// commitmentDomain separates bid commitments from every other SHA-256 use.
const commitmentDomain = "govledger/procurement/bid-commitment/v1"

var saltPattern = regexp.MustCompile(`^[0-9a-f]{32,128}$`)

// Commitment returns the hex SHA-256 commitment of the bid content. The
// hashed message is seven lines joined by "\n" (no trailing newline):
//
//	govledger/procurement/bid-commitment/v1
//	<tenderId>
//	<supplierId>
//	<price.amount in minor units, base-10, no sign or leading zeros>
//	<price.currency, ISO 4217>
//	<technicalDigest, 64 lowercase hex>
//	<salt, 32-128 lowercase hex: at least 128 random bits>
//
// Every field is validated to exclude "\n", so the encoding is unambiguous.
// The salt keeps a low-entropy price from being guessed from the commitment;
// the technical URI is not committed because the digest already binds the
// proposal's content.
func (c BidContent) Commitment() string {
	msg := strings.Join([]string{
		commitmentDomain, c.TenderID, c.SupplierID, strconv.FormatInt(c.Price.Amount, 10),
		c.Price.Currency, c.TechnicalDigest, c.Salt,
	}, "\n")
	sum := sha256.Sum256([]byte(msg))
	return hex.EncodeToString(sum[:])
}

// CommitBid records or replaces (raising its version) supplierID's sealed
// commitment, strictly before the submission deadline. prev is the
// supplier's current bid or nil. Resubmitting the same commitment is a
// duplicate.
func CommitBid(t *Tender, prev *Bid, supplierID, commitment string, now time.Time) (*Bid, error) {
	if _, err := NextStatus(t.Status, ActionCommitBid); err != nil {
		return nil, err
	}
	if err := checkID("supplierId", supplierID); err != nil {
		return nil, err
	}
	if err := checkDigest("commitment", commitment); err != nil {
		return nil, err
	}
	if !now.Before(t.Deadlines.SubmissionDeadline) {
		return nil, fmt.Errorf("%w: commitments closed at %s", ErrDeadline, stamp(t.Deadlines.SubmissionDeadline))
	}
	b := &Bid{TenderID: t.ID, SupplierID: supplierID, Commitment: commitment, Version: 1, CommittedAt: now.UTC(), Status: BidCommitted}
	if prev != nil {
		if prev.Commitment == commitment {
			return nil, fmt.Errorf("%w: supplier %s already committed %s", ErrDuplicate, supplierID, commitment)
		}
		b.Version = prev.Version + 1
	}
	return b, nil
}

// RevealBid opens bid with content from the submission deadline until
// before the reveal end. The content must hash to the commitment and be
// priced in the budget currency.
func RevealBid(t *Tender, bid *Bid, c BidContent, now time.Time) error {
	if _, err := NextStatus(t.Status, ActionRevealBid); err != nil {
		return err
	}
	if now.Before(t.Deadlines.SubmissionDeadline) {
		return fmt.Errorf("%w: reveals open at the submission deadline %s", ErrDeadline, stamp(t.Deadlines.SubmissionDeadline))
	}
	if !now.Before(t.Deadlines.RevealEnd) {
		return fmt.Errorf("%w: reveals closed at %s", ErrDeadline, stamp(t.Deadlines.RevealEnd))
	}
	if bid.Status == BidRevealed {
		return fmt.Errorf("%w: supplier %s already revealed", ErrDuplicate, bid.SupplierID)
	}
	switch {
	case c.TenderID != t.ID:
		return fieldErr("tenderId", RuleMatch, "must be %q", t.ID)
	case c.SupplierID != bid.SupplierID:
		return fieldErr("supplierId", RuleMatch, "must be %q", bid.SupplierID)
	}
	if err := checkMoney("price", c.Price, true); err != nil {
		return err
	}
	if c.Price.Currency != t.Budget.Currency {
		return fieldErr("price.currency", RuleBudgetCurrency, "must be the budget currency %s", t.Budget.Currency)
	}
	if err := checkDigest("technicalDigest", c.TechnicalDigest); err != nil {
		return err
	}
	if err := checkURI("technicalUri", c.TechnicalURI); err != nil {
		return err
	}
	if !saltPattern.MatchString(c.Salt) {
		return fieldErr("salt", validate.RulePattern, "must be 32 to 128 lowercase hex characters")
	}
	if c.Commitment() != bid.Commitment {
		return fmt.Errorf("%w: supplier %s, version %d", ErrCommitmentMismatch, bid.SupplierID, bid.Version)
	}
	bid.Status = BidRevealed
	bid.RevealedAt = now.UTC()
	bid.Price = c.Price
	bid.TechnicalDigest = c.TechnicalDigest
	bid.TechnicalURI = c.TechnicalURI
	bid.Salt = c.Salt
	return nil
}

// NeedsOpening reports whether the tender's bids are due to be opened: the
// reveal period is over and nobody has opened them yet. Every action of the
// evaluation stage opens them first.
func NeedsOpening(t *Tender, now time.Time) bool {
	return t.Status == StatusActive && !now.Before(t.Deadlines.RevealEnd)
}

// OpenBids opens the tender's bids once the reveal period is over: revealed
// bids go forward to evaluation, unrevealed ones are left out. With no
// revealed bid the tender is unsuccessful. A competitive tender with exactly
// one revealed bid raises a singleBid red flag. bids must be every bid on
// the tender.
func OpenBids(t *Tender, bids []Bid, now time.Time) ([]RedFlag, error) {
	if _, err := NextStatus(t.Status, ActionOpenBids); err != nil {
		return nil, err
	}
	if now.Before(t.Deadlines.RevealEnd) {
		return nil, fmt.Errorf("%w: bids open at the reveal end %s", ErrDeadline, stamp(t.Deadlines.RevealEnd))
	}
	o := &Opening{OpenedAt: now.UTC()}
	for i, b := range bids {
		if b.TenderID != t.ID {
			return nil, fieldErr(fmt.Sprintf("bids[%d].tenderId", i), RuleMatch, "must be %q", t.ID)
		}
		if b.Status == BidRevealed {
			o.Bidders = append(o.Bidders, b.SupplierID)
		} else {
			o.Unrevealed = append(o.Unrevealed, b.SupplierID)
		}
	}
	slices.Sort(o.Bidders)
	slices.Sort(o.Unrevealed)
	action := ActionOpenBids
	if len(o.Bidders) == 0 {
		action = ActionCloseUnsuccessful
	}
	if err := t.move(action); err != nil {
		return nil, err
	}
	t.Opening = o
	var flags []RedFlag
	if len(o.Bidders) == 1 && t.Method.competitive() {
		flags = append(flags, RedFlag{
			Kind: FlagSingleBid, TenderID: t.ID, RaisedAt: now.UTC(),
			Detail: fmt.Sprintf("only %s revealed a bid in %s procurement (%d unrevealed)", o.Bidders[0], t.Method, len(o.Unrevealed)),
		})
	}
	t.RedFlags = append(t.RedFlags, flags...)
	t.touch(now)
	return flags, nil
}

func (t *Tender) isBidder(supplierID string) bool {
	if t.Opening == nil {
		return false
	}
	_, found := slices.BinarySearch(t.Opening.Bidders, supplierID)
	return found
}
