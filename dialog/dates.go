package dialog

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/policy"
)

// Date-parsing errors; each gets its own friendly re-ask.
var (
	ErrNoDate         = errors.New("no date found")
	ErrFutureDate     = errors.New("date is in the future")
	ErrImpossibleDate = errors.New("no such date")
	ErrAncientDate    = errors.New("date is implausibly long ago")
)

// oldestYear bounds plausible receipt dates; older ones are typos ("1026").
const oldestYear = 2000

var (
	isoRe     = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	numericRe = regexp.MustCompile(`\b(\d{1,2})([./-])(\d{1,2})(?:[./-](\d{2,4}))?\b`)
)

// ReceiptAnswer is a parsed answer to "when did you receive the goods?".
type ReceiptAnswer struct {
	// NotReceived is set when the customer has not accepted the goods yet (at pickup).
	NotReceived bool
	// Date is the calendar day of receipt, at midnight in the policy's location.
	Date time.Time
}

// ParseReceipt reads a receipt date as ParseReceiptIn does, trying English first.
func ParseReceipt(text string, now time.Time, loc *time.Location) (ReceiptAnswer, error) {
	return ParseReceiptIn("", text, now, loc)
}

// ParseReceiptIn reads a receipt date the way customers write it: 2026-11-12, 12.11.2026,
// 12/11/2026 (day first unless that is impossible), "Nov 15", "15 November", and, in the
// words of each language's catalog (package i18n, the "date." ids), "today",
// "yesterday", "the day before yesterday", "3 days ago", "last friday", month names, a
// day of the month alone ("the 12th", "le 12", "12-го"), or words saying the goods are
// not received yet. The date may stand inside a sentence ("it
// was the 12th"). The words of lang (a BCP 47 code) are tried first, the other
// languages' only when those find no date. Days are counted in loc; dates after now are
// rejected with ErrFutureDate, impossible ones (31.02) with ErrImpossibleDate, ones
// before 2000 with ErrAncientDate.
func ParseReceiptIn(lang, text string, now time.Time, loc *time.Location) (ReceiptAnswer, error) {
	s := strings.ToLower(strings.Join(strings.Fields(text), " "))
	s = strings.ReplaceAll(s, "’", "'")
	words := dateTokens(s)
	today := policy.Day(now, loc)
	var (
		d   time.Time
		err error
	)
	for _, w := range dateLanguages(lang) {
		if has(words, w.notReceived) {
			return ReceiptAnswer{NotReceived: true}, nil
		}
		if d, err = parseDay(s, words, w, today, loc); !errors.Is(err, ErrNoDate) {
			break
		}
	}
	if err != nil {
		return ReceiptAnswer{}, err
	}
	if d.After(today) {
		return ReceiptAnswer{Date: d}, ErrFutureDate
	}
	if d.Year() < oldestYear {
		return ReceiptAnswer{Date: d}, ErrAncientDate
	}
	return ReceiptAnswer{Date: d}, nil
}

// parseDay reads a day from s (lower-cased) and its words, with one language's words.
func parseDay(s string, words []string, w *dateWords, today time.Time, loc *time.Location) (time.Time, error) {
	switch {
	case has(words, w.dayBefore):
		return today.AddDate(0, 0, -2), nil
	case has(words, w.yesterday):
		return today.AddDate(0, 0, -1), nil
	case has(words, w.today):
		return today, nil
	case has(words, w.tomorrow):
		return today.AddDate(0, 0, 1), nil
	}
	if m := isoRe.FindStringSubmatch(s); m != nil {
		return mkdate(atoi(m[1]), atoi(m[2]), atoi(m[3]), loc)
	}
	if m := numericRe.FindStringSubmatch(s); m != nil {
		a, b := atoi(m[1]), atoi(m[3])
		year, explicitYear := today.Year(), m[4] != ""
		if explicitYear {
			year = atoi(m[4])
			if len(m[4]) == 2 {
				year += 2000
			} else if len(m[4]) == 3 {
				return time.Time{}, ErrImpossibleDate
			}
		}
		// Day first, as the shop's customers write; month first only when day first cannot be.
		day, month := a, b
		if month > 12 && day <= 12 {
			day, month = b, a
		}
		if explicitYear {
			return mkdate(year, month, day, loc)
		}
		return lastOccurrence(month, day, today, loc)
	}
	if month, day, year, ok := w.monthDate(words); ok {
		if year != "" {
			return mkdate(atoi(year), month, day, loc)
		}
		return lastOccurrence(month, day, today, loc)
	}
	if n, unit, ok := w.agoIn(words); ok {
		if n > 100*366 {
			return time.Time{}, ErrAncientDate
		}
		switch unit {
		case "day":
			return today.AddDate(0, 0, -n), nil
		case "week":
			return today.AddDate(0, 0, -7*n), nil
		case "month":
			return today.AddDate(0, -n, 0), nil
		default:
			return today.AddDate(-n, 0, 0), nil
		}
	}
	// "the 12th", "le 12", "12-го": of the latest month that has had that day.
	if n, ok := w.dayOfMonthIn(words); ok {
		return lastDayOfMonth(n, today, loc)
	}
	if wd, last, ok := w.weekday(words); ok {
		back := (int(today.Weekday()) - int(wd) + 7) % 7
		if back == 0 && last {
			back = 7
		}
		return today.AddDate(0, 0, -back), nil
	}
	return time.Time{}, ErrNoDate
}

// lastDayOfMonth returns the latest date with this day of the month that is not after
// today: "the 30th" said on 5 March means 30 January.
func lastDayOfMonth(dayOfMonth int, today time.Time, loc *time.Location) (time.Time, error) {
	if dayOfMonth < 1 || dayOfMonth > 31 {
		return time.Time{}, ErrImpossibleDate
	}
	y, m := today.Year(), today.Month()
	for range 3 {
		if d, err := mkdate(y, int(m), dayOfMonth, loc); err == nil && !d.After(today) {
			return d, nil
		}
		if m--; m == 0 {
			y, m = y-1, 12
		}
	}
	return time.Time{}, ErrImpossibleDate
}

// lastOccurrence returns the latest date with this month and day that is not after today:
// "Dec 3" said in November means last December.
func lastOccurrence(month, dayOfMonth int, today time.Time, loc *time.Location) (time.Time, error) {
	d, err := mkdate(today.Year(), month, dayOfMonth, loc)
	if errors.Is(err, ErrImpossibleDate) && month == 2 && dayOfMonth == 29 {
		// 29 February of a recent leap year.
		for y := today.Year() - 1; y > today.Year()-4; y-- {
			if d, err := mkdate(y, 2, 29, loc); err == nil {
				return d, nil
			}
		}
	}
	if err != nil {
		return d, err
	}
	if d.After(today) {
		d = d.AddDate(-1, 0, 0)
	}
	return d, nil
}

// mkdate builds a calendar date, refusing the ones time.Date would normalise (31 February).
func mkdate(year, month, dayOfMonth int, loc *time.Location) (time.Time, error) {
	if month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > 31 {
		return time.Time{}, ErrImpossibleDate
	}
	d := time.Date(year, time.Month(month), dayOfMonth, 0, 0, 0, 0, loc)
	if d.Day() != dayOfMonth || int(d.Month()) != month {
		return time.Time{}, fmt.Errorf("%d %s %d: %w", dayOfMonth, time.Month(month), year, ErrImpossibleDate)
	}
	return d, nil
}

// atoi reads the digits the patterns matched; a number too big for int reads as
// math.MaxInt32, which every caller rejects as out of range.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n > math.MaxInt32 {
		return math.MaxInt32
	}
	return n
}
