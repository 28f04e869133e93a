package dialog

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/returnsbot/returnsbot/dialog/understand"
	"github.com/returnsbot/returnsbot/policy"
)

// The read-back: before any decision the bot states every fact it understood, and only
// the customer's acceptance decides. Each fact has a button to change it.

// maxChangeButtons bounds the read-back's change buttons: with the accept button and a
// person's, a message keeps within Discord's 25 buttons. Facts past it are changed in words.
const maxChangeButtons = 23

// maxButtonLabel bounds a fact's name on its button (Discord: 80 characters).
const maxButtonLabel = 60

// maxShown bounds a free-text answer quoted in the read-back, which must stay within a
// platform message (Discord: 2000 characters) however long the description was.
const maxShown = 300

// ask renders question q.
func (e *Engine) ask(s *Session, q *question) Reply {
	t := e.texts(s)
	r := Reply{Text: q.prompt.in(t), Awaiting: q.ID}
	for _, c := range q.choices {
		r.Buttons = append(r.Buttons, Button{ID: q.ID + ":" + c.value, Label: c.label.in(t)})
	}
	if q.exclusion != nil {
		if hint := hintWord(s.Answers.Details, q); hint != "" {
			r.Text = t.get(msgHintedBy, hint) + " " + r.Text
		}
	}
	if q.example != "" {
		r.Text += " " + t.get(msgForExample, q.example)
	}
	return r
}

// hintWord returns the word of details that hinted at q's exclusion, for the question to
// quote.
func hintWord(details string, q *question) string {
	if q.exclusion.Always {
		return ""
	}
	for _, w := range strings.Fields(details) {
		clean := strings.Trim(w, ".,;:!?()\"'")
		if q.exclusion.HintedBy(clean) {
			return clean
		}
	}
	return ""
}

// reask asks q again after an answer that could not be read, saying why; after
// maxMisses such answers it offers a person too.
func (e *Engine) reask(s *Session, q *question, problem string) Reply {
	r := e.ask(s, q)
	r.Text = problem + "\n\n" + r.Text
	if s.Misses >= maxMisses {
		r = e.offerPerson(s, r)
	}
	return r
}

// offerPerson adds the offer of a person to r.
func (e *Engine) offerPerson(s *Session, r Reply) Reply {
	t := e.texts(s)
	r.Text += "\n\n" + t.get(msgOfferPerson)
	r.Buttons = append(r.Buttons, Button{ID: "action:staff", Label: t.get(lblStaff)})
	return r
}

// why answers "why do you ask?" for the question being asked.
func (e *Engine) why(s *Session) string {
	t := e.texts(s)
	if s.State == StateSummary {
		return t.get(whySummary)
	}
	q, ok := e.asking(s)
	if !ok {
		return t.get(msgHelp)
	}
	reason := q.reason.in(t)
	if q.exclusion != nil {
		reason += "\n\n“" + e.clausesIn(s, []policy.Clause{q.exclusion.Clause})[0].Text + "”"
	}
	return reason
}

// Fact is one answer as the read-back and the case card show it.
type Fact struct {
	// ID is the question's id.
	ID string
	// Label names the fact ("Received", "Packaging", a shop question's label).
	Label string
	// Value is the answer as stored: a YYYY-MM-DD date or "pending", a choice's value,
	// "yes" or "no", or the text typed.
	Value string
	// Shown is the answer as the customer reads it, in the session's language.
	Shown string
}

// Answered lists the answers of questions the session is asked, in the order they are
// asked, with labels and values in language lang ("" for the session's).
func (e *Engine) Answered(s *Session, lang string) []Fact {
	c := *s
	if lang != "" {
		c.Lang = lang
	}
	t := e.texts(&c)
	var facts []Fact
	for _, st := range e.plan(make([]step, 0, planCap), &s.Answers) {
		if st.status == skipped || !st.answered {
			continue
		}
		facts = append(facts, Fact{ID: st.q.ID, Label: st.q.label.in(t), Value: st.value, Shown: e.shown(t, st.q, st.value)})
	}
	return facts
}

// shown renders an answer for the customer to read back.
func (e *Engine) shown(t texts, q *question, v string) string {
	switch {
	case q.reader == readDate && v == ReceiptPending:
		return t.get(lblNotReceived)
	case q.reader == readDate:
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return t.date(d)
		}
	case len(q.choices) > 0:
		for _, c := range q.choices {
			if c.value == v {
				return c.label.in(t)
			}
		}
	case q.reader == readText:
		return "“" + cut(v, maxShown) + "”"
	}
	return v
}

// factLines lists the answers to qs, one "label: answer" line each.
func (e *Engine) factLines(s *Session, qs []*question) string {
	t := e.texts(s)
	var b strings.Builder
	for _, q := range qs {
		if v, ok := q.get(&s.Answers); ok {
			b.WriteString("• " + q.label.in(t) + ": " + e.shown(t, q, v) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// summary renders the read-back: every fact understood, numbered, with a button to
// accept them and one to change each.
func (e *Engine) summary(s *Session) Reply {
	t := e.texts(s)
	var b strings.Builder
	b.Grow(512)
	b.WriteString(t.get(msgSummaryHead))
	buttons := []Button{{ID: StateSummary + ":yes", Label: t.get(lblConfirm)}}
	for i, f := range e.Answered(s, "") {
		n := strconv.Itoa(i + 1)
		b.WriteString("\n" + n + ". " + f.Label + ": " + f.Shown)
		if i >= maxChangeButtons {
			continue
		}
		label := t.get(lblChangeNumber, n)
		if q := e.byID[f.ID]; q.exclusion == nil {
			label = t.get(lblChangeFact, n, cut(f.Label, maxButtonLabel))
		}
		buttons = append(buttons, Button{ID: "change:" + f.ID, Label: label})
	}
	b.WriteString("\n\n" + t.get(msgSummaryAsk))
	return Reply{Text: b.String(), Buttons: buttons, Awaiting: StateSummary}
}

// whichChange asks which fact to change, with a button for each.
func (e *Engine) whichChange(s *Session, note string) Reply {
	r := e.where(s)
	r.Text = note + "\n\n" + r.Text
	if s.State == StateSummary {
		return r
	}
	t := e.texts(s)
	for i, f := range e.Answered(s, "") {
		if len(r.Buttons) >= maxChangeButtons {
			break
		}
		r.Buttons = append(r.Buttons, Button{ID: "change:" + f.ID, Label: t.get(lblChangeFact, strconv.Itoa(i+1), cut(f.Label, maxButtonLabel))})
	}
	return r
}

// readBackAnswer reads a typed answer to the read-back: yes accepts, no (or a
// disagreement) asks which fact to change.
func (e *Engine) readBackAnswer(tr *turn, text string, disagrees bool) []Reply {
	s := tr.s
	t := e.texts(s)
	r := understand.Read(understand.YesNo, s.Lang, text)
	if strings.EqualFold(strings.Trim(text, " .!"), "yes") {
		r.Value = understand.ValueYes // the contract's yes word, whatever the readers make of it
	}
	switch {
	case r.Value == understand.ValueYes && !disagrees:
		return e.accept(tr)
	case r.Value == understand.ValueNo || disagrees:
		return []Reply{e.whichChange(s, t.get(msgWhichChange))}
	}
	// A fact given in other words ("it was the 12th") changes that fact.
	if target := e.changedBy(s, text); target != "" {
		return e.change(tr, target, text)
	}
	s.Misses++
	r2 := e.summary(s)
	r2.Text = t.get(msgSummaryYesOrChange) + "\n\n" + r2.Text
	if s.Misses >= maxMisses {
		r2 = e.offerPerson(s, r2)
	}
	tr.add(r2)
	return tr.out
}

// cut shortens s to at most n characters, marking the cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
