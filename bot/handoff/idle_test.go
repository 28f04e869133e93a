package handoff_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// An idle case is warned IdleClose/6 before, then closed as idle; a message in between
// keeps it open. Two instances sweeping at once act once.
func TestIdleClose(t *testing.T) {
	inEachStore(t, func(t *testing.T, w *world) {
		w.desk.IdleClose = 72 * time.Hour
		second := w.newDesk()
		second.IdleClose = w.desk.IdleClose
		ctx := context.Background()
		sweep := func() int {
			t.Helper()
			before := w.tg.count() + w.dc.count()
			var wg sync.WaitGroup
			for _, d := range []*handoff.Desk{w.desk, second} {
				wg.Go(func() {
					if err := d.CloseIdle(ctx); err != nil {
						t.Errorf("CloseIdle: %v", err)
					}
				})
			}
			wg.Wait()
			return w.tg.count() + w.dc.count() - before
		}
		c := w.escalate(tgAnn, "hi")
		th := thread(t, c, "discord")
		w.send(press(th, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
		w.advance(59 * time.Hour)
		if n := sweep(); n != 0 {
			t.Fatalf("after 59h %d messages were sent, want none", n)
		}
		w.advance(time.Hour) // 60h idle: warn
		if n := sweep(); n != 3 {
			t.Fatalf("at 60h idle %d messages were sent, want the warning to the customer and both threads", n)
		}
		if got := w.tg.sent[len(w.tg.sent)-1]; !strings.Contains(texts(w.tg.since(0)), "closed in about 12 h") {
			t.Fatalf("the customer was not warned: last %q", got.Text)
		}
		// The customer answers: the case stays open, and the clock starts again.
		w.advance(11 * time.Hour)
		w.send(customer(tgAnn, "still here"))
		w.advance(13 * time.Hour)
		if n := sweep(); n != 0 {
			t.Fatalf("13h after the customer wrote %d messages were sent, want none", n)
		}
		w.advance(60*time.Hour - 13*time.Hour) // 60h since the message: warn again
		if n := sweep(); n != 3 {
			t.Fatalf("60h after the message %d messages were sent, want the warning again", n)
		}
		w.advance(11 * time.Hour)
		if n := sweep(); n != 0 {
			t.Fatalf("11h after the warning %d were sent, want none", n)
		}
		w.advance(time.Hour)
		tg := w.tg.count()
		if n := sweep(); n != 3 {
			t.Fatalf("72h idle: %d messages were sent, want the close notice to the customer and both threads", n)
		}
		if got := texts(w.tg.since(tg)); !strings.Contains(got, "no new messages, your case has been closed") {
			t.Fatalf("customer got %q on the idle close", got)
		}
		got, _ := w.cases.Get(ctx, c.ID)
		if got.Status != handoff.Closed || got.CloseReason != handoff.ReasonIdle {
			t.Fatalf("case %s (%s), want closed as idle", got.Status, got.CloseReason)
		}
		r, _ := w.claims.Get(ctx, claims.ID(c.Claim))
		if r.CloseReason != handoff.ReasonIdle || r.State != claims.StateClosed {
			t.Fatalf("claim %s (%s), want closed as idle", r.State, r.CloseReason)
		}
		s, _ := w.sessions.Load(ctx, tgAnn.Key())
		if s.State != dialog.StateNew {
			t.Fatalf("session %s after the idle close, want new", s.State)
		}
		if n := sweep(); n != 0 {
			t.Fatalf("a closed case got %d more messages", n)
		}
	})
}

// Out of hours the waiting customer is told when staff will answer, and reminders wait
// for opening time.
func TestHoursOnTheDesk(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	h, err := handoff.ParseHours("Mon-Fri 09:00-18:00", "", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	w.desk.Hours = h
	// now0 is Wednesday 25 November 2026, 10:00 UTC: open.
	w.send(customer(tgAnn, "hi"))
	out := w.send(customer(tgAnn, "person"))
	if got := texts(to(out, tgAnn)); !strings.Contains(got, "Our staff are at work Mon–Fri 09:00–18:00 (UTC time)") {
		t.Fatalf("in hours the customer got %q, want the hours", got)
	}
	// Friday 20:00: closed until Monday 09:00.
	w.advance(2*24*time.Hour + 10*time.Hour)
	w.send(customer(dcBob, "hi"))
	out = w.send(customer(dcBob, "person"))
	if got := texts(to(out, dcBob)); !strings.Contains(got, "they will answer from Mon 2026-11-30 09:00 (UTC time)") {
		t.Fatalf("out of hours the customer got %q, want Monday 09:00", got)
	}
	ctx := context.Background()
	before := w.dc.count()
	if err := w.desk.Remind(ctx); err != nil {
		t.Fatal(err)
	}
	if n := w.dc.count() - before; n != 0 {
		t.Fatalf("out of hours %d reminders went out, want none", n)
	}
	w.advance(2*24*time.Hour + 13*time.Hour) // Monday 09:00
	if err := w.desk.Remind(ctx); err != nil {
		t.Fatal(err)
	}
	if got := texts(w.dc.since(before)); strings.Count(got, "Reminder: case") != 2 {
		t.Fatalf("at opening time the desk got %q, want a reminder of both cases", got)
	}
}
