package health

import (
	"math/big"
	"time"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Method is how a rule decides that a week's count is an outbreak signal.
type Method string

// Detection methods; see the package doc.
const (
	MethodThreshold Method = "threshold"
	MethodEARSC1    Method = "ears-c1"
	MethodEARSC2    Method = "ears-c2"
)

// EARS parameters, in thousandths (Scale) where fractional.
const (
	Scale                = 1000 // fixed-point scale of statistics, thresholds and floors
	BaselineWeeks        = 7    // weeks in an EARS baseline
	DefaultEARSThreshold = 3000 // C > 3
	DefaultSDFloor       = 1000 // one case
	MaxEARSThreshold     = 100_000
	MaxSDFloor           = 1_000_000
	MaxCountThreshold    = 1_000_000
)

// Baseline returns the weeks whose counts form the method's baseline for
// week w, oldest first; nil for a fixed threshold. C1: w-7 … w-1. C2: w-9 …
// w-3, leaving a two-week guard band.
func (m Method) Baseline(w Week) []Week {
	var lag int
	switch m {
	case MethodEARSC1:
		lag = 1
	case MethodEARSC2:
		lag = 3
	default:
		return nil
	}
	out := make([]Week, BaselineWeeks)
	for i := range out {
		out[i] = w.Add(-(lag + BaselineWeeks - 1) + i)
	}
	return out
}

// Actor is who changed a rule, an alert or the settings: the caller's
// organisation and certificate identity, never a patient.
type Actor struct {
	MSPID string `json:"mspId"`
	ID    string `json:"id"`
}

// RuleInput is what a client sends to create or update a rule.
type RuleInput struct {
	ID        string `json:"id"`
	Condition string `json:"condition"`
	Region    string `json:"region"` // three digits or "*"
	Method    Method `json:"method"`
	// Threshold is the count that raises a threshold rule, or for EARS the
	// limit C must exceed, in thousandths (0: DefaultEARSThreshold).
	Threshold int64 `json:"threshold,omitempty"`
	// SDFloor is EARS's minimum standard deviation in thousandths of a case
	// (0: DefaultSDFloor). Threshold rules take none.
	SDFloor int64 `json:"sdFloor,omitempty"`
	Enabled *bool `json:"enabled,omitempty"` // nil: enabled
}

// Rule is a stored alert rule.
type Rule struct {
	ID        string    `json:"id"`
	Condition string    `json:"condition"`
	Region    string    `json:"region"`
	Method    Method    `json:"method"`
	Threshold int64     `json:"threshold"`
	SDFloor   int64     `json:"sdFloor,omitempty" metadata:",optional"`
	Enabled   bool      `json:"enabled"`
	Revision  int       `json:"revision"`
	UpdatedAt time.Time `json:"updatedAt"`
	UpdatedBy Actor     `json:"updatedBy"`
}

// NewRule validates in and returns revision 1 of the rule it describes.
func NewRule(in RuleInput, by Actor, at time.Time) (Rule, error) {
	if err := validate.All(
		validate.ID("id", in.ID),
		ValidateCondition("condition", in.Condition),
		ValidateRegion("region", in.Region, true),
		validate.OneOf("method", string(in.Method), string(MethodThreshold), string(MethodEARSC1), string(MethodEARSC2)),
	); err != nil {
		return Rule{}, err
	}
	r := Rule{ID: in.ID, Condition: in.Condition, Region: in.Region, Method: in.Method}
	return r.apply(in, by, at)
}

// Update applies in to r: threshold, floor and enabled may change; the
// identity of what a rule watches (condition, region, method) may not, so an
// alert always means what its rule meant when it was raised.
func (r Rule) Update(in RuleInput, by Actor, at time.Time) (Rule, error) {
	fixed := func(field, was, now string) error {
		if was != now {
			return validate.Fail(field, RuleImmutable, "cannot change; delete the rule and create another")
		}
		return nil
	}
	if err := validate.All(
		fixed("condition", r.Condition, in.Condition),
		fixed("region", r.Region, in.Region),
		fixed("method", string(r.Method), string(in.Method)),
	); err != nil {
		return Rule{}, err
	}
	return r.apply(in, by, at)
}

func (r Rule) apply(in RuleInput, by Actor, at time.Time) (Rule, error) {
	threshold, floor := in.Threshold, in.SDFloor
	var err error
	if r.Method == MethodThreshold {
		err = validate.All(
			validate.InRange("threshold", threshold, 1, MaxCountThreshold),
			validate.InRange("sdFloor", floor, 0, 0),
		)
	} else {
		if threshold == 0 {
			threshold = DefaultEARSThreshold
		}
		if floor == 0 {
			floor = DefaultSDFloor
		}
		err = validate.All(
			validate.InRange("threshold", threshold, 1, MaxEARSThreshold),
			validate.InRange("sdFloor", floor, 1, MaxSDFloor),
		)
	}
	if err != nil {
		return Rule{}, err
	}
	r.Threshold, r.SDFloor = threshold, floor
	r.Enabled = in.Enabled == nil || *in.Enabled
	r.Revision++
	r.UpdatedAt, r.UpdatedBy = at.UTC(), by
	return r, nil
}

// Verdict is a rule's decision on one week.
type Verdict struct {
	Raise bool
	// Statistic is EARS's C in thousandths, truncated toward zero; zero and
	// HasStatistic false for a threshold rule.
	Statistic    int64
	HasStatistic bool
}

// Evaluate decides on the current week's count; baseline holds the counts of
// r.Method.Baseline weeks (none for a threshold rule).
func (r Rule) Evaluate(current int64, baseline []int64) (Verdict, error) {
	if r.Method == MethodThreshold {
		return Verdict{Raise: current >= r.Threshold}, nil
	}
	raise, stat, err := EARS(current, baseline, r.Threshold, r.SDFloor)
	if err != nil {
		return Verdict{}, err
	}
	return Verdict{Raise: raise, Statistic: stat, HasStatistic: true}, nil
}

// EARS computes C = (x - mean) / max(sd, floor) over a 7-week baseline and
// reports whether C > threshold/Scale, with C in thousandths truncated toward
// zero. floor is in thousandths of a case and must be positive.
//
// With n = 7, S = Σb, Q = Σb², D = n·x - S and V = n·Q - S² (so mean = S/n and
// the sample variance is V / (n(n-1))), everything is exact integer algebra:
//
//	sd >= floor  ⇔  10⁶·V >= F²·n(n-1)
//	sd branch:    C² = D²(n-1) / (n·V);  raise ⇔ D > 0 ∧ 10⁶·D²(n-1) > T²·n·V
//	floor branch: C = 1000·D / (n·F);    raise ⇔ 10⁶·D > T·n·F
func EARS(x int64, baseline []int64, threshold, floor int64) (bool, int64, error) {
	if len(baseline) != BaselineWeeks || floor <= 0 {
		return false, 0, ErrBaseline
	}
	var (
		n     = big.NewInt(BaselineWeeks)
		n1    = big.NewInt(BaselineWeeks - 1)
		scale = big.NewInt(Scale * Scale) // 10⁶: both sides carry one thousandths factor squared
		s     = new(big.Int)
		q     = new(big.Int)
	)
	for _, b := range baseline {
		bb := big.NewInt(b)
		s.Add(s, bb)
		q.Add(q, new(big.Int).Mul(bb, bb))
	}
	d := new(big.Int).Sub(new(big.Int).Mul(n, big.NewInt(x)), s)
	v := new(big.Int).Sub(new(big.Int).Mul(n, q), new(big.Int).Mul(s, s))
	f, t := big.NewInt(floor), big.NewInt(threshold)

	nn1 := new(big.Int).Mul(n, n1)
	if new(big.Int).Mul(scale, v).Cmp(new(big.Int).Mul(new(big.Int).Mul(f, f), nn1)) >= 0 {
		// sd branch; V > 0 here because F > 0.
		d2 := new(big.Int).Mul(d, d)
		lhs := new(big.Int).Mul(new(big.Int).Mul(scale, d2), n1)
		nv := new(big.Int).Mul(n, v)
		raise := d.Sign() > 0 && lhs.Cmp(new(big.Int).Mul(new(big.Int).Mul(t, t), nv)) > 0
		stat := new(big.Int).Sqrt(new(big.Int).Quo(lhs, nv))
		if d.Sign() < 0 {
			stat.Neg(stat)
		}
		return raise, stat.Int64(), nil
	}
	lhs := new(big.Int).Mul(scale, d)
	nf := new(big.Int).Mul(n, f)
	raise := lhs.Cmp(new(big.Int).Mul(t, nf)) > 0
	return raise, new(big.Int).Quo(lhs, nf).Int64(), nil
}
