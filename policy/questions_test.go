package policy_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/policy"
)

func TestShopQuestions(t *testing.T) {
	data, err := os.ReadFile("../testdata/policies/shop-questions.policy")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(string(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(p.Questions) != 2 {
		t.Fatalf("got %d questions, want 2", len(p.Questions))
	}
	order, product := p.Questions[0], p.Questions[1]
	if order.ID != "order_number" || order.Label != "Order number" || order.Example != "AB123456" || order.Slot != 1 ||
		order.Pattern == nil || !order.Pattern.MatchString("AB123456") || order.Pattern.MatchString("ab123456") || order.When != nil {
		t.Errorf("order_number = %+v, want the pattern, the example and the slot after receipt_date", order)
	}
	if product.Slot != len(policy.BuiltinQuestions) || len(product.Choices) != 4 || product.Choices[0] != (policy.Choice{Value: "kettle", Label: "Kettle"}) {
		t.Errorf("product = %+v, want four choices at the end", product)
	}
	if c := product.When; c == nil || c.Question != "packaging" || !c.Holds("intact") || c.Holds("damaged") {
		t.Errorf("product when = %+v, want packaging = intact", product.When)
	}
	if q, ok := p.Question("product"); !ok || q.Reason != "Our service team is organised by product." {
		t.Errorf("Question(product) = %+v, %v", q, ok)
	}
	if len(policy.Default().Questions) != 0 {
		t.Errorf("the default policy has questions of its own: %+v", policy.Default().Questions)
	}
}

func TestShopQuestionErrors(t *testing.T) {
	const text = "---\nReturns within 14 days.\n\nWe are not liable.\n\nRefuse damaged parcels.\n\nRepairs are free.\n\nNo warranty for:\n• Water damage.\n"
	const good = "return_window_days: 14\nwarranty_months: 12\nclause return_window: Returns\nclause carrier_check: We are\nclause refuse_delivery: Refuse\nclause warranty: Repairs\nclause exclusions: No warranty\n"
	valid := good + "question size: Which size?\n  choices: s = Small, l = Large\n  before: defect\n" +
		"question colour: Which colour?\n  at: end\n  when: size != s\n" +
		"question ref: Your reference?\n  pattern: ^R\\d+$\n  example: R42\n  after: exclusions\n  when: receipt_date = received\n"
	p, err := policy.Parse(valid + text)
	if err != nil {
		t.Fatalf("the valid file of this test does not parse: %v", err)
	}
	if c := p.Questions[1].When; c == nil || !c.Not || c.Holds("s") || !c.Holds("l") {
		t.Errorf("colour when = %+v, want size != s", c)
	}
	tests := []struct {
		name, settings, want string
	}{
		{"no text", "question size:\n", "the question text is missing"},
		{"bad id", "question Size!: Which?\n", `question id "Size!"`},
		{"built-in id", "question packaging: Which?\n", "question id packaging is the dialog's own"},
		{"confirm id", "question confirm_size: Which?\n", "is the dialog's own"},
		{"twice", "question a: A?\nquestion a: B?\n", "question a is defined twice"},
		{"long id", "question " + strings.Repeat("a", 33) + ": A?\n", "longer than 32 characters"},
		{"long value", "question a: A?\n  choices: " + strings.Repeat("v", 25) + " = V\n", "longer than 24 characters"},
		{"bad pattern", "question a: A?\n  pattern: ([\n", "pattern"},
		{"example not matching", "question a: A?\n  pattern: ^\\d+$\n  example: abc\n", `example "abc" does not match`},
		{"pattern and choices", "question a: A?\n  pattern: ^\\d+$\n  choices: x = X\n", "both a pattern and choices"},
		{"bad choices", "question a: A?\n  choices: X\n", "choices: want"},
		{"duplicate choice", "question a: A?\n  choices: x = X, x = Y\n", "value x is used twice"},
		{"unknown anchor", "question a: A?\n  after: colour\n", "after: want one of"},
		{"bad at", "question a: A?\n  at: start\n", `at: want "end"`},
		{"unknown setting", "question a: A?\n  colour: red\n", `unknown question setting "colour"`},
		{"when on a later question", "question a: A?\n  before: packaging\n  when: defect = yes\n", "defect is asked after a"},
		{"when, placed after it", "question a: A?\n  when: defect = yes\n  before: packaging\n", "defect is asked after a"},
		{"when on an unknown question", "question a: A?\n  when: colour = red\n", `"colour" is not a question asked before a`},
		{"when with a bad value", "question a: A?\n  when: packaging = wet\n", `packaging has no answer "wet"`},
		{"when without an operator", "question a: A?\n  when: packaging\n", "when: want"},
		{"when on free text", "question b: B?\nquestion a: A?\n  when: b = x\n", "b has no fixed answers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.Parse(good + tt.settings + text)
			var pe *policy.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestHintedRanksByStrength: a description that hints at several exclusions asks first
// about the one it points to most strongly (more, and more specific, hint words), not
// simply the first in policy order; those always asked come first.
func TestHintedRanksByStrength(t *testing.T) {
	p := policy.Default()
	tests := []struct {
		details string
		want    []string
	}{
		// "wet" hints at foreign_substances once; "dropped", "fell" and "cracked" at
		// mechanical_damage three times, though misuse and the like come first in the file.
		{"it got a bit wet, then it fell, I dropped it and the case cracked", []string{"seals", "mechanical_damage", "foreign_substances"}},
		// One whole word each: policy order.
		{"the fan is worn and there is water inside", []string{"seals", "foreign_substances", "wear"}},
		// "took it apart" (three words) outweighs "spilled" (a word start).
		{"I spilled some, then took it apart", []string{"seals", "third_party_repair", "foreign_substances"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range p.Hinted(tt.details) {
			got = append(got, e.ID)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Hinted(%q) = %v, want %v", tt.details, got, tt.want)
		}
	}
	seals, _ := p.Exclusion("seals")
	if n := seals.HintStrength("no stickers"); n != 2 {
		t.Errorf("HintStrength(no stickers) = %d, want 2 (one word start)", n)
	}
}

func TestDecisionCarriesShopAnswers(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	p := policy.Default()
	f := policy.Facts{Received: true, ReceiptDate: now.AddDate(0, 0, -1), Packaging: policy.PackagingIntact,
		Answers: map[string]string{"order_number": "AB123456"}}
	d := p.Decide(f, now)
	if d.Outcome != policy.ReturnEligible || d.Answers["order_number"] != "AB123456" {
		t.Fatalf("decision %+v, want return_eligible with the order number", d)
	}
	f.Answers["order_number"] = "changed"
	if d.Answers["order_number"] != "AB123456" {
		t.Errorf("the decision shares the facts' map")
	}
	if d := p.Decide(policy.Facts{Received: true, ReceiptDate: now}, now); d.Answers != nil {
		t.Errorf("decision without shop answers has Answers %v, want none (omitted from JSON)", d.Answers)
	}
}
