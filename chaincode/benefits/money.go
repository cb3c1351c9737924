package benefits

// MaxMinorUnits bounds an amount so sums over many payments cannot overflow
// int64: one trillion minor units is ten billion in a two-decimal currency.
const MaxMinorUnits = 1_000_000_000_000

// Money is an amount in the currency's minor units (cents, pence), never a
// float, so every peer computes the same figures.
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"` // ISO 4217 alphabetic code
}

// Validate checks a positive bounded amount in a three-letter currency code.
func (m Money) Validate(field string) error {
	if m.Minor <= 0 || m.Minor > MaxMinorUnits {
		return invalid(field+".minor", "must be between 1 and %d", int64(MaxMinorUnits))
	}
	if len(m.Currency) != 3 || !isUpper(m.Currency[0]) || !isUpper(m.Currency[1]) || !isUpper(m.Currency[2]) {
		return invalid(field+".currency", "must be an ISO 4217 code of three upper-case letters")
	}
	return nil
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
