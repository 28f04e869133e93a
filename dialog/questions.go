package dialog

import (
	"regexp"

	"github.com/returnsbot/returnsbot/dialog/understand"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/policy"
)

// The dialog is a table of questions (Rasa forms' required slots, Botpress capture
// cards): each row says what it asks, how an answer is read, when it is asked, why, and
// how its answer feeds the policy's facts. The Engine walks the table to find the first
// open question, builds its state machine from it (machine.go), reads back its answers
// before deciding (readback.go) and lists them for the case card. A shop's own questions
// (policy.Question) become rows too, so adding one needs no Go code.

// readerKind says how a question's answer is read.
type readerKind int

const (
	readDate    readerKind = iota // a receipt date, ParseReceipt
	readClosed                    // a closed question, understand.Read of kind
	readText                      // free text of at least minLen characters
	readPattern                   // free text matching pattern, whole or one word of it
	readChoice                    // one of choices, by button, value or label
)

// text is a sentence of the dialog: a catalog key, or a shop's literal words, perhaps
// with the shop's own translations of them by language.
type text struct {
	key msg
	lit string
	tr  map[string]string
}

func (x text) in(t texts) string {
	if len(x.tr) > 0 {
		if s, ok := x.tr[i18n.Current().Match(t.lang)]; ok {
			return s
		}
	}
	if x.lit != "" {
		return x.lit
	}
	return t.get(x.key)
}

// choice is one button of a question; its id is "<question>:<value>".
type choice struct {
	value string
	label text
}

// cond holds when question q's answer, in condition terms (condValue), is in values, or
// with not, is not. any holds whenever q is answered.
type cond struct {
	q      string
	values []string
	not    bool
	any    bool
}

// question is one row of the dialog's table.
type question struct {
	// ID is the awaiting name of the contract, the prefix of its buttons and the target
	// of "change:<id>".
	ID string
	// State is the state machine's state while it is asked: ID, except that the
	// exclusion questions share StateConfirm.
	State   string
	prompt  text
	label   text // the fact's name in the read-back and on the case card
	reason  text // "why do you ask?"
	choices []choice
	reader  readerKind
	kind    understand.Kind // for readClosed
	pattern *regexp.Regexp  // for readPattern
	example string          // for readPattern
	minLen  int             // for readText
	// when lists the conditions, on earlier questions, under which it is asked.
	when []cond
	// outOfTurn: the answer may be found in a message that answers another question.
	outOfTurn bool
	// get, set and clear keep the answer in Answers; feed puts it into the facts.
	get   func(a *Answers) (string, bool)
	set   func(a *Answers, v string)
	clear func(a *Answers)
	feed  func(f *policy.Facts, v string)
	// exclusion is the policy's exclusion a StateConfirm row confirms.
	exclusion *policy.Exclusion
}

// ID of the read-back.
const (
	// StateSummary reads back what the bot understood and waits for the customer to
	// accept it; only acceptance decides. It is also its awaiting name.
	StateSummary = "confirm_summary"
)

func yesNoChoices() []choice {
	return []choice{{"yes", text{key: lblYes}}, {"no", text{key: lblNo}}}
}

func boolString(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func boolAnswer(p *bool) (string, bool) {
	if p == nil {
		return "", false
	}
	return boolString(*p), true
}

func newBool(v string) *bool { b := v == "yes"; return &b }

// builtinQuestions returns the rows of the built-in questions, in policy.BuiltinQuestions
// order, without the exclusions.
func builtinQuestions() []*question {
	notPending := cond{q: StateReceiptDate, values: []string{"received"}}
	return []*question{{
		ID: StateReceiptDate, State: StateReceiptDate,
		prompt: text{key: msgAskReceipt}, label: text{key: factReceipt}, reason: text{key: whyReceipt},
		choices: []choice{{"today", text{key: lblToday}}, {"yesterday", text{key: lblYesterday}}, {"pickup", text{key: lblNotReceived}}},
		reader:  readDate, outOfTurn: true,
		get:   func(a *Answers) (string, bool) { return a.Receipt, a.Receipt != "" },
		set:   func(a *Answers, v string) { a.Receipt = v },
		clear: func(a *Answers) { a.Receipt = "" },
		feed:  nil, // Engine.facts reads the date in the policy's zone
	}, {
		ID: StatePackaging, State: StatePackaging,
		prompt: text{key: msgAskPackaging}, label: text{key: factPackaging}, reason: text{key: whyPackaging},
		choices: []choice{
			{string(policy.PackagingIntact), text{key: lblIntact}},
			{string(policy.PackagingDamaged), text{key: lblDamaged}},
			{string(policy.PackagingIncomplete), text{key: lblIncomplete}},
		},
		reader: readClosed, kind: understand.Packaging, outOfTurn: true,
		get:   func(a *Answers) (string, bool) { return string(a.Packaging), a.Packaging != "" },
		set:   func(a *Answers, v string) { a.Packaging = policy.Packaging(v) },
		clear: func(a *Answers) { a.Packaging = "" },
		feed:  func(f *policy.Facts, v string) { f.Packaging = policy.Packaging(v) },
	}, {
		ID: StateCarrierCheck, State: StateCarrierCheck,
		prompt: text{key: msgAskCarrier}, label: text{key: factCarrier}, reason: text{key: whyCarrier},
		choices: yesNoChoices(), reader: readClosed, kind: understand.YesNo,
		when:  []cond{{q: StatePackaging, values: []string{string(policy.PackagingDamaged), string(policy.PackagingIncomplete)}}, notPending},
		get:   func(a *Answers) (string, bool) { return boolAnswer(a.CarrierChecked) },
		set:   func(a *Answers, v string) { a.CarrierChecked = newBool(v) },
		clear: func(a *Answers) { a.CarrierChecked = nil },
		feed:  func(f *policy.Facts, v string) { f.CarrierChecked = v == "yes" },
	}, {
		ID: StateDefect, State: StateDefect,
		prompt: text{key: msgAskDefect}, label: text{key: factDefect}, reason: text{key: whyDefect},
		choices: yesNoChoices(), reader: readClosed, kind: understand.Defect, outOfTurn: true,
		when:  []cond{{q: StatePackaging, values: []string{string(policy.PackagingIntact)}}},
		get:   func(a *Answers) (string, bool) { return boolAnswer(a.Defect) },
		set:   func(a *Answers, v string) { a.Defect = newBool(v) },
		clear: func(a *Answers) { a.Defect = nil },
		feed:  func(f *policy.Facts, v string) { f.Defect = v == "yes" },
	}, {
		ID: StateDefectDetails, State: StateDefectDetails,
		prompt: text{key: msgAskDetails}, label: text{key: factDetails}, reason: text{key: whyDetails},
		reader: readText, minLen: 3,
		when: []cond{{q: StateDefect, values: []string{"yes"}}, notPending},
		get:  func(a *Answers) (string, bool) { return a.Details, a.Details != "" },
		// The exclusions asked follow from the description: a new one asks them afresh.
		set:   func(a *Answers, v string) { a.Details, a.Exclusions = v, nil },
		clear: func(a *Answers) { a.Details, a.Exclusions = "", nil },
		feed:  func(f *policy.Facts, v string) { f.DefectDetails = v },
	}}
}

// exclusionQuestion returns the row that confirms ex, asked when the defect description
// hints at it (or always) and no exclusion asked before it applies (see Engine.plan).
func exclusionQuestion(p *policy.Policy, ex *policy.Exclusion) *question {
	id := "confirm_" + ex.ID
	asks := map[string]string{}
	for _, l := range p.Translations() {
		if a, ok := p.AskIn(l, ex.ID); ok {
			asks[l] = a
		}
	}
	return &question{
		ID: id, State: StateConfirm,
		prompt: text{lit: ex.Ask, tr: asks}, label: text{lit: ex.Ask, tr: asks}, reason: text{key: whyExclusion},
		choices: yesNoChoices(), reader: readClosed, kind: understand.YesNo, exclusion: ex,
		when: []cond{{q: StateDefectDetails, any: true}},
		get: func(a *Answers) (string, bool) {
			v, ok := a.Exclusions[ex.ID]
			return boolString(v), ok
		},
		set: func(a *Answers, v string) {
			if a.Exclusions == nil {
				a.Exclusions = map[string]bool{}
			}
			a.Exclusions[ex.ID] = v == "yes"
		},
		clear: func(a *Answers) { delete(a.Exclusions, ex.ID) },
		feed: func(f *policy.Facts, v string) {
			if f.Exclusions == nil {
				f.Exclusions = map[string]bool{}
			}
			f.Exclusions[ex.ID] = (v == "yes") == ex.AppliesIf
		},
	}
}

// shopQuestion returns the row of a shop's own question.
func shopQuestion(sq policy.Question) *question {
	id := sq.ID
	q := &question{
		ID: id, State: id,
		prompt: text{lit: sq.Ask}, label: text{lit: sq.Label}, reason: text{key: whyShop, lit: sq.Reason},
		reader: readText, minLen: 1, pattern: sq.Pattern, example: sq.Example,
		get: func(a *Answers) (string, bool) {
			v, ok := a.Shop[id]
			return v, ok
		},
		set: func(a *Answers, v string) {
			if a.Shop == nil {
				a.Shop = map[string]string{}
			}
			a.Shop[id] = v
		},
		clear: func(a *Answers) { delete(a.Shop, id) },
		feed: func(f *policy.Facts, v string) {
			if f.Answers == nil {
				f.Answers = map[string]string{}
			}
			f.Answers[id] = v
		},
	}
	if sq.Label == "" {
		q.label = text{lit: id}
	}
	switch {
	case len(sq.Choices) > 0:
		q.reader = readChoice
		q.outOfTurn = true
		for _, c := range sq.Choices {
			q.choices = append(q.choices, choice{c.Value, text{lit: c.Label}})
		}
	case sq.Pattern != nil:
		q.reader = readPattern
		q.outOfTurn = true
	}
	if c := sq.When; c != nil {
		q.when = []cond{{q: c.Question, values: c.Values, not: c.Not}}
	}
	return q
}

// condValue is the answer to q in the terms of a condition: a receipt date is "received"
// or "pending", every other answer is itself.
func condValue(q, v string) string {
	if q == StateReceiptDate {
		if v == ReceiptPending {
			return "pending"
		}
		return "received"
	}
	return v
}

// buildTable lays out the rows for p: the built-in questions, the block of exclusion
// questions after the defect description, and the shop's questions in the slots their
// policy places them, in file order within a slot.
func buildTable(p *policy.Policy) (rows []*question, exclusions map[string]*question) {
	builtins := builtinQuestions()
	exclusions = map[string]*question{}
	for i := range p.Exclusions {
		q := exclusionQuestion(p, &p.Exclusions[i])
		exclusions[p.Exclusions[i].ID] = q
	}
	for slot := 0; slot <= len(policy.BuiltinQuestions); slot++ {
		for _, sq := range p.Questions {
			if sq.Slot == slot {
				rows = append(rows, shopQuestion(sq))
			}
		}
		switch {
		case slot < len(builtins):
			rows = append(rows, builtins[slot])
		case slot == len(builtins): // policy.QuestionExclusions
			for i := range p.Exclusions {
				rows = append(rows, exclusions[p.Exclusions[i].ID])
			}
		}
	}
	return rows, exclusions
}
