package procurement

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Performance is a supplier's delivery record across all its contracts.
// Deliveries counts deliverables the buyer decided on (accepted or
// rejected); OnTime counts accepted deliverables submitted by their due
// date; Penalties sums, per currency, the penalties withheld from payments.
type Performance struct {
	SupplierID string    `json:"supplierId"`
	Deliveries int64     `json:"deliveries"`
	OnTime     int64     `json:"onTime"`
	Rejections int64     `json:"rejections"`
	Penalties  []Money   `json:"penalties,omitempty" metadata:",optional"` // sorted by currency
	UpdatedAt  time.Time `json:"updatedAt,omitzero" metadata:",optional"`
}

// RecordAcceptance counts an accepted deliverable of m.
func (p *Performance) RecordAcceptance(m Milestone, now time.Time) {
	p.Deliveries++
	if m.DaysLate == 0 {
		p.OnTime++
	}
	p.UpdatedAt = now.UTC()
}

// RecordRejection counts a rejected deliverable.
func (p *Performance) RecordRejection(now time.Time) {
	p.Deliveries++
	p.Rejections++
	p.UpdatedAt = now.UTC()
}

// RecordPayment adds the penalty withheld from pay to the totals.
func (p *Performance) RecordPayment(pay Payment, now time.Time) {
	p.UpdatedAt = now.UTC()
	if pay.Penalty.Amount == 0 {
		return
	}
	i, found := slices.BinarySearchFunc(p.Penalties, pay.Penalty.Currency, func(m Money, c string) int {
		return strings.Compare(m.Currency, c)
	})
	if !found {
		p.Penalties = slices.Insert(p.Penalties, i, Money{Currency: pay.Penalty.Currency})
	}
	if p.Penalties[i].Amount > math.MaxInt64-pay.Penalty.Amount {
		p.Penalties[i].Amount = math.MaxInt64
		return
	}
	p.Penalties[i].Amount += pay.Penalty.Amount
}
