package dialog_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// chat drives one session through the engine, as a customer would.
type chat struct {
	t       *testing.T
	e       *dialog.Engine
	s       *dialog.Session
	replies []dialog.Reply // of the last step
}

func newChat(t *testing.T) *chat {
	return &chat{t: t, e: dialog.NewEngine(policy.Default()), s: &dialog.Session{}}
}

func (c *chat) step(in dialog.Input) *chat {
	c.t.Helper()
	c.replies = c.e.Step(c.s, in, now)
	if len(c.replies) == 0 && c.s.State != dialog.StateEscalated {
		c.t.Fatalf("input %+v got no reply in state %s", in, c.s.State)
	}
	return c
}

func (c *chat) say(text string) *chat     { c.t.Helper(); return c.step(dialog.Input{Text: text}) }
func (c *chat) press(button string) *chat { c.t.Helper(); return c.step(dialog.Input{Button: button}) }

// accept asserts that the bot reads back what it understood, and accepts it.
func (c *chat) accept() *chat {
	c.t.Helper()
	return c.awaiting(dialog.StateSummary).press("confirm_summary:yes")
}

func (c *chat) last() dialog.Reply {
	c.t.Helper()
	if len(c.replies) == 0 {
		c.t.Fatalf("no replies")
	}
	return c.replies[len(c.replies)-1]
}

// awaiting asserts what the bot asks for now.
func (c *chat) awaiting(want string) *chat {
	c.t.Helper()
	if got := c.last().Awaiting; got != want {
		c.t.Fatalf("awaiting %q, want %q (reply %q)", got, want, c.last().Text)
	}
	return c
}

func (c *chat) says(fragment string) *chat {
	c.t.Helper()
	if got := c.last().Text; !strings.Contains(got, fragment) {
		c.t.Fatalf("reply %q does not contain %q", got, fragment)
	}
	return c
}

func (c *chat) decided(want policy.Outcome) *policy.Decision {
	c.t.Helper()
	d := c.last().Decision
	if d == nil {
		c.t.Fatalf("no decision; last reply %q awaiting %q", c.last().Text, c.last().Awaiting)
	}
	if d.Outcome != want {
		c.t.Fatalf("outcome %s, want %s; reply %q", d.Outcome, want, c.last().Text)
	}
	for _, cl := range d.Clauses {
		if !strings.Contains(c.last().Text, cl.Text) {
			c.t.Errorf("clause %s is not quoted in the message text", cl.ID)
		}
	}
	return d
}

func TestOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		inputs  []string // "!" prefix presses a button
		awaited []string // what the bot asks for before each input, in order
		want    policy.Outcome
	}{
		{"return within window", []string{"hi", "yesterday", "!packaging:intact", "no"},
			[]string{"", "receipt_date", "packaging", "defect"}, policy.ReturnEligible},
		{"window expired", []string{"hi", "01.10.2026", "fine", "!defect:no"},
			[]string{"", "receipt_date", "packaging", "defect"}, policy.ReturnExpired},
		{"refuse at delivery", []string{"hi", "!receipt_date:pickup", "the box is crushed"},
			[]string{"", "receipt_date", "packaging"}, policy.RefuseAtDelivery},
		{"damage not covered", []string{"hi", "3 days ago", "!packaging:damaged", "no"},
			[]string{"", "receipt_date", "packaging", "carrier_check"}, policy.DamageNotCovered},
		{"missing parts not covered", []string{"hi", "3 days ago", "parts missing", "!carrier_check:no"},
			[]string{"", "receipt_date", "packaging", "carrier_check"}, policy.DamageNotCovered},
		{"carrier claim goes to staff", []string{"hi", "3 days ago", "damaged", "yes"},
			[]string{"", "receipt_date", "packaging", "carrier_check"}, policy.Escalated},
		{"free warranty repair", []string{"hi", "2026-05-01", "intact", "yes", "It stopped heating", "yes"},
			[]string{"", "receipt_date", "packaging", "defect", "defect_details", "confirm_seals"}, policy.WarrantyRepair},
		{"warranty excluded: seals", []string{"hi", "2026-05-01", "intact", "yes", "It stopped heating", "no"},
			[]string{"", "receipt_date", "packaging", "defect", "defect_details", "confirm_seals"}, policy.WarrantyExcluded},
		{"warranty excluded: hinted liquid", []string{"hi", "2026-05-01", "intact", "yes", "I spilled tea into it", "yes", "yes"},
			[]string{"", "receipt_date", "packaging", "defect", "defect_details", "confirm_seals", "confirm_foreign_substances"}, policy.WarrantyExcluded},
		{"hint denied", []string{"hi", "2026-05-01", "intact", "yes", "I spilled tea next to it, it did not get wet", "yes", "!confirm_foreign_substances:no"},
			[]string{"", "receipt_date", "packaging", "defect", "defect_details", "confirm_seals", "confirm_foreign_substances"}, policy.WarrantyRepair},
		{"warranty expired", []string{"hi", "2024-05-01", "intact", "yes", "It stopped heating", "yes"},
			[]string{"", "receipt_date", "packaging", "defect", "defect_details", "confirm_seals"}, policy.WarrantyExpired},
		{"asks for a person", []string{"hi", "person"},
			[]string{"", "receipt_date"}, policy.Escalated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			for i, in := range tt.inputs {
				if i > 0 {
					c.awaiting(tt.awaited[i])
				}
				if b, ok := strings.CutPrefix(in, "!"); ok {
					c.press(b)
				} else {
					c.say(in)
				}
			}
			if tt.name != "asks for a person" { // an escalation needs no read-back
				c.accept()
			}
			c.decided(tt.want)
		})
	}
}

func TestExcludedQuotesTheExclusion(t *testing.T) {
	c := newChat(t)
	c.say("hi").say("2026-05-01").say("intact").say("yes").say("I dropped it and the screen cracked").say("yes")
	c.awaiting("confirm_mechanical_damage").says(`You mentioned "dropped"`).say("yes").accept()
	d := c.decided(policy.WarrantyExcluded)
	if d.Exclusion != "mechanical_damage" || len(d.Clauses) != 2 || !strings.HasPrefix(d.Clauses[1].Text, "The product has severe mechanical") {
		t.Fatalf("decision = %+v, want the mechanical damage bullet quoted", d)
	}
}

func TestBadInputReasksAndKeepsAnswers(t *testing.T) {
	tests := []struct {
		name  string
		input dialog.Input
		says  string
	}{
		{"unparseable date", dialog.Input{Text: "sometime"}, "could not read a date"},
		{"future date", dialog.Input{Text: "2026-12-24"}, "24 December 2026 is still to come"},
		{"impossible date", dialog.Input{Text: "30.02.2026"}, "does not exist"},
		{"empty", dialog.Input{Text: "   "}, "did not receive any text"},
		{"huge", dialog.Input{Text: strings.Repeat("a", dialog.MaxTextLen+1)}, "2001 characters long"},
		{"sticker", dialog.Input{Unsupported: "sticker"}, "not a sticker"},
		{"unknown command", dialog.Input{Text: "/frobnicate"}, "do not know the command /frobnicate"},
		{"stale button", dialog.Input{Button: "defect:yes"}, "belongs to an earlier question"},
		{"garbage button", dialog.Input{Button: "???"}, "belongs to an earlier question"},
		{"help", dialog.Input{Text: "/help"}, "I decide returns"},
		{"start again mid-claim", dialog.Input{Text: "/start"}, "already in the middle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t).say("hi").say("yesterday").awaiting("packaging").say("back").awaiting("receipt_date")
			before := c.s.Answers
			c.step(tt.input).awaiting("receipt_date").says(tt.says).says("When did you receive")
			if c.s.State != dialog.StateReceiptDate || c.s.Answers.Receipt != before.Receipt {
				t.Fatalf("state %s answers %+v changed by bad input", c.s.State, c.s.Answers)
			}
			c.say("yesterday").awaiting("packaging")
		})
	}
}

func TestBackCorrectsAnEarlierAnswer(t *testing.T) {
	c := newChat(t)
	c.say("hi").say("yesterday").say("damaged").awaiting("carrier_check")
	c.say("back").awaiting("packaging").says("What condition")
	c.press("packaging:intact").awaiting("defect")
	c.say("yes").say("it does not heat, water").awaiting("confirm_seals").say("yes").awaiting("confirm_foreign_substances")
	c.say("/back").awaiting("confirm_seals")
	c.say("back").awaiting("defect_details")
	c.say("It does not heat").awaiting("confirm_seals").say("yes").accept()
	c.decided(policy.WarrantyRepair)
	c.say("back").awaiting(dialog.StateSummary).says("Here is what I understood")
	c.say("back").awaiting("confirm_seals").say("no").accept()
	c.decided(policy.WarrantyExcluded)
	if c.s.Answers.CarrierChecked != nil {
		t.Fatalf("carrier answer of the abandoned path should be gone, got %v", *c.s.Answers.CarrierChecked)
	}
}

func TestRestartAndAfterDecision(t *testing.T) {
	c := newChat(t)
	c.say("hi").say("yesterday").say("intact").say("no").accept()
	c.decided(policy.ReturnEligible)
	c.say("thanks!").says("Your claim is decided")
	if b := c.last().Buttons; len(b) != 2 || b[0].ID != "action:restart" || b[1].ID != "action:staff" {
		t.Fatalf("after-decision buttons = %+v", b)
	}
	c.press("packaging:intact").says("earlier question") // stale
	c.press("action:restart").awaiting("receipt_date")
	if c.s.Answers.Receipt != "" || c.s.Outcome != "" {
		t.Fatalf("restart kept answers %+v outcome %q", c.s.Answers, c.s.Outcome)
	}
}

func TestDisputeEscalatesAndResumes(t *testing.T) {
	c := newChat(t)
	c.say("hi").say("2026-01-01").say("intact").say("no").accept()
	c.decided(policy.ReturnExpired)
	c.say("I disagree, that's unfair")
	d := c.decided(policy.Escalated)
	if d.Reason != policy.ReasonDisputed || c.s.State != dialog.StateEscalated {
		t.Fatalf("reason %q state %s, want disputed, escalated", d.Reason, c.s.State)
	}
	c.say("hello?").says("with our staff")
	replies := c.e.Resume(c.s, now)
	if c.s.State != dialog.StateDecided || len(replies) != 1 || replies[0].Decision == nil || replies[0].Decision.Outcome != policy.ReturnExpired {
		t.Fatalf("Resume after a dispute: state %s replies %+v; want the decision again", c.s.State, replies)
	}
}

func TestEscalateMidDialogResumesAtTheSameQuestion(t *testing.T) {
	c := newChat(t)
	c.say("hi").say("yesterday").say("intact").awaiting("defect")
	c.press("action:staff")
	c.decided(policy.Escalated)
	if c.s.Reason != policy.ReasonAsked {
		t.Fatalf("reason = %q, want asked", c.s.Reason)
	}
	replies := c.e.Resume(c.s, now)
	if len(replies) != 1 || replies[0].Awaiting != "defect" {
		t.Fatalf("Resume = %+v, want the defect question again", replies)
	}
	c.say("no").accept()
	c.decided(policy.ReturnEligible)
}

func TestPhotos(t *testing.T) {
	c := newChat(t)
	c.say("hi").say("yesterday").say("intact").say("yes").awaiting("defect_details")
	c.step(dialog.Input{Photos: []string{"p1"}}).awaiting("defect_details").says("describe the defect")
	c.step(dialog.Input{Photos: []string{"p2"}, Text: "The lid is cracked"}).awaiting("confirm_seals")
	if got := strings.Join(c.s.Answers.Photos, ","); got != "p1,p2" {
		t.Fatalf("photos = %s, want p1,p2", got)
	}
}

func TestDiagramIsInREADME(t *testing.T) {
	diagram := dialog.Diagram()
	for _, state := range []string{dialog.StateReceiptDate, dialog.StatePackaging, dialog.StateCarrierCheck, dialog.StateDefect,
		dialog.StateDefectDetails, dialog.StateConfirm, dialog.StateDecided, dialog.StateEscalated} {
		if !strings.Contains(diagram, state) {
			t.Errorf("diagram lacks state %s", state)
		}
	}
	readme, err := readFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readme, diagram) {
		t.Fatalf("README.md does not contain the current dialog diagram; paste the output of `go run ./cmd/returnsbot diagram`:\n%s", diagram)
	}
}

func readFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	return string(b), err
}

func TestCarrierClaimResumesWithoutEscalatingAgain(t *testing.T) {
	c := newChat(t)
	c.say("hi").say("yesterday").say("damaged").say("yes").accept()
	c.decided(policy.Escalated)
	replies := c.e.Resume(c.s, now)
	if c.s.State != dialog.StateDecided || len(replies) != 1 || !strings.Contains(replies[0].Text, "start a new claim") {
		t.Fatalf("Resume of a carrier claim: state %s replies %+v; want the after-decision offer", c.s.State, replies)
	}
	if c.e.Resume(c.s, now) != nil {
		t.Fatalf("Resume of a session that is not escalated should do nothing")
	}
}

func TestGerman(t *testing.T) {
	c := newChat(t)
	c.s.Lang = "de-AT"
	c.say("Hallo").awaiting("receipt_date").says("Wann haben Sie die Ware erhalten?")
	if got := c.last().Buttons[2].Label; got != "Noch nicht erhalten" {
		t.Fatalf("button label %q, want German", got)
	}
	c.say("vor 3 Tagen").awaiting("packaging").say("unbeschädigt").awaiting("defect").say("nein")
	c.awaiting(dialog.StateSummary).says("Das habe ich verstanden").says("Erhalten: 22. November 2026").say("ja")
	c.decided(policy.ReturnEligible)
	c.says("am 22. November 2026 erhalten").says("The buyer has the right to return") // the policy is quoted as written
	c.say("zurück").awaiting(dialog.StateSummary)
	if !dialog.HasLanguage("de") || dialog.HasLanguage("xx") {
		t.Fatalf("HasLanguage: de must be there, xx not")
	}
}

// TestRepeat: a message handled before whose replies may be lost is answered with what
// the last reply asked or stated, after a note, and the session stays as it was.
func TestRepeat(t *testing.T) {
	tests := []struct {
		name     string
		inputs   []string
		awaiting string
		outcome  policy.Outcome // the decision repeated, if any
		says     string
	}{
		{"first question", []string{"hi"}, "receipt_date", "", "When did you receive"},
		{"a later question", []string{"hi", "yesterday", "intact"}, "defect", "", "does the product have a defect"},
		{"an exclusion question", []string{"hi", "2026-06-01", "intact", "yes", "it got wet in the rain"}, "confirm_seals", "", "seals"},
		{"the read-back", []string{"hi", "yesterday", "intact", "no"}, "confirm_summary", "", "Here is what I understood"},
		{"the decision", []string{"hi", "yesterday", "intact", "no", "yes"}, "", policy.ReturnEligible, "last day to return"},
		{"escalated", []string{"hi", "person"}, "", "", "with our staff"},
		{"a carrier claim handed back", []string{"hi", "yesterday", "damaged", "yes", "yes", "resume"}, "", "", "Your claim is decided"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			for _, in := range tt.inputs {
				if in == "resume" { // staff hand the conversation back
					c.replies = c.e.Resume(c.s, now)
					continue
				}
				c.say(in)
			}
			before := *c.s
			beforeSeen := append([]string(nil), c.s.Seen...)
			replies := c.e.Repeat(c.s, now.Add(time.Hour))
			if len(replies) != 1 {
				t.Fatalf("Repeat = %d replies %+v, want 1", len(replies), replies)
			}
			r := replies[0]
			if !strings.HasPrefix(r.Text, "In case my last message did not reach you") || !strings.Contains(strings.ToLower(r.Text), strings.ToLower(tt.says)) {
				t.Errorf("Repeat text %q, want the note then %q", r.Text, tt.says)
			}
			if r.Awaiting != tt.awaiting {
				t.Errorf("Repeat awaiting %q, want %q", r.Awaiting, tt.awaiting)
			}
			if tt.outcome != "" && (r.Decision == nil || r.Decision.Outcome != tt.outcome) {
				t.Errorf("Repeat decision %+v, want %s", r.Decision, tt.outcome)
			}
			if tt.awaiting != "" && len(r.Buttons) != len(c.last().Buttons) {
				t.Errorf("Repeat buttons %+v, want the question's %+v", r.Buttons, c.last().Buttons)
			}
			if c.s.State != before.State || c.s.Updated != before.Updated || c.s.Outcome != before.Outcome ||
				c.s.DecidedAt != before.DecidedAt || strings.Join(c.s.Seen, ",") != strings.Join(beforeSeen, ",") {
				t.Errorf("Repeat changed the session: %+v, was %+v", *c.s, before)
			}
		})
	}
}

// TestSwitchLanguage: /language offers the languages, each in its own name; a choice
// goes on with the claim in that language and keeps the answers; an unknown one is stale.
func TestSwitchLanguage(t *testing.T) {
	c := newChat(t)
	c.say("hi").say("yesterday").awaiting("packaging")
	c.say("/language").awaiting("language").says("Which language")
	if got := c.last().Buttons; len(got) != 9 || got[2].ID != "language:es" || got[2].Label != "Español" {
		t.Fatalf("language buttons: got %+v, want the nine languages by their own names", got)
	}
	c.press("language:fr").awaiting("packaging").says("À partir de maintenant, je vous parle en français.").
		says("Dans quel état étaient l'emballage")
	if c.s.Lang != "fr" {
		t.Fatalf("session language: got %q, want fr", c.s.Lang)
	}
	c.press("language:xx").awaiting("packaging").says("Ce bouton appartient à une question précédente.")
	c.say("langue").awaiting("language")
	c.press("language:de").awaiting("packaging").says("Ab jetzt spreche ich Deutsch")
}
