package handoff_test

import (
	"context"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// /reopen in a closed case's thread takes it up again as a new case in the same threads,
// claimed by the reopener, with the transcript carried over; the customer's messages go
// to staff again, and the rest of the desk works on the new case.
func TestReopen(t *testing.T) {
	inEachStore(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		old := w.escalate(tgAnn, "hi")
		th := thread(t, old, "discord")
		w.send(staffMsg(th, dcStaff, "/claim"))
		w.send(staffMsg(th, dcStaff, "/close"))
		out := w.send(staffMsg(th, dcStaff, "/reopen"))
		if got := texts(to(out, tgAnn)); !strings.Contains(got, "reopened your case") {
			t.Fatalf("the customer got %q, want told the case is reopened", got)
		}
		c, err := w.cases.OpenFor(ctx, tgAnn.Key())
		if err != nil || c.ID == old.ID || c.Reopened != old.ID || c.Claimed == nil || c.Claimed.User != dcStaff {
			t.Fatalf("open case after /reopen: %+v, %v; want a new case from %s claimed by %s", c, err, old.ID, dcStaff)
		}
		if got := texts(to(out, thread(t, c, "telegram"))); !strings.Contains(got, "reopened by Staff8 (discord) as case "+c.ID) {
			t.Fatalf("the other desk got %q", got)
		}
		// The old case's rating button changes nothing of the threads.
		w.send(bot.Message{From: tgAnn, User: "1", Button: "desk:rate:" + old.ID + ":5"})
		out = w.send(customer(tgAnn, "one more question"))
		if got := texts(to(out, th)); !strings.Contains(got, "Ann (customer): one more question") {
			t.Fatalf("after /reopen the thread got %q, want the customer's message", got)
		}
		out = w.send(staffMsg(th, dcStaff, "sure, ask"))
		if got := texts(to(out, tgAnn)); got != "sure, ask" {
			t.Fatalf("the reopener's answer reached the customer as %q", got)
		}
		if got := texts(w.send(staffMsg(th, dcStaff, "/reopen"))); !strings.Contains(got, "is open; there is nothing to reopen") {
			t.Fatalf("/reopen of an open case got %q", got)
		}
		es, _ := w.cases.Transcript(ctx, c.ID)
		var b strings.Builder
		if err := handoff.WriteCase(&b, c, es); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Reopened from: case " + old.ID, "Customer Ann: hi", "closed by Staff8 (discord): resolved", "reopened by Staff8 (discord) from case " + old.ID, "Customer Ann: one more question"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("the new case's transcript lacks %q:\n%s", want, b.String())
			}
		}
		r, _ := w.claims.Get(ctx, claims.ID(c.Claim))
		if r.CaseID != c.ID || r.State != claims.StateWithStaff || r.CloseReason != "" {
			t.Fatalf("claim after /reopen: case %s state %s reason %q", r.CaseID, r.State, r.CloseReason)
		}
		// Handing back works on the reopened conversation.
		out = w.send(staffMsg(th, dcStaff, "/tobot"))
		if got := to(out, tgAnn); len(got) < 2 {
			t.Fatalf("/tobot after /reopen sent the customer %q", texts(got))
		}
		s, _ := w.sessions.Load(ctx, tgAnn.Key())
		if s.State == dialog.StateEscalated {
			t.Fatal("the session is still with staff after /tobot")
		}
	})
}

// A customer with another open case cannot have an old one reopened.
func TestReopenRefusedWhileAnotherIsOpen(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	old := w.escalate(tgAnn, "hi")
	th := thread(t, old, "discord")
	w.send(staffMsg(th, dcStaff, "/close"))
	c := w.escalate(tgAnn, "hello again")
	out := w.send(staffMsg(th, dcStaff, "/reopen"))
	if got := texts(out); !strings.Contains(got, "another open case, "+c.ID) {
		t.Fatalf("/reopen with another case open got %q", got)
	}
	if got, _ := w.cases.OpenFor(context.Background(), tgAnn.Key()); got.ID != c.ID {
		t.Fatalf("open case %s, want %s untouched", got.ID, c.ID)
	}
}
