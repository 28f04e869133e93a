package handoff_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/policy"
)

// TestPolicyEditKeepsStoredDecision: a decision stated under one policy and disputed after
// the shop edited it shows, on the card and in case show, the decision and quote as
// stated, not as the new policy would have them; and every staff action updates the claim
// and queues its event.
func TestPolicyEditKeepsStoredDecision(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	for _, text := range []string{"hi", "yesterday", "intact", "no", "yes"} {
		w.send(customer(tgAnn, text))
	}
	old, _ := policy.Default().Clause(policy.ClauseReturnWindow)
	edited, err := policy.Parse(strings.Replace(policy.DefaultFile(), "within 14 days from", "within 30 days, counted from", 1))
	if err != nil {
		t.Fatalf("edited policy: %v", err)
	}
	newClause, _ := edited.Clause(policy.ClauseReturnWindow)
	if newClause.Text == old.Text {
		t.Fatal("the edit changed nothing")
	}
	w.policy = edited
	w.desk = w.newDesk() // the bot restarted with the edited policy

	out := w.send(customer(tgAnn, "this is wrong"))
	c, err := w.cases.OpenFor(ctx, tgAnn.Key())
	if err != nil {
		t.Fatalf("no case after a dispute: %v", err)
	}
	card := texts(to(out, thread(t, c, "discord")))
	if !strings.Contains(card, "“"+old.Text+"”") || strings.Contains(card, newClause.Text) || !strings.Contains(card, "Claim "+c.Claim) {
		t.Fatalf("card:\n%s\nwant the clause as quoted at decision time (%q), not %q, and claim %q", card, old.Text, newClause.Text, c.Claim)
	}
	r, err := w.claims.Get(ctx, claims.ID(c.Claim))
	if err != nil {
		t.Fatalf("the case's claim %q: %v", c.Claim, err)
	}
	var show strings.Builder
	handoff.WriteClaim(&show, r)
	if !strings.Contains(show.String(), old.Text) || r.State != claims.StateWithStaff || r.CaseID != c.ID || r.Reason != policy.ReasonDisputed {
		t.Fatalf("claim %+v:\n%s\nwant the old quote, with_staff, case %s, disputed", r, show.String(), c.ID)
	}

	th := thread(t, c, "telegram")
	w.send(staffMsg(th, tgStaff, "/claim"))
	w.send(staffMsg(th, tgStaff, "/override warranty_repair goodwill"))
	out = w.send(staffMsg(th, tgStaff, "/close refunded by bank transfer"))
	if got := texts(to(out, th)); !strings.Contains(got, "Usage: /close [REASON] [note]") || !strings.Contains(got, "goodwill, rejected") {
		t.Fatalf("/close with an unknown reason got %q, want the usage with the codes", got)
	}
	w.send(staffMsg(th, tgStaff, "/close refund by bank transfer"))
	if got, _ := w.cases.Get(ctx, c.ID); got.CloseReason != "refund" || got.CloseNote != "by bank transfer" {
		t.Fatalf("case closed with reason %q, note %q; want refund, by bank transfer", got.CloseReason, got.CloseNote)
	}
	r, err = w.claims.Get(ctx, claims.ID(c.Claim))
	if err != nil {
		t.Fatal(err)
	}
	if r.State != claims.StateClosed || r.CloseReason != "refund" || r.Override == nil || r.Override.Outcome != policy.WarrantyRepair || r.Outcome != policy.ReturnEligible {
		t.Fatalf("claim after close: %+v, want closed with the reason and the override", r)
	}
	ds, err := w.outbox.Lease(ctx, time.Now().Add(time.Minute), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, d := range ds {
		if d.Event.Claim.ID == r.ID {
			types = append(types, string(d.Event.Type))
		}
	}
	want := "claim.decided claim.escalated case.claimed claim.overridden case.closed"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("events of the claim: %s, want %s", got, want)
	}
}

// TestClaimEventsOncePerAction: a staff action delivered again queues its event once; a
// claim disputed again after staff handed it back is escalated again, as a new event.
func TestClaimEventsOncePerAction(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	for _, text := range []string{"hi", "yesterday", "intact", "no", "yes", "this is wrong"} {
		w.send(customer(tgAnn, text))
	}
	c, err := w.cases.OpenFor(ctx, tgAnn.Key())
	if err != nil {
		t.Fatal(err)
	}
	th := thread(t, c, "telegram")
	claim := staffMsg(th, tgStaff, "/claim")
	claim.ID, claim.Redelivery = "staff-1", true
	w.send(claim)
	w.send(claim) // delivered again
	w.send(staffMsg(th, tgStaff, "/tobot"))
	w.advance(time.Minute)
	w.send(customer(tgAnn, "I still disagree, this is unfair"))
	c2, err := w.cases.OpenFor(ctx, tgAnn.Key())
	if err != nil || c2.ID == c.ID || c2.Claim != c.Claim {
		t.Fatalf("second case %+v (%v): want a new case of the same claim %s", c2, err, c.Claim)
	}
	ds, err := w.outbox.Lease(ctx, time.Now().Add(time.Minute), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	ids := map[string]bool{}
	for _, d := range ds {
		types = append(types, string(d.Event.Type))
		if ids[d.Event.ID] {
			t.Errorf("event id %s twice", d.Event.ID)
		}
		ids[d.Event.ID] = true
	}
	want := "claim.decided claim.escalated case.claimed case.returned claim.escalated"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("events: %s, want %s", got, want)
	}
}

// TestReturnedClaimState: handed back, a disputed decision is decided again; an escalation
// without a decision is closed, saying why.
func TestReturnedClaimState(t *testing.T) {
	tests := []struct {
		name   string
		texts  []string
		want   claims.State
		reason string
	}{
		{"disputed decision", []string{"hi", "yesterday", "intact", "no", "yes", "this is wrong"}, claims.StateDecided, ""},
		{"asked for a person", []string{"hi", "person"}, claims.StateClosed, "returned to the bot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
			for _, text := range tt.texts {
				w.send(customer(tgAnn, text))
			}
			c, err := w.cases.OpenFor(ctx, tgAnn.Key())
			if err != nil {
				t.Fatal(err)
			}
			w.send(staffMsg(thread(t, c, "telegram"), tgStaff, "/tobot"))
			r, err := w.claims.Get(ctx, claims.ID(c.Claim))
			if err != nil || r.State != tt.want || r.CloseReason != tt.reason {
				t.Fatalf("claim %+v (%v): want state %s, close reason %q", r, err, tt.want, tt.reason)
			}
		})
	}
}
