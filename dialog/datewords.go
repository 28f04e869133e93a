package dialog

import (
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/returnsbot/returnsbot/i18n"
)

// dateWords are the words one language writes receipt dates with, read from its catalog
// (the "date." ids of package i18n) and prepared for the parser: phrases as lists of
// normalised words.
type dateWords struct {
	lang                                  string
	today, yesterday, dayBefore, tomorrow [][]string
	notReceived                           [][]string
	ago                                   [][]string // with the words "{n}" and "{unit}"
	dayOfMonth                            [][]string // with the word "{n}"
	units                                 map[string]string
	singleUnits                           map[string]bool
	numbers                               []numberWord
	last                                  map[string]bool
	weekdays                              []weekdayWord
	months                                map[string]int
}

type numberWord struct {
	words []string
	n     int
}

type weekdayWord struct {
	words []string
	day   time.Weekday
}

var weekdayIDs = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// dateTables caches the prepared words of a set of catalogs, by language.
type dateTables struct {
	cat   *i18n.Catalog
	langs []*dateWords
}

var (
	dateMu    sync.Mutex
	dateCache *dateTables
)

// dateLanguages returns the prepared date words of every language, the one of code first.
func dateLanguages(code string) []*dateWords {
	cat := i18n.Current()
	dateMu.Lock()
	t := dateCache
	if t == nil || t.cat != cat {
		t = &dateTables{cat: cat}
		for _, l := range cat.Languages() {
			t.langs = append(t.langs, loadDateWords(cat, l))
		}
		dateCache = t
	}
	dateMu.Unlock()
	first := cat.Match(code)
	if code == "" {
		first = "en"
	}
	out := make([]*dateWords, 0, len(t.langs))
	for _, w := range t.langs {
		if w.lang == first {
			out = append(out, w)
		}
	}
	for _, w := range t.langs {
		if w.lang != first {
			out = append(out, w)
		}
	}
	return out
}

func loadDateWords(cat *i18n.Catalog, lang string) *dateWords {
	phrases := func(id string) [][]string {
		var out [][]string
		for _, p := range cat.List(lang, id) {
			if ws := dateTokens(p); len(ws) > 0 {
				out = append(out, ws)
			}
		}
		return out
	}
	w := &dateWords{
		lang: lang, today: phrases("date.today"), yesterday: phrases("date.yesterday"),
		dayBefore: phrases("date.day_before_yesterday"), tomorrow: phrases("date.tomorrow"),
		notReceived: phrases("date.not_received"), units: map[string]string{}, singleUnits: map[string]bool{},
		last: map[string]bool{}, months: map[string]int{},
	}
	for _, p := range cat.List(lang, "date.ago") {
		w.ago = append(w.ago, strings.Fields(strings.ToLower(p)))
	}
	for _, p := range cat.List(lang, "date.day_of_month") {
		w.dayOfMonth = append(w.dayOfMonth, patternTokens(p))
	}
	for _, unit := range []string{"day", "week", "month", "year"} {
		for _, p := range phrases("date.unit." + unit) {
			w.units[p[0]] = unit
		}
	}
	for _, p := range phrases("date.unit_alone") {
		w.singleUnits[p[0]] = true
	}
	for _, p := range cat.List(lang, "date.numbers") {
		word, num, ok := strings.Cut(p, "=")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if ws := dateTokens(word); ok && err == nil && len(ws) > 0 {
			w.numbers = append(w.numbers, numberWord{ws, n})
		}
	}
	for _, p := range phrases("date.last") {
		w.last[strings.Join(p, " ")] = true
	}
	for d, id := range weekdayIDs {
		for _, p := range phrases("date.weekday." + id) {
			w.weekdays = append(w.weekdays, weekdayWord{p, time.Weekday(d)})
		}
	}
	for m := 1; m <= 12; m++ {
		for _, p := range phrases("date.month." + strconv.Itoa(m)) {
			w.months[strings.Join(p, " ")] = m
		}
	}
	return w
}

// dateTokens splits text into normalised words: lower case, accents dropped ("días" is
// "dias", "März" "marz"), apostrophes joining ("didn't" is "didnt", "п'ятниця" "пятниця")
// except before a digit ("l'11" is "l" "11"),
// and a number's ordinal ending split off as a word of its own ("15th" is "15" "th",
// "12-го" and "12го" are "12" "го"), so a day of the month reads as its digits.
func dateTokens(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = appendOrdinal(out, b.String())
			b.Reset()
		}
	}
	apostrophe := false
	for _, r := range norm.NFD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '\'' || r == '’' || r == '‘' || r == 'ʼ' || r == '`' || r == '´':
			apostrophe = true
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if apostrophe && unicode.IsDigit(r) {
				flush() // "l'11", "dell'8": the article and the day are two words
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
		apostrophe = false
	}
	flush()
	return out
}

// patternTokens splits a pattern of the catalog ("the {n}", "{n} числа") as dateTokens
// splits text, keeping its "{n}".
func patternTokens(p string) []string {
	var out []string
	for _, f := range strings.Fields(p) {
		if f == "{n}" {
			out = append(out, f)
			continue
		}
		out = append(out, dateTokens(f)...)
	}
	return out
}

// ordinalEndings are the endings a day of the month takes when written as an ordinal
// ("15th", "1er", "12го", "1º").
var ordinalEndings = map[string]bool{
	"st": true, "nd": true, "rd": true, "th": true, "er": true, "re": true, "e": true, "o": true, "a": true,
	"go": true, "ego": true, "º": true, "ª": true, "ого": true, "го": true, "е": true, "ое": true, "ий": true, "й": true,
}

// appendOrdinal appends w to words, split into its digits and ordinal ending when it is
// a number with one ("15th" is "15" "th").
func appendOrdinal(words []string, w string) []string {
	i := 0
	for i < len(w) && '0' <= w[i] && w[i] <= '9' {
		i++
	}
	if i > 0 && i < len(w) && ordinalEndings[w[i:]] {
		return append(words, w[:i], w[i:])
	}
	return append(words, w)
}

// has reports whether one of the phrases stands in words.
func has(words []string, phrases [][]string) bool {
	for _, p := range phrases {
		if indexPhrase(words, p, 0) >= 0 {
			return true
		}
	}
	return false
}

// indexPhrase returns where phrase first stands in words from position from, or -1.
func indexPhrase(words, phrase []string, from int) int {
	for i := from; i+len(phrase) <= len(words); i++ {
		if matchAt(words, phrase, i) {
			return i
		}
	}
	return -1
}

func matchAt(words, phrase []string, i int) bool {
	if i+len(phrase) > len(words) {
		return false
	}
	for j, w := range phrase {
		if words[i+j] != w {
			return false
		}
	}
	return true
}

// number reads a count at words[i]: digits or a number word ("three", "drei", "trois");
// it returns the count and how many words it took.
func (w *dateWords) number(words []string, i int) (int, int) {
	if i >= len(words) {
		return 0, 0
	}
	if isDigits(words[i]) {
		return atoi(words[i]), 1
	}
	best, n := 0, 0
	for _, nw := range w.numbers {
		if len(nw.words) > best && matchAt(words, nw.words, i) {
			best, n = len(nw.words), nw.n
		}
	}
	return n, best
}

// ago reads "3 days ago", "vor 3 Tagen", "il y a 3 jours", "3 дня назад": a count and a
// unit in one of the language's patterns; a unit that means one on its own ("неделю
// назад") needs no count.
func (w *dateWords) agoIn(words []string) (n int, unit string, ok bool) {
	for _, pat := range w.ago {
		for i := range words {
			if n, unit, ok := w.agoAt(words, pat, i); ok {
				return n, unit, true
			}
		}
	}
	return 0, "", false
}

func (w *dateWords) agoAt(words, pat []string, i int) (int, string, bool) {
	n, unit, counted := 1, "", false
	for _, p := range pat {
		switch p {
		case "{n}":
			if c, took := w.number(words, i); took > 0 {
				n, counted, i = c, true, i+took
			}
		case "{unit}":
			if i >= len(words) {
				return 0, "", false
			}
			u, ok := w.units[words[i]]
			if !ok || !counted && !w.singleUnits[words[i]] {
				return 0, "", false
			}
			unit, i = u, i+1
		default:
			if i >= len(words) || words[i] != p {
				return 0, "", false
			}
			i++
		}
	}
	return n, unit, unit != ""
}

// dayOfMonthIn reads a day of the month said alone ("the 12th", "am 12.", "le 12",
// "el día 12", "12-го", "12 числа") by one of the language's patterns: one or two digits
// in the place of "{n}", not followed by a unit ("the 3 days").
func (w *dateWords) dayOfMonthIn(words []string) (int, bool) {
	for _, pat := range w.dayOfMonth {
		for i := range words {
			if n, ok := w.dayOfMonthAt(words, pat, i); ok {
				return n, true
			}
		}
	}
	return 0, false
}

func (w *dateWords) dayOfMonthAt(words, pat []string, i int) (int, bool) {
	n := -1
	for _, p := range pat {
		if i >= len(words) {
			return 0, false
		}
		switch {
		case p == "{n}":
			if !isDigits(words[i]) || len(words[i]) > 2 {
				return 0, false
			}
			n = atoi(words[i])
		case words[i] != p:
			return 0, false
		}
		i++
	}
	if n < 0 || i < len(words) && w.units[words[i]] != "" {
		return 0, false
	}
	return n, true
}

// weekday finds a named day ("friday", "vendredi dernier", "в прошлую пятницу") and
// whether a word saying "last" stands next to it.
func (w *dateWords) weekday(words []string) (time.Weekday, bool, bool) {
	for i := range words {
		best := 0
		var day time.Weekday
		for _, wd := range w.weekdays {
			if len(wd.words) > best && matchAt(words, wd.words, i) {
				best, day = len(wd.words), wd.day
			}
		}
		if best == 0 {
			continue
		}
		last := i > 0 && w.last[words[i-1]] || i+best < len(words) && w.last[words[i+best]]
		return day, last, true
	}
	return 0, false, false
}

// monthDate finds a month name with a day of the month before it ("15 novembre", "15 de
// noviembre de 2026", "the 15th of November") or after it ("Nov 15, 2025") and an
// optional year after both.
func (w *dateWords) monthDate(words []string) (month, day int, year string, ok bool) {
	for i, word := range words {
		m, isMonth := w.months[word]
		if !isMonth {
			continue
		}
		// The day before the month, perhaps with a short word between ("of", "de").
		for _, back := range []int{1, 2} {
			j := i - back
			if j < 0 || !isDigits(words[j]) || len(words[j]) > 2 || back == 2 && len([]rune(words[i-1])) > 3 {
				continue
			}
			return m, atoi(words[j]), yearAfter(words, i+1), true
		}
		if i+1 < len(words) && isDigits(words[i+1]) && len(words[i+1]) <= 2 {
			return m, atoi(words[i+1]), yearAfter(words, i+2), true
		}
	}
	return 0, 0, "", false
}

// yearAfter returns a four-digit year at words[i], or one short word later ("de 2026").
func yearAfter(words []string, i int) string {
	for _, j := range []int{i, i + 1} {
		if j < len(words) && len(words[j]) == 4 && isDigits(words[j]) && (j == i || len([]rune(words[i])) <= 3) {
			return words[j]
		}
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
