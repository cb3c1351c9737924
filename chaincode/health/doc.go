// Package health is the public-health surveillance domain of GovLedger: how
// de-identified case reports are aggregated, de-duplicated, suppressed for
// readers outside the health organisations, and turned into outbreak alerts.
// It is pure Go with no Fabric imports; chaincode/health/contract stores what
// it computes.
//
// # Aggregation cells
//
// A report counts in one cell: condition × region × ISO week of onset.
//
//   - The condition key is "<system>:<code>" (ConditionOf). ICD-10 codes roll
//     up to their three-character category ("icd-10:B05" for B05.9), because
//     surveillance case definitions are written at category level and finer
//     codes only make smaller, more identifying cells. SNOMED CT concepts are
//     kept as reported, since the chaincode has no terminology server to walk
//     their hierarchy. A report without a condition counts under its laboratory
//     test ("loinc:<code>") only when the result is positive; a negative or
//     indeterminate lab-only report is stored but counted nowhere.
//   - The region is the report's three-digit ZIP prefix ("000" for
//     small-population areas, which deid enforces).
//   - The week is the ISO 8601 week of onset (Week).
//
// # Duplicate suppression
//
// The same pseudonymous patient key with the same condition counts once per
// episode: a report is a duplicate when an already counted report of that
// patient and condition has an onset week fewer than DuplicateWindowWeeks
// weeks away, before or after (Episodes). Reports may arrive out of order, so
// the counted weeks are kept as a set, not as a single "last seen" week.
//
// # Small-cell suppression
//
// Readers outside the collection's organisations see a count below k
// (Config.MinCellSize, default 5), zero included, as "<k" (Suppressed).
// Alerts, which every channel member receives, carry a coarser band
// (Band).
//
// # Alert rules
//
// A Rule watches one condition in one region (or every region, "*") with one
// method:
//
//   - threshold: raise when the week's count reaches Rule.Threshold.
//   - ears-c1 and ears-c2: the CDC Early Aberration Reporting System C1 and C2
//     statistics, adapted from days to ISO weeks. EARS compares today's count
//     with the mean and standard deviation of a 7-day baseline; here the unit
//     is a week. C1's baseline is the 7 weeks immediately before the current
//     week (w-7 … w-1); C2's is the 7 weeks before a 2-week guard band
//     (w-9 … w-3), so that a slowly rising outbreak does not inflate its own
//     baseline. With x the current week's count, mean and sd the baseline's
//     mean and sample standard deviation (n-1 denominator), the statistic is
//     C = (x - mean) / max(sd, floor), and the rule raises when C > T.
//     T is Rule.Threshold in thousandths (default 3000, EARS's 3) and floor is
//     Rule.SDFloor in thousandths of a case (default 1000, one case), which
//     keeps a baseline of identical counts (sd = 0) from making any increase
//     infinitely significant. The CDC's C3 (a sum of C2 over three periods)
//     is not offered. Weekly data loses EARS's day-of-week effect, and seven
//     weeks span a season's slope, so expect C1 and C2 to be slower and
//     steadier than their daily originals.
//
// The current week is usually still open when a report arrives, so a rule is
// evaluated against the running count each time a counted report lands in its
// cell, and raises at most once per rule, region and week (AlertID).
//
// # Determinism
//
// Nothing here reads a clock, draws a random number or depends on map order,
// and no float is computed: EARS is evaluated exactly in integer arithmetic
// (math/big), and the statistic is reported in thousandths, truncated toward
// zero. The raise decision is exact, not a comparison of the truncated value.
//
// # Alert life cycle
//
// open → acknowledged → closed, as a transition table (Alert.Apply). Closing
// needs a reason from a closed vocabulary, never free text, because alerts are
// public and free text is where case details leak.
package health
