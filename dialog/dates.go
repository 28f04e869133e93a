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
	notReceivedRe = regexp.MustCompile(`\b(noch nicht|nicht erhalten|nicht abgeholt|not (yet )?(received|picked|collected|delivered|arrived)|not yet|(haven'?t|have not|didn'?t|did not|hasn'?t|has not) (yet )?(received|receive|picked|pick|collected|collect|got|get|gotten|arrived|come)|at (the )?pick ?up|pick ?up point|still at|at the (post|carrier|office|depot|courier))`)
	isoRe         = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	numericRe     = regexp.MustCompile(`\b(\d{1,2})([./-])(\d{1,2})(?:[./-](\d{2,4}))?\b`)
	agoRe         = regexp.MustCompile(`\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple of|few)\s+(day|week|month|year)s?\s+ago\b`)
	// German: "vor 3 Tagen", "vor einer Woche".
	agoDeRe    = regexp.MustCompile(`\bvor\s+(\d+|einem|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn)\s+(tag|woche|monat|jahr)(e|en|n)?\b`)
	weekdayRe  = regexp.MustCompile(`\b(last|this|on|past)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b`)
	monthDayRe = regexp.MustCompile(`\b(` + monthPattern + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b`)
	// "the 12th", "on the 3rd", "am 12." of the latest month that has had that day.
	ordinalRe  = regexp.MustCompile(`\b(?:the|am|den)\s+(\d{1,2})(?:st|nd|rd|th|\.)(?:\s|$|[,!?])`)
	dayMonthRe = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:of\s+)?(` + monthPattern + `)\.?(?:,?\s+(\d{4}))?\b`)
)

const monthPattern = `jan|january|januar|feb|february|februar|mar|march|märz|apr|april|may|mai|jun|june|juni|jul|july|juli|aug|august|sep|sept|september|oct|october|okt|oktober|nov|november|dec|december|dez|dezember`

var numberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple of": 2, "few": 3,
	"einem": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
	"acht": 8, "neun": 9, "zehn": 10,
}

// agoUnits maps the units of "N units ago" in English and German to English.
var agoUnits = map[string]string{"tag": "day", "woche": "week", "monat": "month", "jahr": "year"}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday, "monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "thursday": time.Thursday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday, "saturday": time.Saturday, "sat": time.Saturday,
}

// ReceiptAnswer is a parsed answer to "when did you receive the goods?".
type ReceiptAnswer struct {
	// NotReceived is set when the customer has not accepted the goods yet (at pickup).
	NotReceived bool
	// Date is the calendar day of receipt, at midnight in the policy's location.
	Date time.Time
}

// ParseReceipt reads a receipt date the way customers write it: 2026-11-12, 12.11.2026,
// 12/11/2026 (day first unless that is impossible), "Nov 15", "15 November", "the 12th",
// "today", "yesterday", "3 days ago", "last friday", or words saying the goods are not
// received yet. The date may stand inside a sentence ("it was the 12th").
// Days are counted in loc; dates after now are rejected with ErrFutureDate.
func ParseReceipt(text string, now time.Time, loc *time.Location) (ReceiptAnswer, error) {
	s := strings.ToLower(strings.Join(strings.Fields(text), " "))
	s = strings.ReplaceAll(s, "’", "'")
	today := policy.Day(now, loc)
	if notReceivedRe.MatchString(s) {
		return ReceiptAnswer{NotReceived: true}, nil
	}
	d, err := parseDay(s, today, loc)
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

func parseDay(s string, today time.Time, loc *time.Location) (time.Time, error) {
	switch {
	case strings.Contains(s, "day before yesterday"), strings.Contains(s, "vorgestern"):
		return today.AddDate(0, 0, -2), nil
	case strings.Contains(s, "yesterday"), strings.Contains(s, "gestern"):
		return today.AddDate(0, 0, -1), nil
	case strings.Contains(s, "today"), strings.Contains(s, "this morning"), strings.Contains(s, "just now"),
		strings.Contains(s, "heute"):
		return today, nil
	case strings.Contains(s, "tomorrow"):
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
	if m := monthDayRe.FindStringSubmatch(s); m != nil {
		return textual(m[1], m[2], m[3], today, loc)
	}
	if m := dayMonthRe.FindStringSubmatch(s); m != nil {
		return textual(m[2], m[1], m[3], today, loc)
	}
	m := agoRe.FindStringSubmatch(s)
	if m == nil {
		if de := agoDeRe.FindStringSubmatch(s); de != nil {
			m = []string{de[0], de[1], agoUnits[de[2]]}
		}
	}
	if m != nil {
		n, ok := numberWords[m[1]]
		if !ok {
			n = atoi(m[1])
		}
		if n > 100*366 {
			return time.Time{}, ErrAncientDate
		}
		switch m[2] {
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
	if m := ordinalRe.FindStringSubmatch(s + " "); m != nil {
		return lastDayOfMonth(atoi(m[1]), today, loc)
	}
	if m := weekdayRe.FindStringSubmatch(s); m != nil {
		wd := weekdays[m[2]]
		back := (int(today.Weekday()) - int(wd) + 7) % 7
		if back == 0 && m[1] == "last" {
			back = 7
		}
		return today.AddDate(0, 0, -back), nil
	}
	return time.Time{}, ErrNoDate
}

// textual builds a date from a month name, a day and an optional year.
func textual(month, dayOfMonth, year string, today time.Time, loc *time.Location) (time.Time, error) {
	mon := monthNumber(month)
	if year != "" {
		return mkdate(atoi(year), mon, atoi(dayOfMonth), loc)
	}
	return lastOccurrence(mon, atoi(dayOfMonth), today, loc)
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

func monthNumber(name string) int {
	switch name {
	case "märz":
		return 3
	case "mai":
		return 5
	case "okt", "oktober":
		return 10
	case "dez", "dezember":
		return 12
	}
	for i, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.HasPrefix(name, m) {
			return i + 1
		}
	}
	return 0
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
