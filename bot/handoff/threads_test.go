package handoff_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// TestCustomerReplyDoesNotWaitForThreads: while a desk platform does not answer the
// request to open a thread, the customer's "passed to staff" reply is returned all the
// same; the card follows once the thread opens.
func TestCustomerReplyDoesNotWaitForThreads(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	hold := make(chan struct{})
	w.dc.mu.Lock()
	w.dc.hold = hold
	w.dc.mu.Unlock()
	w.send(customer(tgAnn, "hi"))

	type result struct {
		out []bot.Outbound
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := w.desk.Handle(context.Background(), customer(tgAnn, "person"))
		done <- result{out, err}
	}()
	var got result
	if !waittest.Until(waittest.Timeout, func() bool {
		select {
		case got = <-done:
			return true
		default:
			return false
		}
	}) {
		close(hold)
		t.Fatalf("Handle did not return within %v while the Discord thread could not be opened: the customer's reply waits for staff threads", waittest.Timeout)
	}
	if got.err != nil || !strings.Contains(texts(to(got.out, tgAnn)), "passed your conversation to our staff") {
		t.Fatalf("Handle = %q, %v; want the customer's escalation reply", texts(got.out), got.err)
	}
	close(hold)
	w.desk.Wait()
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*platform{w.tg, w.dc} {
		th := thread(t, c, p.name)
		if cards := to(p.since(0), th); len(cards) != 1 || !strings.Contains(cards[0].Text, "Case "+c.ID) {
			t.Errorf("%s thread got %q, want the card", p.name, texts(cards))
		}
	}
}

// TestThreadRetriesAreBounded: a desk that keeps failing is tried Threads.Attempts
// times, the failure is logged at ERROR and told to staff on the other desk, and Run
// opens the thread later, once the platform works again.
func TestThreadRetriesAreBounded(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	w.desk.Threads = handoff.ThreadRetry{Attempts: 3, Wait: time.Millisecond, Repair: 10 * time.Millisecond}
	w.dc.failThreads = true
	out := w.send(customer(tgAnn, "person"))
	if !strings.Contains(texts(to(out, tgAnn)), "passed your conversation to our staff") {
		t.Fatalf("customer got %q, want the escalation reply", texts(to(out, tgAnn)))
	}
	w.dc.mu.Lock()
	opens := w.dc.opens
	w.dc.mu.Unlock()
	if opens != 3 {
		t.Fatalf("got %d attempts to open the Discord thread, want 3 (Threads.Attempts)", opens)
	}
	if log := w.logs.String(); !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "could not open the case's threads") {
		t.Errorf("the give-up was not logged at ERROR:\n%s", log)
	}
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatal(err)
	}
	tgThread := thread(t, c, "telegram")
	if got := texts(to(out, tgThread)); !strings.Contains(got, "has no discord thread yet") {
		t.Errorf("telegram thread got %q, want a note that the Discord thread is missing", got)
	}

	w.dc.mu.Lock()
	w.dc.failThreads = false
	w.dc.mu.Unlock()
	w.advance(time.Minute) // the case is older than a repair period
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.desk.Run(ctx) }()
	waittest.For(t, "Run to open the missing Discord thread", func() bool {
		c, err := w.cases.Get(context.Background(), c.ID)
		return err == nil && len(c.Threads) == 2
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	c, _ = w.cases.Get(context.Background(), c.ID)
	if cards := to(w.dc.since(0), thread(t, c, "discord")); len(cards) != 1 || len(cards[0].Buttons) != 3 {
		t.Fatalf("repaired Discord thread got %q, want the card with its buttons", texts(cards))
	}
}
