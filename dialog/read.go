package dialog

import (
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

// How answers are read: each question's reader turns text (or a button's value) into
// its answer, or says what it could not tell. Nothing is guessed: an answer the readers
// cannot read with confidence is asked again.

// read reads text as the answer to q. It returns the answer, or a note saying why it
// could not be read.
func (e *Engine) read(q *question, s *Session, text string, now time.Time) (value, problem string) {
	t := e.texts(s)
	text = strings.TrimSpace(text)
	if q.hasChoice(text) && q.reader != readDate {
		return text, "" // a button's value
	}
	switch q.reader {
	case readDate:
		if text == "pickup" {
			text = "not received yet"
		}
		r, err := ParseReceiptIn(s.Lang, text, now, e.policy.Location)
		switch {
		case errors.Is(err, ErrFutureDate):
			return "", t.get(msgFutureDate, t.date(r.Date))
		case errors.Is(err, ErrImpossibleDate):
			return "", t.get(msgImpossibleDate)
		case errors.Is(err, ErrAncientDate):
			return "", t.get(msgAncientDate, t.date(r.Date))
		case err != nil:
			return "", t.get(msgNoDate)
		case r.NotReceived:
			return ReceiptPending, ""
		}
		return r.Date.Format(time.DateOnly), ""
	case readClosed:
		r := understand.Read(q.kind, s.Lang, text)
		switch {
		case r.Unsure:
			return "", t.get(msgUnsure)
		case r.Value != "" && q.hasChoice(r.Value):
			return r.Value, ""
		case len(q.choices) == 2:
			return "", t.get(msgCouldNotTell) + " " + t.get(msgYesNo)
		}
		return "", t.get(msgCouldNotTell) + " " + t.get(msgPickOne)
	case readChoice:
		if v, ok := matchChoice(q, t, text, false); ok {
			return v, ""
		}
		return "", t.get(msgPickOne)
	case readPattern:
		if v, ok := matchPattern(q, text); ok {
			return v, ""
		}
		if q.example != "" {
			return "", t.get(msgNoMatchExample, q.example)
		}
		return "", t.get(msgNoMatch)
	}
	if utf8.RuneCountInString(text) < q.minLen {
		return "", t.get(msgMoreDetail)
	}
	return text, ""
}

// find looks for an answer to q in a message that may answer another question. It is
// stricter than read: only a phrase that clearly carries the answer counts.
func (e *Engine) find(q *question, s *Session, text string, now time.Time) (string, bool) {
	t := e.texts(s)
	switch q.reader {
	case readDate:
		r, err := ParseReceiptIn(s.Lang, text, now, e.policy.Location)
		switch {
		case err != nil:
			return "", false
		case r.NotReceived:
			return ReceiptPending, true
		}
		return r.Date.Format(time.DateOnly), true
	case readClosed:
		r := understand.Find(q.kind, s.Lang, text)
		return r.Value, r.Value != "" && q.hasChoice(r.Value)
	case readChoice:
		return matchChoice(q, t, text, true)
	case readPattern:
		return matchPattern(q, text)
	}
	return "", false
}

// findAll keeps every fact text gives for the questions not answered yet that may be
// answered out of turn, except skip, the question text answers. It returns the
// questions it filled.
func (e *Engine) findAll(s *Session, text string, now time.Time, skip *question) []*question {
	if text == "" || !e.anyOpenOutOfTurn(s, skip) {
		return nil
	}
	var found []*question
	for _, st := range e.plan(make([]step, 0, planCap), &s.Answers) {
		if st.q == skip || st.answered || st.status == skipped || !st.q.outOfTurn {
			continue
		}
		if v, ok := e.find(st.q, s, text, now); ok {
			st.q.set(&s.Answers, v)
			found = append(found, st.q)
		}
	}
	if len(found) > 0 {
		e.prune(&s.Answers)
	}
	return found
}

// matchPattern matches the whole text, or else exactly one of its words, to q's pattern.
func matchPattern(q *question, text string) (string, bool) {
	if q.pattern == nil {
		return "", false
	}
	if q.pattern.MatchString(text) {
		return text, true
	}
	var match string
	for _, w := range strings.Fields(text) {
		w = strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) && r != '-' && r != '/' })
		if w != "" && q.pattern.MatchString(w) {
			if match != "" && match != w {
				return "", false // two candidates: not guessed
			}
			match = w
		}
	}
	return match, match != ""
}

// matchChoice reads one of q's choices: the text is its value or label, or it names
// exactly one choice's value or label among its words. Out of turn (labelsOnly) only the
// labels count: a value is the shop's id ("other"), not the customer's word.
func matchChoice(q *question, t texts, text string, labelsOnly bool) (string, bool) {
	lower := strings.ToLower(strings.Trim(text, " .!?"))
	for _, c := range q.choices {
		if lower == c.value || lower == strings.ToLower(c.label.in(t)) {
			return c.value, true
		}
	}
	words := " " + strings.Join(strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ") + " "
	var match string
	for _, c := range q.choices {
		names := []string{c.value, strings.ToLower(c.label.in(t))}
		if labelsOnly {
			names = names[1:]
		}
		for _, name := range names {
			if utf8.RuneCountInString(name) < 3 || !strings.Contains(words, " "+name+" ") {
				continue
			}
			if match != "" && match != c.value {
				return "", false // two choices named: not guessed
			}
			match = c.value
		}
	}
	return match, match != ""
}

// anyOpenOutOfTurn reports whether a question other than skip that may be answered out of
// turn is still unanswered; most steps of a claim have none left, and need not plan.
func (e *Engine) anyOpenOutOfTurn(s *Session, skip *question) bool {
	for _, q := range e.outOfTurn {
		if _, ok := q.get(&s.Answers); !ok && q != skip {
			return true
		}
	}
	return false
}
