package handoff_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// buttonOf returns the id of the button of out whose id starts with prefix, or "".
func buttonOf(out []bot.Outbound, prefix string) string {
	for _, o := range out {
		for _, b := range o.Buttons {
			if strings.HasPrefix(b.ID, prefix) {
				return b.ID
			}
		}
	}
	return ""
}

// A waiting customer hears their place in the queue on escalation and, at most every
// QueueNotice, when they write again; claimed, they hear no more of it.
func TestQueueNotices(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	w.send(customer(dcBob, "hi"))
	out := w.send(customer(dcBob, "person"))
	if got := texts(to(out, dcBob)); !strings.Contains(got, "number 1 in the queue") || buttonOf(out, "desk:leave:") == "" {
		t.Fatalf("Bob's escalation got %q, want his place (1) and the back-to-the-bot button", got)
	}
	w.advance(time.Second)
	w.send(customer(tgAnn, "hi"))
	out = w.send(customer(tgAnn, "person"))
	if got := texts(to(out, tgAnn)); !strings.Contains(got, "number 2 in the queue") {
		t.Fatalf("Ann's escalation got %q, want number 2", got)
	}
	out = w.send(customer(tgAnn, "are you there?"))
	if got := texts(to(out, tgAnn)); got != "" {
		t.Fatalf("a message right after the notice got %q, want it only relayed", got)
	}
	w.advance(handoff.DefaultQueueNotice)
	out = w.send(customer(tgAnn, "hello?"))
	if got := texts(to(out, tgAnn)); !strings.Contains(got, "Our staff have your messages") {
		t.Fatalf("a message %v later got %q, want the queue notice again", handoff.DefaultQueueNotice, got)
	}
	c, _ := w.cases.OpenFor(context.Background(), tgAnn.Key())
	w.send(press(thread(t, c, "discord"), dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	w.advance(handoff.DefaultQueueNotice)
	out = w.send(customer(tgAnn, "thanks"))
	if got := texts(to(out, tgAnn)); got != "" {
		t.Fatalf("a claimed case's customer got %q, want no queue notice", got)
	}
}

// "cancel", the localized words and the button take a waiting customer back to the bot
// where they were; the case closes as customer_left and staff are told.
func TestCustomerLeavesTheQueue(t *testing.T) {
	for _, tt := range []struct {
		name string
		lang string
		msg  func(out []bot.Outbound) bot.Message
	}{
		{"cancel", "", func([]bot.Outbound) bot.Message { return customer(tgAnn, "cancel") }},
		{"words", "", func([]bot.Outbound) bot.Message { return customer(tgAnn, "Back to the bot!") }},
		{"german words", "de", func([]bot.Outbound) bot.Message {
			m := customer(tgAnn, "zurück zum Bot")
			m.Lang = "de"
			return m
		}},
		{"button", "", func(out []bot.Outbound) bot.Message {
			return bot.Message{From: tgAnn, User: "1", Button: buttonOf(out, "desk:leave:")}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
			first := customer(tgAnn, "hi")
			first.Lang = tt.lang
			w.send(first)
			w.send(customer(tgAnn, "yesterday"))
			out := w.send(customer(tgAnn, "person"))
			c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
			if err != nil {
				t.Fatal(err)
			}
			out = w.send(tt.msg(out))
			ann := to(out, tgAnn)
			if len(ann) < 2 || ann[len(ann)-1].Awaiting != dialog.StatePackaging {
				t.Fatalf("leaving got %q, want the notice and the packaging question again", texts(ann))
			}
			if got := texts(to(out, thread(t, c, "discord"))); !strings.Contains(got, "left the queue") {
				t.Fatalf("the thread got %q, want staff told the customer left", got)
			}
			got, _ := w.cases.Get(context.Background(), c.ID)
			if got.Status != handoff.Closed || got.CloseReason != handoff.ReasonCustomerLeft {
				t.Fatalf("case %s %s (%s), want closed as customer_left", got.ID, got.Status, got.CloseReason)
			}
			r, _ := w.claims.Get(context.Background(), claims.ID(c.Claim))
			if r.CloseReason != handoff.ReasonCustomerLeft {
				t.Fatalf("claim close reason %q, want customer_left", r.CloseReason)
			}
			// The dialog goes on; the customer's next answer is the bot's again.
			out = w.send(customer(tgAnn, "intact"))
			if got := to(out, thread(t, c, "discord")); len(got) != 0 {
				t.Fatalf("after leaving, the thread got %q", texts(got))
			}
		})
	}
}

// Someone else's leave button leaves nothing of theirs.
func TestLeaveButtonOfAnotherCustomer(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	w.send(customer(tgAnn, "hi"))
	out := w.send(customer(tgAnn, "person"))
	leave := buttonOf(out, "desk:leave:")
	out = w.send(bot.Message{From: dcBob, User: "2", Button: leave})
	if got := texts(to(out, dcBob)); !strings.Contains(got, "not waiting") {
		t.Fatalf("Bob pressing Ann's button got %q", got)
	}
	if _, err := w.cases.OpenFor(context.Background(), tgAnn.Key()); err != nil {
		t.Fatalf("Ann's case is no longer open: %v", err)
	}
}

// Staff notes stay among staff: in the transcript as notes, shown on the other desk, never
// sent to the customer.
func TestNoteStaysWithStaff(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi")
	dcThread, tgThread := thread(t, c, "discord"), thread(t, c, "telegram")
	out := w.send(staffMsg(dcThread, dcStaff, "/note customer called earlier, wants a refund"))
	if got := to(out, tgAnn); len(got) != 0 {
		t.Fatalf("a note reached the customer: %q", texts(got))
	}
	if got := texts(to(out, dcThread)); !strings.Contains(got, "Note kept") {
		t.Fatalf("the note's writer got %q", got)
	}
	if got := texts(to(out, tgThread)); !strings.Contains(got, "Note by Staff8 (discord): customer called earlier") {
		t.Fatalf("the other desk got %q, want the note", got)
	}
	out = w.send(staffMsg(dcThread, dcStaff, "/note"))
	if got := texts(out); !strings.Contains(got, "Usage: /note TEXT") {
		t.Fatalf("an empty note got %q", got)
	}
	es, _ := w.cases.Transcript(context.Background(), c.ID)
	var b strings.Builder
	if err := handoff.WriteCase(&b, c, es); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Note Staff8 (discord): customer called earlier, wants a refund") {
		t.Fatalf("case show lacks the note:\n%s", b.String())
	}
}

// After a close the customer rates the case once; the score goes to the case, the claim
// (claim.rated) and the threads.
func TestRating(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi")
	th := thread(t, c, "discord")
	w.send(press(th, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	out := w.send(staffMsg(th, dcStaff, "/close goodwill replaced the lid"))
	rate4 := buttonOf(out, "desk:rate:"+c.ID+":4")
	if !strings.Contains(texts(to(out, tgAnn)), "rate from 1 to 5") || rate4 == "" {
		t.Fatalf("close sent the customer %q, want the rating with buttons", texts(to(out, tgAnn)))
	}
	// Another customer cannot rate Ann's case.
	if got := texts(w.send(bot.Message{From: dcBob, User: "2", Button: rate4})); !strings.Contains(got, "no case of yours") {
		t.Fatalf("Bob rating Ann's case got %q", got)
	}
	out = w.send(bot.Message{From: tgAnn, User: "1", Button: rate4})
	if got := texts(to(out, tgAnn)); !strings.Contains(got, "Thank you for your rating") {
		t.Fatalf("rating got %q", got)
	}
	if got := texts(to(out, th)); !strings.Contains(got, "rated case "+c.ID+" 4/5") {
		t.Fatalf("the thread got %q", got)
	}
	w.advance(time.Minute)
	w.send(bot.Message{From: tgAnn, User: "1", Button: "desk:rate:" + c.ID + ":1"})
	r, _ := w.claims.Get(context.Background(), claims.ID(c.Claim))
	if r.Rating == nil || r.Rating.Score != 4 || r.CloseReason != "goodwill" {
		t.Fatalf("claim rating %+v, close reason %q; want the first rating, 4, and goodwill", r.Rating, r.CloseReason)
	}
	ds, _ := w.outbox.Lease(context.Background(), time.Now().Add(time.Hour), 100, time.Minute)
	var rated int
	for _, d := range ds {
		if d.Event.Type == claims.ClaimRated {
			rated++
			if d.Event.Claim.Rating == nil || d.Event.Claim.Rating.Score != 4 {
				t.Fatalf("claim.rated carries %+v", d.Event.Claim.Rating)
			}
		}
	}
	if rated != 1 {
		t.Fatalf("%d claim.rated events, want 1", rated)
	}
}

// After a close the customer may ask for the conversation: theirs, the bot's and staff's
// messages, never staff notes or the desk's own lines.
func TestCustomerCopyOfTheConversation(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi")
	th := thread(t, c, "discord")
	w.send(staffMsg(th, dcStaff, "/claim"))
	w.send(staffMsg(th, dcStaff, "/note internal: VIP customer"))
	w.advance(time.Minute)
	w.send(staffMsg(th, dcStaff, "Hello Ann, how can I help?"))
	w.send(customer(tgAnn, "my kettle leaks"))
	w.advance(time.Minute)
	w.send(staffMsg(th, dcStaff, "Please send a photo."))
	// The claim's time to first answer: the first staff message, not a note or a later one.
	if r, _ := w.claims.Get(context.Background(), claims.ID(c.Claim)); !r.FirstStaffReply.Equal(now0.Add(time.Minute)) {
		t.Fatalf("FirstStaffReply = %v, want %v", r.FirstStaffReply, now0.Add(time.Minute))
	}
	out := w.send(staffMsg(th, dcStaff, "/close repair"))
	copyBtn := buttonOf(out, "desk:copy:")
	if copyBtn == "" {
		t.Fatalf("the close offered no copy button: %+v", to(out, tgAnn))
	}
	if got := texts(w.send(bot.Message{From: dcBob, User: "2", Button: copyBtn})); !strings.Contains(got, "no closed case of yours") {
		t.Fatalf("Bob asking for Ann's conversation got %q", got)
	}
	got := texts(w.send(bot.Message{From: tgAnn, User: "1", Button: copyBtn}))
	for _, want := range []string{"Our conversation about case " + c.ID, "You: hi", "You: person", "Staff8: Hello Ann, how can I help?", "You: my kettle leaks", "Bot: Our staff have closed your case"} {
		if !strings.Contains(got, want) {
			t.Errorf("the copy lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"VIP", "claimed by", "(discord)"} {
		if strings.Contains(got, not) {
			t.Errorf("the copy shows %q:\n%s", not, got)
		}
	}
}

// "Add a comment" after a rating takes the customer's next message as the comment: on the
// case, the claim and the webhook, shown to staff; without pressing it, the next message
// goes to the dialog.
func TestRatingComment(t *testing.T) {
	inEachStore(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		c := w.escalate(tgAnn, "hi")
		th := thread(t, c, "discord")
		w.send(staffMsg(th, dcStaff, "/claim"))
		w.send(staffMsg(th, dcStaff, "/close"))
		out := w.send(bot.Message{From: tgAnn, User: "1", Button: "desk:rate:" + c.ID + ":2"})
		add := buttonOf(out, "desk:comment:")
		if add == "" {
			t.Fatalf("the rating's thanks offered no comment button: %q", texts(out))
		}
		if got := texts(w.send(bot.Message{From: dcBob, User: "2", Button: add})); !strings.Contains(got, "no case of yours") {
			t.Fatalf("Bob commenting on Ann's case got %q", got)
		}
		if got := texts(w.send(bot.Message{From: tgAnn, User: "1", Button: add})); !strings.Contains(got, "write your comment in one message") {
			t.Fatalf("Add a comment got %q", got)
		}
		out = w.send(customer(tgAnn, "It took two days to get an answer."))
		if got := texts(to(out, tgAnn)); !strings.Contains(got, "Thank you for your comment") {
			t.Fatalf("the comment got %q", got)
		}
		if got := texts(to(out, th)); !strings.Contains(got, "comment on case "+c.ID+" (2/5): It took two days") {
			t.Fatalf("the thread got %q", got)
		}
		r, _ := w.claims.Get(ctx, claims.ID(c.Claim))
		if r.Rating == nil || r.Rating.Score != 2 || r.Rating.Comment != "It took two days to get an answer." {
			t.Fatalf("claim rating %+v", r.Rating)
		}
		ds, _ := w.outbox.Lease(ctx, time.Now().Add(time.Hour), 100, time.Minute)
		var comments int
		for _, d := range ds {
			if d.Event.Type == claims.ClaimRated && d.Event.Claim.Rating != nil && d.Event.Claim.Rating.Comment != "" {
				comments++
			}
		}
		if comments != 1 {
			t.Fatalf("%d claim.rated events with the comment, want 1", comments)
		}
		// The next message is the dialog's again.
		out = w.send(customer(tgAnn, "hello"))
		if got := to(out, tgAnn); len(got) == 0 || strings.Contains(texts(got), "comment") {
			t.Fatalf("after the comment the customer got %q, want the dialog", texts(got))
		}
	})
}
