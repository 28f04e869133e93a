package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The built-in questions of the dialog, in the order it asks them. They name the facts of
// Facts, and a shop's own questions are placed before or after them. QuestionExclusions
// stands for the block of exclusion questions (one per hinted exclusion).
const (
	QuestionReceiptDate   = "receipt_date"
	QuestionPackaging     = "packaging"
	QuestionCarrierCheck  = "carrier_check"
	QuestionDefect        = "defect"
	QuestionDefectDetails = "defect_details"
	QuestionExclusions    = "exclusions"
)

// BuiltinQuestions lists the built-in questions in the order they are asked.
var BuiltinQuestions = []string{
	QuestionReceiptDate, QuestionPackaging, QuestionCarrierCheck, QuestionDefect, QuestionDefectDetails, QuestionExclusions,
}

// builtinValues are the answers a "when:" condition may name for each built-in question.
var builtinValues = map[string][]string{
	QuestionReceiptDate:  {"received", "pending"},
	QuestionPackaging:    {string(PackagingIntact), string(PackagingDamaged), string(PackagingIncomplete)},
	QuestionCarrierCheck: {"yes", "no"},
	QuestionDefect:       {"yes", "no"},
}

// maxQuestionID bounds a question's id and maxChoiceValue a choice's value: they make up
// button ids such as "change:<id>" and "<id>:<value>", and Telegram carries at most 64
// bytes of them.
const (
	maxQuestionID  = 32
	maxChoiceValue = 24
)

// reservedQuestionIDs may not name a shop's question: the dialog uses them itself.
var reservedQuestionIDs = []string{"new", "decided", "escalated", "action", "change", "confirm_summary", "confirm_exclusion"}

// A Question is a shop's own question, asked in the dialog beside the built-in ones and
// carried into the decision (Decision.Answers), the read-back and the case card. It reads
// either free text, optionally checked against Pattern, or one of Choices.
type Question struct {
	ID string
	// Ask is the question as the customer reads it.
	Ask string
	// Label names the fact in the read-back and on the case card; the id if unset.
	Label string
	// Reason answers a customer who asks why the shop wants to know.
	Reason string
	// Pattern, if set, is what a free-text answer must match (the whole answer, or one
	// word of it); Example shows a customer an answer that does.
	Pattern *regexp.Regexp
	Example string
	// Choices, if set, make this a choice question with one button per choice.
	Choices []Choice
	// Slot places the question: it is asked just before BuiltinQuestions[Slot], or at
	// the end (before the read-back) when Slot is len(BuiltinQuestions).
	Slot int
	// When, if set, asks the question only when an earlier answer matches.
	When *Condition
}

// Choice is one answer to a choice question: Value is its stable id (a button is
// "question:value"), Label what the customer reads.
type Choice struct {
	Value string
	Label string
}

// Condition holds when Question's answer is one of Values (or, with Not, none of them).
type Condition struct {
	Question string
	Values   []string
	Not      bool
}

// Question returns the shop question with the given id.
func (p *Policy) Question(id string) (Question, bool) {
	for _, q := range p.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// questionSetting applies one indented setting of a "question" block.
func (p *Policy) questionSetting(q *Question, key, value string) error {
	switch key {
	case "label":
		q.Label = value
	case "reason":
		q.Reason = value
	case "example":
		q.Example = value
	case "pattern":
		re, err := regexp.Compile(value)
		if err != nil {
			return fmt.Errorf("pattern %q: %v", value, err)
		}
		q.Pattern = re
	case "choices":
		for _, c := range strings.Split(value, ",") {
			v, label, ok := strings.Cut(c, "=")
			v, label = strings.TrimSpace(v), strings.TrimSpace(label)
			if !ok || !validID(v) || label == "" {
				return fmt.Errorf("choices: want \"value = Label, ...\" with values of lower-case letters, digits and _, got %q", strings.TrimSpace(c))
			}
			if len(v) > maxChoiceValue {
				return fmt.Errorf("choices: value %s is longer than %d characters", v, maxChoiceValue)
			}
			if slices.ContainsFunc(q.Choices, func(o Choice) bool { return o.Value == v }) {
				return fmt.Errorf("choices: value %s is used twice", v)
			}
			q.Choices = append(q.Choices, Choice{Value: v, Label: label})
		}
	case "before", "after":
		i := slices.Index(BuiltinQuestions, value)
		if i < 0 {
			return fmt.Errorf("%s: want one of %s, got %q", key, strings.Join(BuiltinQuestions, ", "), value)
		}
		if key == "after" {
			i++
		}
		q.Slot = i
	case "at":
		if value != "end" {
			return fmt.Errorf(`at: want "end", got %q`, value)
		}
		q.Slot = len(BuiltinQuestions)
	default:
		return fmt.Errorf("unknown question setting %q", key)
	}
	return nil
}

// condition parses "QUESTION = VALUE, VALUE" or "QUESTION != VALUE" of a "when:" setting.
// The question must be asked before q, so its answer is known when q's turn comes.
func (p *Policy) condition(q *Question, value string) (*Condition, error) {
	c := &Condition{}
	name, values, ok := strings.Cut(value, "!=")
	if ok {
		c.Not = true
	} else if name, values, ok = strings.Cut(value, "="); !ok {
		return nil, fmt.Errorf(`when: want "question = value" or "question != value", got %q`, value)
	}
	c.Question = strings.TrimSpace(name)
	var allowed []string
	if i := slices.Index(BuiltinQuestions, c.Question); i >= 0 {
		if i >= q.Slot {
			return nil, fmt.Errorf("when: %s is asked after %s; place the question after it first", c.Question, q.ID)
		}
		allowed = builtinValues[c.Question]
	} else if other, ok := p.Question(c.Question); ok && other.Slot <= q.Slot {
		for _, ch := range other.Choices {
			allowed = append(allowed, ch.Value)
		}
	} else {
		return nil, fmt.Errorf("when: %q is not a question asked before %s", c.Question, q.ID)
	}
	if len(allowed) == 0 {
		return nil, fmt.Errorf("when: %s has no fixed answers to test", c.Question)
	}
	for _, v := range strings.Split(values, ",") {
		v = strings.TrimSpace(v)
		if !slices.Contains(allowed, v) {
			return nil, fmt.Errorf("when: %s has no answer %q (want one of %s)", c.Question, v, strings.Join(allowed, ", "))
		}
		c.Values = append(c.Values, v)
	}
	return c, nil
}

// checkQuestionID reports why id cannot name a new shop question, if it cannot.
func (p *Policy) checkQuestionID(id string) error {
	switch {
	case !validID(id):
		return fmt.Errorf("question id %q: use lower-case letters, digits and _", id)
	case len(id) > maxQuestionID:
		return fmt.Errorf("question id %s is longer than %d characters (it names buttons)", id, maxQuestionID)
	case slices.Contains(BuiltinQuestions, id) || slices.Contains(reservedQuestionIDs, id) || strings.HasPrefix(id, "confirm_"):
		return fmt.Errorf("question id %s is the dialog's own; choose another", id)
	}
	if _, dup := p.Question(id); dup {
		return fmt.Errorf("question %s is defined twice", id)
	}
	return nil
}

// Holds reports whether the condition holds for value, the answer to c.Question in the
// terms of a "when:" setting ("received" or "pending" for the receipt date).
func (c *Condition) Holds(value string) bool {
	return slices.Contains(c.Values, value) != c.Not
}
