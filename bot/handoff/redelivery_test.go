package handoff_test

import (
	"context"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// TestRedeliveredActionResendsNotices: the bot stored a staff action, then died (kill -9)
// before telling anyone; the platform delivers the action again. The redelivery sends the
// notices again, to the customer and the threads, rather than "already done"; the same
// action by a new message still gets the refusal.
func TestRedeliveredActionResendsNotices(t *testing.T) {
	for _, tt := range []struct {
		name, action   string
		claimFirst     bool
		customer, desk string
		again          string // what a second press, a new message, answers
	}{
		{"claim", handoff.ActClaim, false, "Staff7 from our team has taken up your case", "claimed by Staff7", "You are already handling case"},
		{"close", handoff.ActClose, true, "closed your case", "closed by Staff7", "is already closed"},
		{"return", handoff.ActReturn, true, "handed your conversation back to me", "returned to the bot by Staff7", "is already returned"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, newRedisCases(t), memstore.New())
			c := w.escalate(tgAnn, "hi")
			th := thread(t, c, "telegram")
			if tt.claimFirst {
				w.send(press(th, tgStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
			}
			m := press(th, tgStaff, handoff.ButtonID(tt.action, c.ID))
			m.ID = "900"
			// The first delivery is handled and stored, and its replies are lost.
			if _, err := w.desk.Handle(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			m.Redelivery = true
			out := w.send(m)
			if got := texts(to(out, tgAnn)); !strings.Contains(got, tt.customer) {
				t.Errorf("redelivered %s: customer got %q, want %q", tt.action, got, tt.customer)
			}
			if got := texts(to(out, th)); !strings.Contains(got, tt.desk) {
				t.Errorf("redelivered %s: thread got %q, want %q", tt.action, got, tt.desk)
			}
			out = w.send(press(th, tgStaff, handoff.ButtonID(tt.action, c.ID)))
			if got := texts(out); !strings.Contains(got, tt.again) || len(to(out, tgAnn)) != 0 {
				t.Errorf("a new %s press: got %q, want only %q to staff", tt.action, got, tt.again)
			}
		})
	}
}

// TestRedeliveredRelayIsSentAgain: a relayed message delivered again as a redelivery
// (its first handling may have stopped before sending) is relayed again, and recorded
// once; a plain duplicate is dropped.
func TestRedeliveredRelayIsSentAgain(t *testing.T) {
	w := newWorld(t, newRedisCases(t), memstore.New())
	c := w.escalate(tgAnn, "hi")
	th := thread(t, c, "telegram")
	w.send(press(th, tgStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	for _, tt := range []struct {
		name string
		m    bot.Message
		to   bot.Address
		want string
	}{
		{"customer to staff", customer(tgAnn, "the lid is cracked"), th, "Ann (customer): the lid is cracked"},
		{"staff to customer", staffMsg(th, tgStaff, "Please send a photo."), tgAnn, "Please send a photo."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			m.ID = "relay-" + tt.name
			if _, err := w.desk.Handle(context.Background(), m); err != nil { // replies lost
				t.Fatal(err)
			}
			if out := w.send(m); len(out) != 0 {
				t.Errorf("plain duplicate: got %q, want it dropped", texts(out))
			}
			m.Redelivery = true
			if got := texts(to(w.send(m), tt.to)); !strings.Contains(got, tt.want) {
				t.Errorf("redelivery: %s got %q, want %q", tt.to, got, tt.want)
			}
		})
	}
	es, err := w.cases.Transcript(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"the lid is cracked", "Please send a photo."} {
		n := 0
		for _, e := range es {
			if e.Text == text {
				n++
			}
		}
		if n != 1 {
			t.Errorf("transcript holds %q %d times, want once", text, n)
		}
	}
}
