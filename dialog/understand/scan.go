package understand

import "iter"

// hit is a phrase of a value section found in a clause, with what negation did to it.
type hit struct {
	sec        section
	start, end int
	weak       bool // the phrase only counts when asked (Read), not out of turn (Find)
	negated    bool // a negator before it ("not damaged") or after it ("funktioniert nicht")
	conflict   bool // negated twice, or a negation with no opposite ("not no"): unreadable
}

// maxGap is how many words may stand between a negator and the phrase it negates:
// "not damaged", "wasn't really damaged", "was not at all damaged".
const maxGap = 2

// clause returns the clause that starts at or after word i: the words up to the next
// punctuation or split word ("and", "but", "und", "aber"), which belongs to neither.
func (l *lang) clause(t *tokens, i int) (a, b int) {
	n := len(t.toks)
	for i < n && l.is(t, i, secSplit) {
		i++
	}
	if i >= n {
		return n, n
	}
	b = i + 1
	for b < n && !t.toks[b].brk && !l.is(t, b, secSplit) {
		b++
	}
	return i, b
}

// clauses yields the clauses of t in order, as clause finds them.
func (l *lang) clauses(t *tokens) iter.Seq2[int, int] {
	return func(yield func(a, b int) bool) {
		for i := 0; i < len(t.toks); {
			a, b := l.clause(t, i)
			if a == b || !yield(a, b) {
				return
			}
			i = b
		}
	}
}

// scan finds the phrases of the sections in active in the clause a..b, leftmost-longest
// (so "nothing was missing" wins over "missing"), and applies negation, appending to
// t.hits; phrases of shadow are found only to be read past. A negator word negates the
// next phrase within maxGap words; a word of [negators_after] right after a phrase, or
// one word after, negates it when no phrase follows ("es fehlt nichts", "funktioniert
// es nicht", "I did not"). A one-word phrase that is also a negator ("never") inside a
// clause and before another phrase negates it instead of standing alone ("it never
// turned on"), unless that phrase is itself negative.
func (l *lang) scan(t *tokens, a, b int, active, shadow uint64) {
	first := len(t.hits)
	negAt := -1 // the last negator word not yet bound
	post := -1  // the hit a negator right after it may negate
	for i := a; i < b; {
		m := l.longest(t, i, b, active|shadow|bit(secIgnore))
		if m.n == 0 {
			if l.is(t, i, secNegator) || l.is(t, i, secNegatorAfter) {
				if last := len(t.hits) - 1; last >= first && i-t.hits[last].end <= 1 && l.is(t, i, secNegatorAfter) {
					post = last
				}
				if l.is(t, i, secNegator) {
					negAt = i
				}
			}
			i++
			continue
		}
		h := hit{sec: m.sec, start: i, end: i + m.n, weak: m.weak}
		if shadow&bit(h.sec) != 0 {
			h.sec = secIgnore // a phrase of another question ("works fine" at the parcel's)
		}
		switch {
		case negAt >= 0 && i-negAt-1 <= maxGap:
			h.negate()
		case post >= 0:
			t.hits[post].negate()
		default:
			if last := len(t.hits) - 1; last >= first && l.negatesNext(t, &t.hits[last], &h, a) {
				t.hits = t.hits[:last]
				h.negate()
			}
		}
		negAt, post = -1, -1
		t.hits = append(t.hits, h)
		i = h.end
	}
	if post >= 0 {
		t.hits[post].negate()
	}
}

// negatesNext reports whether prev, a one-word phrase that is also a negator, is meant to
// negate h rather than stand alone.
func (l *lang) negatesNext(t *tokens, prev, h *hit, clauseStart int) bool {
	if prev.end-prev.start != 1 || prev.negated || prev.sec == secIgnore || h.sec == secIgnore ||
		!l.is(t, prev.start, secNegator) || l.is(t, h.start, secNegator) || l.is(t, h.start, secNegatorAfter) {
		return false
	}
	// A clause's first word is an answer ("no it works", "no damage" at the defect
	// question, which the word files list whole); a "never" inside a clause is not
	// ("it never turned on").
	return prev.start > clauseStart && h.start-prev.end <= maxGap
}

func (h *hit) negate() {
	if h.negated || opposite[h.sec] == secNone {
		h.conflict = true
	}
	h.negated = true
}

// opposite is what a negated phrase of a section means ("not damaged" is intact); a
// section missing here cannot be negated ("not no" is read as nothing).
var opposite = [numSections]section{
	secYes:        secNo,
	secIntact:     secDamaged,
	secDamaged:    secIntact,
	secComplete:   secIncomplete,
	secIncomplete: secComplete,
	secFaulty:     secWorks,
	secWorks:      secFaulty,
}

// meaning is the section a hit stands for after negation.
func (h *hit) meaning() section {
	if h.negated {
		return opposite[h.sec]
	}
	return h.sec
}

// names reports whether the clause a..b holds a phrase of section s: the parcel ("box",
// "Karton") or the product ("device", "Gerät").
func (l *lang) names(t *tokens, a, b int, s section) bool {
	for i := a; i < b; i++ {
		if l.longest(t, i, b, bit(s)).n > 0 {
			return true
		}
	}
	return false
}
