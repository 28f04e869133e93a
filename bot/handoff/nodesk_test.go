package handoff_test

import (
	"context"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/policy"
)

// With no staff desk, a request for a person is answered with the shop's contact, the
// claim is recorded as escalated with its webhook event, and the dialog goes on where it
// was instead of promising an answer no one will give.
func TestNoDeskGivesContactAndResumes(t *testing.T) {
	for _, tt := range []struct {
		name, contact, lang, want string
	}{
		{"contact", "help@example.com", "", "contact the shop directly: help@example.com"},
		{"no contact", "", "", "contact the shop the way you ordered from it"},
		{"german", "help@example.com", "de", "direkt an den Shop: help@example.com"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sessions := memstore.New()
			cl := memclaims.New(memclaims.Options{})
			ob := memclaims.NewOutbox(memclaims.OutboxOptions{})
			svc := &bot.Service{Engine: dialog.NewEngine(policy.Default()), Store: sessions, Claims: cl, Outbox: ob, PolicyVersion: "test"}
			nd := &handoff.NoDesk{Dialog: svc, Engine: svc.Engine, Contact: tt.contact}
			ctx := context.Background()
			ann := bot.Address{Platform: "telegram", Chat: "1"}
			say := func(id, text string) []bot.Outbound {
				t.Helper()
				out, err := nd.Handle(ctx, bot.Message{ID: id, From: ann, User: "1", Text: text, Lang: tt.lang})
				if err != nil {
					t.Fatalf("Handle(%q): %v", text, err)
				}
				return out
			}
			say("1", "hi")
			say("2", "yesterday")
			out := say("3", "I want to talk to a person")
			got := texts(out)
			if !strings.Contains(got, tt.want) || strings.Contains(got, "passed your conversation") || strings.Contains(got, "weitergegeben") {
				t.Fatalf("escalation answered %q, want the contact (%q) and no promise", got, tt.want)
			}
			var claim string
			for _, o := range out {
				if o.Decision != nil && o.Decision.Outcome == policy.Escalated {
					claim = o.Decision.Claim
				}
			}
			if claim == "" || !strings.Contains(got, claim) {
				t.Fatalf("escalation %q names no claim id (decision claim %q)", got, claim)
			}
			if last := out[len(out)-1]; last.Awaiting != dialog.StatePackaging {
				t.Fatalf("last reply awaits %q, want the dialog back at packaging: %q", last.Awaiting, got)
			}
			r, err := cl.Get(ctx, claims.ID(claim))
			if err != nil || r.Outcome != policy.Escalated {
				t.Fatalf("claim %s = %+v, %v; want it recorded as escalated", claim, r, err)
			}
			if c, _ := ob.Counts(ctx); c.Pending != 1 {
				t.Fatalf("outbox holds %d events, want claim.escalated", c.Pending)
			}
			// The dialog goes on: the next answer is the packaging's.
			out = say("4", "intact")
			if got := texts(out); strings.Contains(got, "with our staff") {
				t.Fatalf("after the contact the customer got %q, want the dialog", got)
			}
		})
	}
}

// A session left escalated (a desk since removed, or a stop before the hand-back) is
// handed back on the customer's next message, with the contact.
func TestNoDeskHandsBackAStrandedEscalation(t *testing.T) {
	sessions := memstore.New()
	svc := &bot.Service{Engine: dialog.NewEngine(policy.Default()), Store: sessions}
	ctx := context.Background()
	ann := bot.Address{Platform: "telegram", Chat: "1"}
	for i, text := range []string{"hi", "person"} {
		if _, err := svc.Handle(ctx, bot.Message{ID: string(rune('a' + i)), From: ann, User: "1", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	nd := &handoff.NoDesk{Dialog: svc, Engine: svc.Engine, Contact: "0800 123"}
	out, err := nd.Handle(ctx, bot.Message{ID: "c", From: ann, User: "1", Text: "hello? anyone?"})
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(out); !strings.Contains(got, "0800 123") || len(out) < 2 {
		t.Fatalf("stranded escalation answered %q, want the contact and the dialog's question", got)
	}
	s, _ := sessions.Load(ctx, ann.Key())
	if s.State == dialog.StateEscalated {
		t.Fatal("session still escalated after the hand-back")
	}
}
