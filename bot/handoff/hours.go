package handoff

import (
	"fmt"
	"strings"
	"time"
)

// Hours are when the staff desk is staffed: opening times per weekday in a time zone,
// less holidays. A nil *Hours is always open.
type Hours struct {
	spec     string
	loc      *time.Location
	days     [7][]span // by time.Weekday
	holidays map[string]bool
}

// span is a stretch of a day, in minutes after midnight: [from, to).
type span struct{ from, to int }

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseHours reads STAFF_HOURS and STAFF_HOLIDAYS. spec is groups separated by ";", each
// days and times: "Mon-Fri 09:00-18:00; Sat 10:00-14:00". Days are Mon Tue Wed Thu Fri Sat
// Sun, a range ("Mon-Fri") or a list ("Mon,Wed,Fri"); times are HH:MM-HH:MM, several
// separated by "," ("09:00-12:00,13:00-17:00"), and 24:00 ends a day. holidays are dates
// (2026-12-24) separated by "," or spaces, on which the desk is closed all day. Times are
// in loc, the policy's time zone. An empty spec returns nil: always open, and holidays are
// refused without hours.
func ParseHours(spec, holidays string, loc *time.Location) (*Hours, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		if strings.TrimSpace(holidays) != "" {
			return nil, fmt.Errorf("holidays need opening hours: set STAFF_HOURS too")
		}
		return nil, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	h := &Hours{spec: spec, loc: loc, holidays: map[string]bool{}}
	for _, group := range strings.Split(spec, ";") {
		group = strings.TrimSpace(group)
		if group == "" {
			continue
		}
		dayPart, timePart, ok := strings.Cut(group, " ")
		if !ok {
			return nil, fmt.Errorf("%q: want days and times such as \"Mon-Fri 09:00-18:00\"", group)
		}
		days, err := parseDays(dayPart)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", group, err)
		}
		for _, t := range strings.Split(timePart, ",") {
			sp, err := parseSpan(strings.TrimSpace(t))
			if err != nil {
				return nil, fmt.Errorf("%q: %w", group, err)
			}
			for _, d := range days {
				h.days[d] = append(h.days[d], sp)
			}
		}
	}
	for _, f := range strings.FieldsFunc(holidays, func(r rune) bool { return r == ',' || r == ' ' }) {
		d, err := time.ParseInLocation(time.DateOnly, f, loc)
		if err != nil {
			return nil, fmt.Errorf("holiday %q: want a date such as 2026-12-24", f)
		}
		h.holidays[d.Format(time.DateOnly)] = true
	}
	return h, nil
}

func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(strings.ToLower(strings.TrimSpace(part)), "-")
		a, ok := weekdays[from]
		if !ok {
			return nil, fmt.Errorf("day %q: want Mon, Tue, Wed, Thu, Fri, Sat or Sun", from)
		}
		b := a
		if isRange {
			if b, ok = weekdays[to]; !ok {
				return nil, fmt.Errorf("day %q: want Mon, Tue, Wed, Thu, Fri, Sat or Sun", to)
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func parseSpan(s string) (span, error) {
	from, to, ok := strings.Cut(s, "-")
	a, aerr := parseClock(from)
	b, berr := parseClock(to)
	if !ok || aerr != nil || berr != nil || a >= b {
		return span{}, fmt.Errorf("times %q: want HH:MM-HH:MM, the first earlier, such as 09:00-18:00", s)
	}
	return span{a, b}, nil
}

func parseClock(s string) (int, error) {
	var hh, mm int
	if n, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &hh, &mm); err != nil || n != 2 || len(strings.TrimSpace(s)) != 5 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	if hh < 0 || mm < 0 || mm > 59 || hh > 24 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

// String is the hours as configured, for logs.
func (h *Hours) String() string {
	if h == nil {
		return ""
	}
	return h.spec
}

// englishWeekdays name the days, Sunday first, where a language's names are missing.
var englishWeekdays = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// weekOrder is the week as customers read opening hours: Monday first.
var weekOrder = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// Describe is the hours for a customer, with days named by days (Sunday first, as
// time.Weekday counts; seven names, else English): consecutive days with the same times
// are one range, "Mo–Fr 09:00–18:00; Sa 10:00–14:00".
func (h *Hours) Describe(days []string) string {
	if h == nil {
		return ""
	}
	if len(days) != 7 {
		days = englishWeekdays
	}
	times := func(d time.Weekday) string {
		var parts []string
		for _, sp := range h.days[d] {
			parts = append(parts, clock(sp.from)+"–"+clock(sp.to))
		}
		return strings.Join(parts, ", ")
	}
	var groups []string
	for i := 0; i < len(weekOrder); {
		t := times(weekOrder[i])
		j := i
		for j+1 < len(weekOrder) && times(weekOrder[j+1]) == t {
			j++
		}
		if t != "" {
			name := days[weekOrder[i]]
			if j > i {
				name += "–" + days[weekOrder[j]]
			}
			groups = append(groups, name+" "+t)
		}
		i = j + 1
	}
	return strings.Join(groups, "; ")
}

// clock is minutes after midnight as HH:MM.
func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// OpenAt reports whether the desk is staffed at t.
func (h *Hours) OpenAt(t time.Time) bool {
	if h == nil {
		return true
	}
	t = t.In(h.loc)
	if h.holidays[t.Format(time.DateOnly)] {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	for _, sp := range h.days[t.Weekday()] {
		if m >= sp.from && m < sp.to {
			return true
		}
	}
	return false
}

// NextOpen returns t if the desk is staffed then, else when it opens next, in the hours'
// time zone; ok is false when it never opens in the year ahead (every day a holiday).
func (h *Hours) NextOpen(t time.Time) (time.Time, bool) {
	if h.OpenAt(t) {
		return t, true
	}
	t = t.In(h.loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, h.loc)
	for i := 0; i <= 366; i++ {
		d := day.AddDate(0, 0, i)
		if h.holidays[d.Format(time.DateOnly)] {
			continue
		}
		best := -1
		for _, sp := range h.days[d.Weekday()] {
			at := time.Date(d.Year(), d.Month(), d.Day(), sp.from/60, sp.from%60, 0, 0, h.loc)
			if at.After(t) && (best < 0 || sp.from < best) {
				best = sp.from
			}
		}
		if best >= 0 {
			return time.Date(d.Year(), d.Month(), d.Day(), best/60, best%60, 0, 0, h.loc), true
		}
	}
	return time.Time{}, false
}
