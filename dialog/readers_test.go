package dialog_test

// Conversations that rest on the answer readers of dialog/understand reading free words:
// several facts in one message, corrections in words, a person or a dispute in the
// customer's words.

import (
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

func TestConversationsInWords(t *testing.T) {
	tests := []struct {
		name string
		lang string
		// steps are inputs ("!" presses a button) each followed, after "=>", by what the
		// bot must ask next (an awaiting name, "" for none) and optionally "|" a fragment
		// of its last reply.
		steps   []string
		outcome policy.Outcome // the decision at the end, if any
		check   func(a dialog.Answers) bool
	}{
		{name: "date and packaging in the first message",
			steps: []string{"I got it yesterday and the box was crushed => carrier_check"},
			check: func(a dialog.Answers) bool {
				return a.Receipt == "2026-11-24" && a.Packaging == policy.PackagingDamaged
			}},
		{name: "a defect given out of turn is kept",
			steps: []string{"hi => receipt_date", "3 days ago, and it doesn't work => packaging", "!packaging:intact => defect_details"},
			check: func(a dialog.Answers) bool { return a.Defect != nil && *a.Defect }},
		{name: "correcting the packaging drops the defect",
			steps: []string{"hi => receipt_date", "yesterday => packaging", "intact => defect", "actually the box was damaged => carrier_check"},
			check: func(a dialog.Answers) bool { return a.Packaging == policy.PackagingDamaged && a.Defect == nil }},
		{name: "change the date",
			steps: []string{"hi => receipt_date", "yesterday => packaging", "change the date => receipt_date", "2026-11-20 => packaging"},
			check: func(a dialog.Answers) bool { return a.Receipt == "2026-11-20" }},
		{name: "the date is wrong, from the read-back",
			steps: []string{"hi => receipt_date", "yesterday => packaging", "!packaging:intact => defect", "!defect:no => confirm_summary",
				"the date is wrong, it was the 12th => confirm_summary|12 November 2026", "yes => "},
			outcome: policy.ReturnEligible},
		{name: "packaging in words",
			steps: []string{"hi => receipt_date", "yesterday => packaging", "nothing was missing => defect"},
			check: func(a dialog.Answers) bool { return a.Packaging == policy.PackagingIntact }},
		{name: "not sure is asked again",
			steps: []string{"hi => receipt_date", "yesterday => packaging", "intact => defect", "not sure => defect|not sure", "no idea => defect"},
			check: func(a dialog.Answers) bool { return a.Defect == nil }},
		{name: "symptoms",
			steps: []string{"hi => receipt_date", "yesterday => packaging", "intact => defect", "it won't turn on => defect_details"}},
		{name: "works fine",
			steps: []string{"hi => receipt_date", "yesterday => packaging", "intact => defect", "works fine => confirm_summary"}},
		{name: "a person in the first message",
			steps: []string{"can I speak to a manager? => |passed your conversation"}, outcome: policy.Escalated},
		{name: "a person mid-dialog",
			steps: []string{"hi => receipt_date", "talk to a human please => |passed your conversation"}, outcome: policy.Escalated},
		{name: "a description that mentions support is a description",
			steps: []string{"hi => receipt_date", "2026-06-01 => packaging", "intact => defect", "yes => defect_details",
				"it stopped heating, support said to write here => confirm_seals"}},
		{name: "disagreeing after a decision",
			steps: []string{"hi => receipt_date", "yesterday => packaging", "intact => defect", "no => confirm_summary", "yes => ",
				"I don't agree => |passed your conversation"}, outcome: policy.Escalated},
		{name: "German",
			lang:  "de",
			steps: []string{"Ich habe es gestern bekommen, der Karton war zerdrückt => carrier_check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			c.s.Lang = tt.lang
			for _, st := range tt.steps {
				in, want, _ := strings.Cut(st, " => ")
				awaiting, fragment, _ := strings.Cut(want, "|")
				c.input(in).awaiting(awaiting)
				if fragment != "" {
					c.says(fragment)
				}
			}
			if tt.outcome != "" {
				c.decided(tt.outcome)
			}
			if tt.check != nil && !tt.check(c.s.Answers) {
				t.Errorf("answers %+v", c.s.Answers)
			}
		})
	}
}
