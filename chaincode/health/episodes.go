package health

import (
	"fmt"
	"slices"
)

// MaxEpisodes bounds the counted weeks kept for one patient key and
// condition. When full, the oldest is dropped: a chronic condition reported
// for years must not grow a private value without bound, and a duplicate
// window is weeks, not years, wide.
const MaxEpisodes = 26

// Episodes is the duplicate-suppression state of one (patient key,
// condition): the onset weeks of the reports that counted, ascending. It lives
// in the private collection, never in public state: its key holds the patient
// key, and even a hash of that would link a patient's reports for anyone
// reading the channel.
type Episodes struct {
	Weeks []string `json:"weeks"`
}

// Duplicate reports whether a report with onset week w repeats an episode
// already counted: some counted week is fewer than window weeks from w.
func (e Episodes) Duplicate(w Week, window int) (bool, error) {
	weeks, err := e.parse()
	if err != nil {
		return false, err
	}
	for _, c := range weeks {
		if d := w.Sub(c); d > -window && d < window {
			return true, nil
		}
	}
	return false, nil
}

// With returns e with w counted, keeping the newest MaxEpisodes weeks.
func (e Episodes) With(w Week) (Episodes, error) {
	weeks, err := e.parse()
	if err != nil {
		return Episodes{}, err
	}
	weeks = append(weeks, w)
	slices.SortFunc(weeks, func(a, b Week) int { return a.Sub(b) })
	weeks = slices.CompactFunc(weeks, func(a, b Week) bool { return a == b })
	if len(weeks) > MaxEpisodes {
		weeks = weeks[len(weeks)-MaxEpisodes:]
	}
	return episodesOf(weeks), nil
}

// Since returns e without the weeks before cutoff: what retention leaves.
// An empty result means the entry itself is expired.
func (e Episodes) Since(cutoff Week) (Episodes, error) {
	weeks, err := e.parse()
	if err != nil {
		return Episodes{}, err
	}
	weeks = slices.DeleteFunc(weeks, func(w Week) bool { return w.Before(cutoff) })
	return episodesOf(weeks), nil
}

func (e Episodes) parse() ([]Week, error) {
	weeks := make([]Week, 0, len(e.Weeks)+1)
	for i, s := range e.Weeks {
		w, err := ParseWeek("weeks", s)
		if err != nil {
			// Not the caller's input: a stored value that does not parse.
			return nil, fmt.Errorf("%w: episodes week %d", ErrStored, i)
		}
		weeks = append(weeks, w)
	}
	return weeks, nil
}

func episodesOf(weeks []Week) Episodes {
	out := Episodes{Weeks: make([]string, len(weeks))}
	for i, w := range weeks {
		out.Weeks[i] = w.String()
	}
	return out
}
