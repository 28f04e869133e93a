// Package policy holds a shop's refund policy: its text split into clauses, the parameters
// the text implies (return window, warranty period), the warranty exclusions with the words
// that hint at them, and Decide, which turns the facts of a claim into an outcome that quotes
// the clauses it rests on word for word.
//
// A policy is plain data, loaded from a file a shop can edit without touching Go code (see
// Parse for the format); Default is the policy the bot ships with.
package policy

import (
	_ "embed"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
)

// Clause ids that Decide quotes and every policy must therefore define.
const (
	ClauseReturnWindow   = "return_window"
	ClauseCarrierCheck   = "carrier_check"
	ClauseRefuseDelivery = "refuse_delivery"
	ClauseWarranty       = "warranty"
	ClauseExclusions     = "exclusions"
	// ClauseCheckOnReceipt is optional: refusals at delivery quote it when the policy has it.
	ClauseCheckOnReceipt = "check_on_receipt"
)

// RequiredClauses lists the clause ids a policy file must map to its text.
var RequiredClauses = []string{
	ClauseReturnWindow, ClauseCarrierCheck, ClauseRefuseDelivery, ClauseWarranty, ClauseExclusions,
}

// A Clause is one paragraph or bullet of the policy text. Text is quoted word for word:
// it is a substring of the policy text, without the bullet mark and surrounding blanks.
type Clause struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Lang is set when Text is quoted from the shop's translation into that language
	// (Policy.ClauseIn); empty for the shop's own text.
	Lang string `json:"lang,omitempty"`
}

// An Exclusion is a case in which the warranty does not apply.
type Exclusion struct {
	ID     string
	Clause Clause
	// Ask is a yes/no question that confirms the exclusion.
	Ask string
	// AppliesIf is the answer to Ask that means the exclusion applies: true for "yes".
	AppliesIf bool
	// Always asks the question for every defect, whether the description hints at it or not.
	Always bool
	// Hints are words that, found in a defect description, suggest the exclusion. A hint
	// ending in "*" matches any word beginning with the rest.
	Hints []string

	compiled []hint
}

// Policy is a shop's refund policy. Its zero value is not usable; get one from Parse, Load
// or Default.
type Policy struct {
	// Text is the policy as customers read it.
	Text string
	// ReturnWindowDays is how many days after receipt goods may be returned.
	ReturnWindowDays int
	// WarrantyMonths is how long after receipt defects are repaired for free.
	WarrantyMonths int
	// Location is the time zone in which calendar days are counted.
	Location *time.Location
	// Exclusions in the order the policy lists them.
	Exclusions []Exclusion
	// Questions are the shop's own questions, in the order the file lists them.
	Questions []Question
	// Version is the file's optional `version:` setting, the shop's own name for this
	// edition of its policy; claims record it beside a hash of the file.
	Version string
	// Contact is the file's optional `contact:` setting: how customers reach the shop
	// (e-mail, phone, URL), told to a customer who asks for a person when no staff desk
	// is configured.
	Contact string

	// TranslationFiles are the policy's "translation LANG: FILE" lines, in order; the
	// caller reads each file and adds it with ParseTranslation and AddTranslation.
	TranslationFiles []TranslationRef

	clauses      map[string]Clause
	translations map[string]*Translation
}

// Clause returns the clause with the given id, which may also be an exclusion id.
func (p *Policy) Clause(id string) (Clause, bool) {
	c, ok := p.clauses[id]
	return c, ok
}

// Exclusion returns the exclusion with the given id.
func (p *Policy) Exclusion(id string) (Exclusion, bool) {
	for _, e := range p.Exclusions {
		if e.ID == id {
			return e, true
		}
	}
	return Exclusion{}, false
}

//go:embed default.policy
var defaultFile string

// Default returns the policy the bot ships with. Each call returns a new copy.
func Default() *Policy {
	p, err := Parse(defaultFile)
	if err != nil {
		panic("policy: built-in default does not parse: " + err.Error())
	}
	return p
}

// DefaultFile returns the text of the built-in policy file, a starting point for a shop's own.
func DefaultFile() string { return defaultFile }

// ParseError reports every problem found in a policy file, each with its line number, so a
// shop owner can fix them all in one pass.
type ParseError struct {
	Problems []string
}

func (e *ParseError) Error() string {
	return "policy file: " + strings.Join(e.Problems, "; ")
}

// Parse reads a policy file. The file has a header of settings, a line "---", and the
// policy text. Header lines are "key: value"; "#" starts a comment line. Keys:
//
//	return_window_days: N         days after receipt goods may be returned (required)
//	warranty_months: N            months after receipt the warranty lasts (required)
//	timezone: NAME                IANA zone in which days are counted (default UTC)
//	contact: TEXT                 how customers reach the shop: e-mail, phone, URL
//	clause ID: WORDS              the paragraph or bullet that starts with WORDS is clause ID
//	exclusion ID: WORDS           a warranty exclusion, with indented lines below it:
//	  ask: QUESTION               a yes/no question that confirms it (required)
//	  applies_if: yes|no          the answer that means it applies (default yes)
//	  always: yes|no              ask for every defect, not only when hinted (default no)
//	  hints: WORD, WORD*, ...     words in a defect description that suggest it
//	translation LANG: FILE        the policy text in language LANG (see Translation)
//	question ID: QUESTION         a question of the shop's own, with indented lines below it:
//	  label: NAME                 the fact's name in the read-back and on the case card
//	  reason: TEXT                the answer to a customer who asks why
//	  pattern: REGEXP             a free-text answer must match it (whole, or one word of it)
//	  example: TEXT               an answer that matches, shown when one does not
//	  choices: v = Label, ...     a choice question, one button per choice
//	  before: ID | after: ID      place it before or after a built-in question (default: at: end)
//	  at: end                     ask it last, before the read-back
//	  when: ID = V, V | ID != V   ask it only when an earlier answer is (or is not) one of these
//
// Every clause of RequiredClauses must be mapped, and WORDS must start exactly one
// paragraph or bullet of the text.
func Parse(file string) (*Policy, error) {
	file = strings.ReplaceAll(file, "\r\n", "\n")
	header, text, ok := cutSeparator(file)
	if !ok {
		return nil, &ParseError{Problems: []string{`no "---" line separates the settings from the policy text`}}
	}
	p := &Policy{Text: text, Location: time.UTC, clauses: map[string]Clause{}}
	var problems []string
	fail := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, args...)))
	}
	paragraphs := splitClauses(text)
	find := func(line int, id, prefix string) (Clause, bool) {
		var found []string
		for _, para := range paragraphs {
			if strings.HasPrefix(para, prefix) {
				found = append(found, para)
			}
		}
		switch len(found) {
		case 0:
			fail(line, "clause %s: no paragraph or bullet of the policy text starts with %q", id, prefix)
			return Clause{}, false
		case 1:
			return Clause{ID: id, Text: found[0]}, true
		default:
			fail(line, "clause %s: %d paragraphs start with %q; quote more words", id, len(found), prefix)
			return Clause{}, false
		}
	}
	var cur *Exclusion // the exclusion whose indented settings are being read
	var sawAsk bool
	var curQ *Question // the shop question whose indented settings are being read
	var when string    // curQ's "when:", checked once its placement is known
	var whenLine int
	finish := func(line int) {
		if cur != nil && !sawAsk {
			fail(line, "exclusion %s has no ask: question", cur.ID)
		}
		if curQ != nil && when != "" {
			c, err := p.condition(curQ, when)
			if err != nil {
				fail(whenLine, "question %s: %v", curQ.ID, err)
			}
			curQ.When = c
		}
		if curQ != nil && curQ.Pattern != nil && len(curQ.Choices) > 0 {
			fail(line, "question %s has both a pattern and choices; give one", curQ.ID)
		}
		if curQ != nil && curQ.Example != "" && curQ.Pattern != nil && !curQ.Pattern.MatchString(curQ.Example) {
			fail(line, "question %s: example %q does not match its pattern", curQ.ID, curQ.Example)
		}
		cur, sawAsk, curQ, when = nil, false, nil, ""
	}
	seenWindow, seenWarranty := false, false
	for l := range settingLines(header, fail) {
		n, key, value, indented, trimmed := l.n, l.key, l.value, l.indented, l.text
		if indented && curQ != nil {
			if key == "when" {
				when, whenLine = value, n
			} else if err := p.questionSetting(curQ, key, value); err != nil {
				fail(n, "question %s: %v", curQ.ID, err)
			}
			continue
		}
		if indented {
			if cur == nil {
				fail(n, "indented setting %q belongs to no exclusion or question", key)
				continue
			}
			switch key {
			case "ask":
				cur.Ask, sawAsk = value, value != ""
			case "applies_if":
				b, ok := parseYesNo(value)
				if !ok {
					fail(n, "applies_if: want yes or no, got %q", value)
				}
				cur.AppliesIf = b
			case "always":
				b, ok := parseYesNo(value)
				if !ok {
					fail(n, "always: want yes or no, got %q", value)
				}
				cur.Always = b
			case "hints":
				for _, h := range strings.Split(value, ",") {
					if h = strings.ToLower(strings.TrimSpace(h)); h != "" && h != "*" {
						cur.Hints = append(cur.Hints, h)
					}
				}
			default:
				fail(n, "unknown exclusion setting %q", key)
			}
			continue
		}
		finish(n)
		kind, id, _ := strings.Cut(key, " ")
		id = strings.TrimSpace(id)
		switch kind {
		case "return_window_days", "warranty_months":
			v, err := parsePositive(value)
			if err != nil {
				fail(n, "%s: %v", kind, err)
				continue
			}
			if kind == "return_window_days" {
				p.ReturnWindowDays, seenWindow = v, true
			} else {
				p.WarrantyMonths, seenWarranty = v, true
			}
		case "version":
			p.Version = value
		case "contact":
			if value == "" {
				fail(n, "contact: want how customers reach the shop (e-mail, phone, URL), got nothing")
				continue
			}
			if len(value) > maxContact {
				fail(n, "contact: at most %d bytes, got %d", maxContact, len(value))
				continue
			}
			p.Contact = value
		case "timezone":
			loc, err := time.LoadLocation(value)
			if err != nil {
				fail(n, "timezone %q: %v", value, err)
				continue
			}
			p.Location = loc
		case "translation":
			if !validLang(id) || value == "" {
				fail(n, `want "translation LANG: FILE" with LANG a language code like fr, got %q`, trimmed)
				continue
			}
			p.TranslationFiles = append(p.TranslationFiles, TranslationRef{Lang: id, File: value, Line: n})
		case "question":
			if err := p.checkQuestionID(id); err != nil {
				fail(n, "%v", err)
				continue
			}
			if value == "" {
				fail(n, "question %s: the question text is missing", id)
				continue
			}
			p.Questions = append(p.Questions, Question{ID: id, Ask: value, Label: id, Slot: len(BuiltinQuestions)})
			curQ = &p.Questions[len(p.Questions)-1]
		case "clause", "exclusion":
			if !validID(id) {
				fail(n, "%s id %q: use lower-case letters, digits and _", kind, id)
				continue
			}
			if _, dup := p.clauses[id]; dup {
				fail(n, "id %s is used twice", id)
				continue
			}
			c, ok := find(n, id, value)
			if !ok {
				continue
			}
			p.clauses[id] = c
			if kind == "exclusion" {
				p.Exclusions = append(p.Exclusions, Exclusion{ID: id, Clause: c, AppliesIf: true})
				cur = &p.Exclusions[len(p.Exclusions)-1]
			}
		default:
			fail(n, "unknown setting %q", key)
		}
	}
	finish(strings.Count(header, "\n") + 1) // the last line
	for i := range p.Exclusions {
		p.Exclusions[i].compiled = compileHints(p.Exclusions[i].Hints)
	}
	if !seenWindow {
		problems = append(problems, "return_window_days is missing")
	}
	if !seenWarranty {
		problems = append(problems, "warranty_months is missing")
	}
	for _, id := range RequiredClauses {
		if _, ok := p.clauses[id]; !ok {
			problems = append(problems, fmt.Sprintf("clause %s is missing", id))
		}
	}
	if len(problems) > 0 {
		return nil, &ParseError{Problems: problems}
	}
	return p, nil
}

// maxContact bounds the contact setting: it goes into one chat message.
const maxContact = 500

// Warnings returns things in a valid policy that are probably mistakes, such as a return
// window clause that names another number of days than return_window_days.
func (p *Policy) Warnings() []string {
	var w []string
	if c, ok := p.clauses[ClauseReturnWindow]; ok && !strings.Contains(c.Text, fmt.Sprint(p.ReturnWindowDays)) {
		w = append(w, fmt.Sprintf("clause %s does not mention %d, the return_window_days setting: %q",
			ClauseReturnWindow, p.ReturnWindowDays, c.Text))
	}
	for _, e := range p.Exclusions {
		if len(e.Hints) == 0 && !e.Always {
			w = append(w, fmt.Sprintf("exclusion %s has no hints and is not always asked, so it is never asked", e.ID))
		}
	}
	return w
}

// cutSeparator splits the file at its first line that is exactly "---".
func cutSeparator(file string) (header, text string, ok bool) {
	if strings.HasPrefix(file, "---\n") {
		return "", file[len("---\n"):], true
	}
	header, text, ok = strings.Cut(file, "\n---\n")
	return header, text, ok
}

// splitClauses splits policy text into paragraphs and bullets, each trimmed of blanks and
// bullet marks, so that every clause is a substring of the text.
func splitClauses(text string) []string {
	var out []string
	for _, block := range strings.Split(text, "\n\n") {
		// A bullet on its own line starts a clause even without a blank line before it.
		var cur []string
		flush := func() {
			if s := strings.TrimSpace(strings.Join(cur, "\n")); s != "" {
				out = append(out, s)
			}
			cur = nil
		}
		for _, line := range strings.Split(block, "\n") {
			if rest, ok := cutBullet(line); ok {
				flush()
				line = rest
			}
			cur = append(cur, line)
		}
		flush()
	}
	return out
}

func cutBullet(line string) (string, bool) {
	t := strings.TrimLeft(line, " \t")
	for _, mark := range []string{"•", "-", "*", "–", "—"} {
		if rest, ok := strings.CutPrefix(t, mark); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.TrimLeft(rest, " \t"), true
		}
	}
	return line, false
}

func parsePositive(s string) (int, error) {
	var v int
	if _, err := fmt.Sscan(s, &v); err != nil || fmt.Sprint(v) != s {
		return 0, fmt.Errorf("want a whole number, got %q", s)
	}
	if v <= 0 {
		return 0, errors.New("must be more than 0")
	}
	return v, nil
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "yes", "true":
		return true, true
	case "no", "false":
		return false, true
	}
	return false, false
}

func validID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// validLang reports whether s is a base language code: two or three lower-case letters.
func validLang(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// settingLine is one "key: value" line of a policy file's settings.
type settingLine struct {
	n          int // line number
	key, value string
	indented   bool   // it configures the setting above it
	text       string // the line, trimmed
}

// settingLines yields the setting lines of header, skipping blank lines and comments and
// reporting to fail, by line number, those that are no "key: value".
func settingLines(header string, fail func(line int, format string, args ...any)) iter.Seq[settingLine] {
	return func(yield func(settingLine) bool) {
		for i, raw := range strings.Split(header, "\n") {
			trimmed := strings.TrimSpace(raw)
			if trimmed == "" || strings.HasPrefix(trimmed, "#") {
				continue
			}
			key, value, ok := strings.Cut(trimmed, ":")
			if !ok {
				fail(i+1, `want "key: value", got %q`, trimmed)
				continue
			}
			l := settingLine{n: i + 1, key: strings.TrimSpace(key), value: strings.TrimSpace(value),
				indented: raw[0] == ' ' || raw[0] == '\t', text: trimmed}
			if !yield(l) {
				return
			}
		}
	}
}
