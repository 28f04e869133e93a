// Package funnel tallies, per day, how many times customers were asked each question of
// the dialog and how many times they answered it, so a shop owner sees where customers
// drop out. The bot feeds it from the session's state before and after each step (Steps);
// the dashboard reads it back (Tally.Days). The tally lives in the store (memory or Redis,
// see redisfunnel) so it survives restarts and is shared by every instance.
package funnel

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// Kind is what happened to a question in one step.
type Kind string

// The kinds of a funnel event.
const (
	// Reached: the bot asked the question (the session entered its state).
	Reached Kind = "reached"
	// Answered: the customer's answer moved the dialog on to another question or a
	// decision.
	Answered Kind = "answered"
	// Escalated: the dialog went to staff from the question (the customer asked for a
	// person, or the bot could not read the answers).
	Escalated Kind = "escalated"
)

// Kinds are the kinds in the order the dashboard shows them.
var Kinds = []Kind{Reached, Answered, Escalated}

// Event is one question reached, answered or left for staff.
type Event struct {
	Question string
	Kind     Kind
}

// Dialog states that are not questions (the dialog package's StateNew, StateDecided and
// StateEscalated; "" is a session not yet started). Named here so the funnel needs no
// import of the dialog.
const (
	stateNew       = "new"
	stateDecided   = "decided"
	stateEscalated = "escalated"
)

func isQuestion(state string) bool {
	switch state {
	case "", stateNew, stateDecided, stateEscalated:
		return false
	}
	return true
}

// Steps returns the events of a step that moved a session from the dialog state from to
// the state to: leaving a question answers it (or escalates from it), entering one
// reaches it. A step that stays on the same question (an answer the bot could not read,
// a photo) makes none.
func Steps(from, to string) []Event {
	if from == to {
		return nil
	}
	var es []Event
	if isQuestion(from) {
		kind := Answered
		if to == stateEscalated {
			kind = Escalated
		}
		es = append(es, Event{Question: from, Kind: kind})
	}
	if isQuestion(to) {
		es = append(es, Event{Question: to, Kind: Reached})
	}
	return es
}

// Day is one day's tally: for each kind, the count per question id.
type Day struct {
	// Date is the day in UTC.
	Date   time.Time
	Counts map[Kind]map[string]int64
}

// Tally keeps the per-day counts. Implementations are safe for concurrent use and keep a
// day for their retention, then drop it.
type Tally interface {
	// Add counts the events on the UTC day of at.
	Add(ctx context.Context, at time.Time, es []Event) error
	// Days returns the days from since to until (UTC days, both inclusive) that have
	// counts, oldest first; at most MaxDays of them.
	Days(ctx context.Context, since, until time.Time) ([]Day, error)
}

// MaxDays bounds one Days read.
const MaxDays = 400

// DefaultRetention is how long a day's tally is kept when the store is given none.
const DefaultRetention = 400 * 24 * time.Hour

// DayOf is the UTC midnight of t's day.
func DayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Range returns the UTC days from since to until, both inclusive, at most MaxDays (the
// latest ones).
func Range(since, until time.Time) []time.Time {
	first, last := DayOf(since), DayOf(until)
	if last.Before(first) {
		return nil
	}
	if n := int(last.Sub(first).Hours()/24) + 1; n > MaxDays {
		first = last.AddDate(0, 0, -(MaxDays - 1))
	}
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}

// Row is one question's totals over some days.
type Row struct {
	Question                     string
	Reached, Answered, Escalated int64
}

// Dropped is how many times customers were asked the question and neither answered nor
// went to staff: they left, or have not answered yet.
func (r Row) Dropped() int64 {
	if d := r.Reached - r.Answered - r.Escalated; d > 0 {
		return d
	}
	return 0
}

// Totals sums the days per question, the most reached question first (the dialog's order,
// as fewer customers reach each later question), ties in the order the bot asks.
func Totals(days []Day) []Row {
	by := map[string]*Row{}
	for _, d := range days {
		for kind, qs := range d.Counts {
			for q, n := range qs {
				r := by[q]
				if r == nil {
					r = &Row{Question: q}
					by[q] = r
				}
				switch kind {
				case Reached:
					r.Reached += n
				case Answered:
					r.Answered += n
				case Escalated:
					r.Escalated += n
				}
			}
		}
	}
	rows := make([]Row, 0, len(by))
	for _, q := range slices.Sorted(maps.Keys(by)) {
		rows = append(rows, *by[q])
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if a.Reached != b.Reached {
			return cmp.Compare(b.Reached, a.Reached)
		}
		return cmp.Compare(rank(a.Question), rank(b.Question))
	})
	return rows
}

// askOrder is the order the bot asks the policy's facts in, then the read-back: ties in
// Totals go by it, the shop's own questions before the read-back.
var askOrder = []string{"language", "receipt_date", "packaging", "carrier_check", "defect", "defect_details"}

func rank(q string) int {
	if i := slices.Index(askOrder, q); i >= 0 {
		return i
	}
	if q == "confirm_summary" {
		return len(askOrder) + 1
	}
	return len(askOrder)
}

// Memory is a Tally in memory, for a bot without Redis and for tests. The zero value is
// ready to use; days older than Retention (DefaultRetention if zero) before the newest
// added are dropped.
type Memory struct {
	Retention time.Duration

	mu   sync.Mutex
	days map[time.Time]map[Kind]map[string]int64
}

// Add implements Tally.
func (m *Memory) Add(ctx context.Context, at time.Time, es []Event) error {
	if len(es) == 0 {
		return nil
	}
	day := DayOf(at)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.days == nil {
		m.days = map[time.Time]map[Kind]map[string]int64{}
	}
	counts := m.days[day]
	if counts == nil {
		counts = map[Kind]map[string]int64{}
		m.days[day] = counts
	}
	for _, e := range es {
		if counts[e.Kind] == nil {
			counts[e.Kind] = map[string]int64{}
		}
		counts[e.Kind][e.Question]++
	}
	keep := m.Retention
	if keep <= 0 {
		keep = DefaultRetention
	}
	for d := range m.days {
		if day.Sub(d) > keep {
			delete(m.days, d)
		}
	}
	return nil
}

// Days implements Tally.
func (m *Memory) Days(ctx context.Context, since, until time.Time) ([]Day, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Day
	for _, d := range Range(since, until) {
		counts, ok := m.days[d]
		if !ok {
			continue
		}
		c := make(map[Kind]map[string]int64, len(counts))
		for k, qs := range counts {
			c[k] = maps.Clone(qs)
		}
		out = append(out, Day{Date: d, Counts: c})
	}
	return out, nil
}
