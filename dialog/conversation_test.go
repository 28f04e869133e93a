package dialog_test

import (
	"os"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// Conversation tests that rest on dates, buttons, patterns and commands only; those that
// rest on reading free words are in readers_test.go.

func shopPolicy(t testing.TB) *policy.Policy {
	t.Helper()
	data, err := os.ReadFile("../testdata/policies/shop-questions.policy")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(string(data))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newShopChat(t *testing.T) *chat {
	return &chat{t: t, e: dialog.NewEngine(shopPolicy(t)), s: &dialog.Session{}}
}

func (c *chat) buttons() []string {
	var ids []string
	for _, b := range c.last().Buttons {
		ids = append(ids, b.ID)
	}
	return ids
}

func (c *chat) hasButton(id string) *chat {
	c.t.Helper()
	for _, b := range c.buttons() {
		if b == id {
			return c
		}
	}
	c.t.Fatalf("buttons %v lack %s (reply %q)", c.buttons(), id, c.last().Text)
	return c
}

func (c *chat) lacks(fragment string) *chat {
	c.t.Helper()
	if got := c.last().Text; strings.Contains(got, fragment) {
		c.t.Fatalf("reply %q contains %q", got, fragment)
	}
	return c
}

// TestFirstMessageFacts: the first message is read for every fact it carries; the bot
// greets, says what it noted and asks the first open question.
func TestFirstMessageFacts(t *testing.T) {
	tests := []struct {
		name     string
		shop     bool
		first    string
		noted    []string
		awaiting string
	}{
		{"nothing to note", false, "hello", nil, "receipt_date"},
		{"a date", false, "I got my kettle yesterday", []string{"Received: 24 November 2026"}, "packaging"},
		{"not received", false, "it has not arrived yet, I am at the pickup point", []string{"Received: Not received yet"}, "packaging"},
		{"a date and an order number", true, "Order AB123456 arrived 3 days ago", []string{"Received: 22 November 2026", "Order number: AB123456"}, "packaging"},
		{"an order number only", true, "about my order AB123456", []string{"Order number: AB123456"}, "receipt_date"},
		{"a product", true, "my toaster", []string{"Product: Toaster"}, "receipt_date"},
		{"a choice's value is not the customer's word", true, "I got it the other day", nil, "receipt_date"},
		{"two products are not guessed", true, "my toaster and my kettle", nil, "receipt_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			if tt.shop {
				c = newShopChat(t)
			}
			c.say(tt.first).awaiting(tt.awaiting)
			greeting := c.replies[0].Text
			if !strings.HasPrefix(greeting, "Hello!") {
				t.Fatalf("first reply %q, want the greeting", greeting)
			}
			if got := strings.Contains(greeting, "From your message I have noted"); got != (len(tt.noted) > 0) {
				t.Fatalf("greeting %q: noted facts %v, want %v", greeting, got, len(tt.noted) > 0)
			}
			for _, n := range tt.noted {
				if !strings.Contains(greeting, n) {
					t.Errorf("greeting %q lacks %q", greeting, n)
				}
			}
		})
	}
}

// TestFactsOutOfTurn: a message that answers the question asked and gives another fact
// keeps both; a fact for a later question waits until its turn comes, and is not asked.
func TestFactsOutOfTurn(t *testing.T) {
	c := newShopChat(t)
	c.say("hi").awaiting("receipt_date").say("yesterday, order AB123456").awaiting("packaging")
	if c.s.Answers.Shop["order_number"] != "AB123456" {
		t.Fatalf("order number %q, want the one given with the date", c.s.Answers.Shop["order_number"])
	}
	// The product is asked last, but given now it is kept and never asked.
	c.say("intact, it is a blender").awaiting("defect").press("defect:no").awaiting(dialog.StateSummary)
	c.says("Order number: AB123456").says("Product: Blender")
	// A date in an answer to another question changes nothing already answered.
	c = newChat(t)
	c.say("hi").say("2026-11-20").awaiting("packaging").say("intact since 2026-11-01").awaiting("defect")
	if c.s.Answers.Receipt != "2026-11-20" {
		t.Fatalf("receipt %q, want the first answer kept", c.s.Answers.Receipt)
	}
}

// TestCorrections corrects each fact from the read-back and mid-dialog, with its
// change button: the answer is replaced, the answers that rested on it and no longer
// apply are dropped, and the dialog goes on from the first open question.
func TestCorrections(t *testing.T) {
	damaged := []string{"hi", "yesterday", "!packaging:damaged", "!carrier_check:no"}
	warranty := []string{"hi", "2026-05-01", "!packaging:intact", "!defect:yes", "It stopped heating", "!confirm_seals:yes"}
	tests := []struct {
		name     string
		walk     []string
		change   string
		awaiting string   // the question reopened
		answer   []string // the new answers
		then     string   // what is asked after them
		dropped  func(a dialog.Answers) bool
		outcome  policy.Outcome
	}{
		{"the date, from the read-back", damaged, "receipt_date", "receipt_date", []string{"!receipt_date:pickup"}, dialog.StateSummary,
			func(a dialog.Answers) bool { return a.CarrierChecked == nil }, policy.RefuseAtDelivery}, // not received: nothing to check with the carrier
		{"the packaging, from the read-back", damaged, "packaging", "packaging", []string{"!packaging:intact"}, "defect",
			func(a dialog.Answers) bool { return a.CarrierChecked == nil }, ""},
		{"the carrier check, from the read-back", damaged, "carrier_check", "carrier_check", []string{"!carrier_check:yes"}, dialog.StateSummary,
			func(dialog.Answers) bool { return true }, policy.Escalated},
		{"the defect, from the read-back", warranty, "defect", "defect", []string{"!defect:no"}, dialog.StateSummary,
			func(a dialog.Answers) bool { return a.Details == "" && len(a.Exclusions) == 0 }, policy.ReturnExpired},
		{"the description, from the read-back", warranty, "defect_details", "defect_details", []string{"water got into it", "!confirm_seals:yes"}, "confirm_foreign_substances",
			func(a dialog.Answers) bool { return a.Details == "water got into it" }, ""},
		{"an exclusion, from the read-back", warranty, "confirm_seals", "confirm_seals", []string{"!confirm_seals:no"}, dialog.StateSummary,
			func(a dialog.Answers) bool { return !a.Exclusions["seals"] }, policy.WarrantyExcluded},
		{"the date, mid-dialog", []string{"hi", "yesterday", "!packaging:intact"}, "receipt_date", "receipt_date", []string{"2026-01-10"}, "defect",
			func(a dialog.Answers) bool { return a.Packaging == policy.PackagingIntact }, ""},
		{"the packaging, mid-dialog", []string{"hi", "yesterday", "!packaging:damaged"}, "packaging", "packaging", []string{"!packaging:intact"}, "defect",
			func(dialog.Answers) bool { return true }, ""},
		{"the defect, mid-dialog", warranty[:5], "defect", "defect", []string{"!defect:no"}, dialog.StateSummary,
			func(a dialog.Answers) bool { return a.Details == "" }, policy.ReturnExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			for _, in := range tt.walk {
				c.input(in)
			}
			if c.last().Awaiting == dialog.StateSummary {
				c.hasButton("change:" + tt.change)
			}
			c.press("change:" + tt.change).awaiting(tt.awaiting)
			for _, in := range tt.answer {
				c.input(in)
			}
			c.awaiting(tt.then)
			if !tt.dropped(c.s.Answers) {
				t.Fatalf("answers %+v: the answers resting on the old one were not dropped", c.s.Answers)
			}
			if tt.outcome != "" {
				c.accept()
				c.decided(tt.outcome)
			}
		})
	}
}

func (c *chat) input(in string) *chat {
	c.t.Helper()
	if b, ok := strings.CutPrefix(in, "!"); ok {
		return c.press(b)
	}
	return c.say(in)
}

// TestStaleChangeButtons: a change button of a fact not asked, or before any answer,
// changes nothing.
func TestStaleChangeButtons(t *testing.T) {
	c := newChat(t).say("hi").say("yesterday").press("packaging:intact").press("defect:no").awaiting(dialog.StateSummary)
	c.press("change:carrier_check").says("earlier question").awaiting(dialog.StateSummary)
	c.press("change:nonsense").says("earlier question").awaiting(dialog.StateSummary)
	c.press("confirm_summary:no").says("earlier question").awaiting(dialog.StateSummary)
	c.accept().decided(policy.ReturnEligible)
	c.press("confirm_summary:yes").says("earlier question").awaiting("")
	// After a decision a change reopens the fact, and the read-back comes again.
	c.press("change:defect").awaiting("defect").press("defect:no").awaiting(dialog.StateSummary)
}

// TestReadBackIsTheOnlyWayToADecision: typed words at the read-back that are neither
// yes nor a correction are re-asked; "no" asks which fact to change.
func TestReadBackIsTheOnlyWayToADecision(t *testing.T) {
	c := newChat(t).say("hi").say("yesterday").press("packaging:intact").press("defect:no").awaiting(dialog.StateSummary)
	c.says("1. Received: 24 November 2026").says("2. Packaging: Intact and complete").says("3. Defect: No")
	c.hasButton("confirm_summary:yes").hasButton("change:receipt_date").hasButton("change:packaging").hasButton("change:defect")
	c.say("hmm").says("answer yes if everything is right").awaiting(dialog.StateSummary)
	c.say("no").says("Which answer should I change?").awaiting(dialog.StateSummary)
	if c.last().Decision != nil || c.s.Outcome != "" {
		t.Fatalf("decided without acceptance: %+v", c.last())
	}
	c.say("yes").decided(policy.ReturnEligible)
}

func TestWhy(t *testing.T) {
	c := newChat(t).say("hi").say("yesterday").awaiting("packaging")
	c.say("why?").says("Damage or missing parts on delivery are handled differently").says("What condition").awaiting("packaging")
	if c.s.Misses != 0 {
		t.Fatalf("a question about the question counted as an unreadable answer")
	}
	c.press("packaging:intact").press("defect:yes").say("It got wet").press("confirm_seals:yes").awaiting("confirm_foreign_substances")
	c.say("why do you need this?").says("excludes some cases from the warranty").says("Detected traces of foreign objects").awaiting("confirm_foreign_substances")
	c.press("confirm_foreign_substances:no").awaiting(dialog.StateSummary).say("why?").says("nothing is decided on a misunderstanding")
	s := newShopChat(t).say("hi").say("yesterday").awaiting("order_number")
	s.say("why?").says("With the order number we find your purchase").awaiting("order_number")
}

// TestOfferPersonAfterThreeUnreadableAnswers: the bot never guesses; after three answers
// to one question it cannot read, it offers a person with the question.
func TestOfferPersonAfterThreeUnreadableAnswers(t *testing.T) {
	c := newChat(t).say("hi").say("yesterday").awaiting("packaging")
	for i := 1; i <= 4; i++ {
		c.say("blorp").awaiting("packaging").says("I could not tell")
		offered := strings.Contains(strings.Join(c.buttons(), " "), "action:staff")
		if offered != (i >= 3) {
			t.Fatalf("after %d unreadable answers: person offered %v, want %v", i, offered, i >= 3)
		}
	}
	c.says("a person from our staff can help").press("action:staff").decided(policy.Escalated)
	// A new question starts counting afresh.
	c = newChat(t).say("hi").say("blorp").say("blorp").say("yesterday").awaiting("packaging").say("blorp")
	if strings.Contains(strings.Join(c.buttons(), " "), "action:staff") {
		t.Fatalf("person offered after one unreadable answer to a new question")
	}
}

// TestPersonFromTheFirstMessage: a request for a person escalates at once, and the
// hand-back starts at the first question.
func TestPersonFromTheFirstMessage(t *testing.T) {
	c := newChat(t).say("I want to talk to a human")
	if d := c.decided(policy.Escalated); d.Reason != policy.ReasonAsked || c.s.Resume != dialog.StateReceiptDate {
		t.Fatalf("reason %q resume %q, want asked and receipt_date", d.Reason, c.s.Resume)
	}
	if r := c.e.Resume(c.s, now); len(r) != 1 || r[0].Awaiting != dialog.StateReceiptDate {
		t.Fatalf("Resume = %+v, want the date question", r)
	}
}

// TestPhotoWithCaption: a photo with a caption at a closed question is kept, and the
// caption read as the answer.
func TestPhotoWithCaption(t *testing.T) {
	c := newChat(t).say("hi").say("yesterday").awaiting("packaging")
	c.step(dialog.Input{Photos: []string{"p1"}, Text: "damaged"}).says("kept your photo").awaiting("carrier_check")
	c.step(dialog.Input{Photos: []string{"p2"}, Text: "blorp"}).says("kept your photo").says("I could not tell").awaiting("carrier_check")
	if got := strings.Join(c.s.Answers.Photos, ","); got != "p1,p2" {
		t.Fatalf("photos %s, want p1,p2", got)
	}
}

// TestShopQuestions runs a claim through a shop's own questions: asked where the policy
// places them, read by their pattern or choices, read back, carried into the decision,
// corrected, and resumed after a person.
func TestShopQuestions(t *testing.T) {
	c := newShopChat(t)
	c.say("hi").say("yesterday").awaiting("order_number").says("What is your order number?").says("(For example: AB123456)")
	c.say("ab123456").awaiting("order_number").says("it should look like AB123456")
	c.say("it is AB123456, thanks").awaiting("packaging")
	c.press("packaging:intact").press("defect:no").awaiting("product").says("What kind of product")
	if got := strings.Join(c.buttons(), ","); got != "product:kettle,product:blender,product:toaster,product:other" {
		t.Fatalf("product buttons %s", got)
	}
	c.say("a fridge").awaiting("product").says("choose one of the options")
	c.press("action:staff").decided(policy.Escalated)
	if r := c.e.Resume(c.s, now); len(r) != 1 || r[0].Awaiting != "product" {
		t.Fatalf("Resume = %+v, want the product question again", r)
	}
	c.replies = nil
	c.say("Something else").awaiting(dialog.StateSummary).says("Order number: AB123456").says("Product: Something else")
	c.hasButton("change:order_number").hasButton("change:product")
	c.press("change:order_number").awaiting("order_number").say("CD654321").awaiting(dialog.StateSummary)
	d := c.accept().decided(policy.ReturnEligible)
	if d.Answers["order_number"] != "CD654321" || d.Answers["product"] != "other" || len(d.Answers) != 2 {
		t.Fatalf("decision answers %v, want the order number and the product", d.Answers)
	}
	// The product is asked only when the parcel arrived intact.
	c = newShopChat(t)
	c.say("hi").say("yesterday").say("AB123456").press("packaging:damaged").press("carrier_check:no").awaiting(dialog.StateSummary).lacks("Product")
	// Corrected to intact, it is asked.
	c.press("change:packaging").press("packaging:intact").press("defect:no").awaiting("product")
}

func TestShopQuestionsGerman(t *testing.T) {
	c := newShopChat(t)
	c.s.Lang = "de"
	c.say("Hallo").say("gestern").awaiting("order_number").says("(Zum Beispiel: AB123456)")
	c.say("123").says("es sollte etwa so aussehen: AB123456")
}

// TestDiagramFollowsTheTable: a shop's questions are states of the machine, drawn where
// the policy places them.
func TestDiagramFollowsTheTable(t *testing.T) {
	d := dialog.NewEngine(shopPolicy(t)).Diagram()
	for _, want := range []string{
		"receipt_date --> order_number: ask_order_number", "order_number --> packaging: ask_packaging",
		"defect --> product: ask_product", "product --> confirm_summary: read_back", "confirm_summary --> decided: decide",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("diagram lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "carrier_check --> product") {
		t.Errorf("diagram draws carrier_check --> product, which the product's condition rules out:\n%s", d)
	}
}

// TestReadBackFitsAPlatformMessage: a description that hints at every exclusion, each
// answered so that none applies, still reads back within Discord's 25 buttons, the
// description cut short.
func TestReadBackFitsAPlatformMessage(t *testing.T) {
	details := "water, dropped, repaired, modded firmware, installed wrong, fire, power surge, worn, cartridge, virus, sticker " +
		strings.Repeat("and so on ", 150)
	c := newChat(t).say("hi").say("2026-06-01").press("packaging:intact").press("defect:yes").say(details)
	for i := 0; strings.HasPrefix(c.last().Awaiting, "confirm_") && c.last().Awaiting != dialog.StateSummary; i++ {
		if i > 20 {
			t.Fatal("more exclusion questions than the policy has")
		}
		answer := ":no"
		if c.last().Awaiting == "confirm_seals" {
			answer = ":yes" // seals apply on a no
		}
		c.press(c.last().Awaiting + answer)
	}
	c.awaiting(dialog.StateSummary)
	if n := len(c.s.Answers.Exclusions); n != 11 {
		t.Fatalf("%d exclusions answered, want all 11", n)
	}
	for range 3 {
		c.say("blorp")
	}
	c.hasButton("action:staff")
	if n := len(c.last().Buttons); n > 25 {
		t.Fatalf("read-back with %d buttons, more than a Discord message holds", n)
	}
	if strings.Contains(c.last().Text, strings.Repeat("and so on ", 40)) {
		t.Fatalf("the read-back quotes the whole description")
	}
	c.accept().decided(policy.WarrantyRepair)
}
