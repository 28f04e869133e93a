package dialog_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// fuzzTexts are the words a fuzzed customer types: answers, bad answers, commands,
// requests and corrections.
var fuzzTexts = []string{
	"hi", "yesterday", "2026-05-01", "2027-01-01", "not received yet", "intact", "damaged", "parts missing",
	"yes", "no", "ja", "nein", "blorp", "why?", "back", "restart", "/start", "/help", "/frobnicate", "person",
	"I disagree", "It stopped heating after I spilled water and dropped it", "ok", "AB123456", "kettle",
	"change the date", "actually the box was damaged", "talk to a human", strings.Repeat("x", dialog.MaxTextLen+1),
}

// fuzzButtons are buttons a customer may press out of turn: stale, unknown or live.
var fuzzButtons = []string{
	"confirm_summary:yes", "confirm_summary:no", "change:packaging", "change:receipt_date", "change:defect_details",
	"change:confirm_seals", "change:order_number", "defect:yes", "packaging:intact", "action:staff", "action:restart",
	"action:back", "product:kettle", "nonsense", "x:",
}

// FuzzStep drives the dialog with random inputs, storing and loading the session as
// JSON between steps as a store does: no input panics, the state machine never refuses
// a transition, no eligibility decision is stated unless the customer accepted the
// read-back, and every button the bot offers is live when pressed at once.
func FuzzStep(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false)
	f.Add([]byte{0x80, 0x81, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, true)
	f.Add([]byte{0, 1, 0x80, 0x80, 0x80, 0x80, 0x40, 0x80, 0xc0, 0x80, 0x80}, false)
	engines := []*dialog.Engine{dialog.NewEngine(policy.Default()), dialog.NewEngine(shopPolicy(f))}
	f.Fuzz(func(t *testing.T, script []byte, shop bool) {
		e := engines[0]
		if shop {
			e = engines[1]
		}
		s := &dialog.Session{}
		var last []dialog.Reply
		at := now
		for i, b := range script {
			at = at.Add(time.Minute)
			in, resume, live := fuzzInput(b, last)
			before := s.State
			var replies []dialog.Reply
			switch {
			case resume && s.State == dialog.StateEscalated:
				replies = e.Resume(s, at)
				before = "resume"
			case resume:
				e.Repeat(s, at) // restates only; changes nothing
				continue
			default:
				replies = e.Step(s, in, at)
			}
			for _, r := range replies {
				if d := r.Decision; d != nil && d.Reason != policy.ReasonAsked && d.Reason != policy.ReasonDisputed &&
					before != dialog.StateSummary && before != "resume" {
					t.Fatalf("step %d (%+v) from state %s stated decision %s without an accepted read-back", i, in, before, d.Outcome)
				}
				if live && strings.Contains(r.Text, "belongs to an earlier question") {
					t.Fatalf("step %d: button %s the bot had just offered is stale: %q", i, in.Button, r.Text)
				}
			}
			if n := e.Refused(); n != 0 {
				t.Fatalf("step %d (%+v) from state %s: the state machine refused %d transitions", i, in, before, n)
			}
			// Store and load, as between two messages.
			data := s.AppendJSON(nil)
			loaded := &dialog.Session{}
			if err := json.Unmarshal(data, loaded); err != nil {
				t.Fatalf("step %d: stored session does not load: %v", i, err)
			}
			s = loaded
			if len(replies) > 0 {
				last = replies
			}
		}
	})
}

// fuzzInput turns one byte into an input: the top two bits choose a typed text, a
// button of the bot's last reply, another button, or a photo or a hand-back.
func fuzzInput(b byte, last []dialog.Reply) (in dialog.Input, resume, live bool) {
	n := int(b & 0x3f)
	switch b >> 6 {
	case 0:
		return dialog.Input{Text: fuzzTexts[n%len(fuzzTexts)]}, false, false
	case 1:
		return dialog.Input{Button: fuzzButtons[n%len(fuzzButtons)]}, false, false
	case 2:
		if len(last) > 0 {
			if bs := last[len(last)-1].Buttons; len(bs) > 0 {
				return dialog.Input{Button: bs[n%len(bs)].ID}, false, true
			}
		}
		return dialog.Input{Text: fuzzTexts[n%len(fuzzTexts)]}, false, false
	}
	switch n % 4 {
	case 0:
		return dialog.Input{}, true, false
	case 1:
		return dialog.Input{Photos: []string{"p"}}, false, false
	case 2:
		return dialog.Input{Photos: []string{"p"}, Text: fuzzTexts[n%len(fuzzTexts)]}, false, false
	}
	return dialog.Input{Unsupported: "sticker"}, false, false
}
