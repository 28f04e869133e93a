package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// delivered is a Deliverer that keeps what it was given.
type delivered struct {
	mu  sync.Mutex
	out []bot.Outbound
}

func (r *delivered) Deliver(_ context.Context, out []bot.Outbound) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out = append(r.out, out...)
	return nil
}

func (r *delivered) texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t []string
	for _, o := range r.out {
		t = append(t, o.Text)
	}
	return t
}

func (r *delivered) count(text string) int {
	n := 0
	for _, t := range r.texts() {
		if t == text {
			n++
		}
	}
	return n
}

// outcomes collects the Done and Release calls of jobs.
type outcomes struct {
	mu       sync.Mutex
	done     map[string]bot.Outcome
	released map[string]bool
}

func (o *outcomes) job(id string) *bot.Job {
	o.mu.Lock()
	if o.done == nil {
		o.done, o.released = map[string]bot.Outcome{}, map[string]bool{}
	}
	o.mu.Unlock()
	return &bot.Job{
		Msg:     bot.Message{ID: id, From: bot.Address{Platform: "test", Chat: "c"}, User: "u"},
		Release: func() { o.mu.Lock(); o.released[id] = true; o.mu.Unlock() },
		Done:    func(out bot.Outcome) { o.mu.Lock(); o.done[id] = out; o.mu.Unlock() },
	}
}

func (o *outcomes) get(id string) (bot.Outcome, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	out, ok := o.done[id]
	return out, ok
}

func (o *outcomes) isReleased(id string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.released[id]
}

// gate is a Handler that answers each message with its id once let through.
type gate struct {
	open  chan struct{}
	calls atomic.Int32
}

func (g *gate) Handle(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
	g.calls.Add(1)
	if g.open != nil {
		select {
		case <-g.open:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return []bot.Outbound{{To: m.From, Reply: dialog.Reply{Text: "re " + m.ID}}}, nil
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestOrderPerLaneParallelAcross: one conversation's messages run one at a time in the
// order submitted, while another conversation runs beside it.
func TestOrderPerLaneParallelAcross(t *testing.T) {
	release := make(chan struct{})
	started := make(chan string, 2)
	var mu sync.Mutex
	got := map[string][]string{}
	h := bot.HandlerFunc(func(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
		if m.Text == "first" {
			started <- m.From.Chat
			<-release
		}
		mu.Lock()
		got[m.From.Chat] = append(got[m.From.Chat], m.ID)
		mu.Unlock()
		return nil, nil
	})
	d := bot.NewDispatcher(bot.DispatchConfig{Handler: h, Deliver: &delivered{}, Log: quiet(), InboundRate: -1, QueueSize: 100})
	submit := func(chat, id, text string) {
		d.Submit(&bot.Job{Msg: bot.Message{ID: id, Text: text, From: bot.Address{Platform: "test", Chat: chat}, User: chat}})
	}
	for _, chat := range []string{"a", "b"} {
		submit(chat, "0", "first")
	}
	// Both lanes run at once: neither waits for the other.
	for range 2 {
		select {
		case <-started:
		case <-time.After(waittest.Timeout):
			t.Fatal("lanes a and b did not run in parallel")
		}
	}
	for i := 1; i <= 50; i++ {
		for _, chat := range []string{"a", "b"} {
			submit(chat, fmt.Sprint(i), "")
		}
	}
	close(release)
	d.Close()
	for _, chat := range []string{"a", "b"} {
		if len(got[chat]) != 51 {
			t.Fatalf("lane %s ran %d of 51", chat, len(got[chat]))
		}
		for i, id := range got[chat] {
			if id != fmt.Sprint(i) {
				t.Fatalf("lane %s ran %s at position %d: out of order", chat, id, i)
			}
		}
	}
	if d.Busy() != 0 {
		t.Fatalf("Busy = %d after Close, want 0", d.Busy())
	}
}

// TestInboundLimit: a customer sending faster than the limit gets their burst handled,
// one slow-down reply for the stretch over the limit, and the rest dropped; once the limit
// lets them write again, the next stretch over it gets its own slow-down.
func TestInboundLimit(t *testing.T) {
	var clock atomic.Int64
	start := time.Now()
	out := &delivered{}
	d := bot.NewDispatcher(bot.DispatchConfig{Handler: &gate{}, Deliver: out, Log: quiet(),
		InboundRate: 60, InboundBurst: 3, Now: func() time.Time { return start.Add(time.Duration(clock.Load())) }})
	var o outcomes
	ids := []string{"1", "2", "3", "4", "5", "6"}
	for _, id := range ids {
		d.Submit(o.job(id))
	}
	waittest.For(t, "every job done", func() bool { _, ok := o.get("6"); return ok })
	for i, id := range ids {
		want := bot.Handled
		if i >= 3 {
			want = bot.Dropped
		}
		if got, _ := o.get(id); got != want {
			t.Errorf("message %s: got %v, want %v", id, got, want)
		}
	}
	// A second later the flood goes on: one more message is allowed, the next dropped,
	// and no second slow-down.
	clock.Add(int64(time.Second))
	d.Submit(o.job("7"))
	d.Submit(o.job("8"))
	// Three seconds more and the customer is back to their full burst: a new stretch
	// over the limit gets its own slow-down.
	clock.Add(int64(3 * time.Second))
	for _, id := range []string{"9", "10", "11", "12"} {
		d.Submit(o.job(id))
	}
	d.Close()
	for id, want := range map[string]bot.Outcome{"7": bot.Handled, "8": bot.Dropped, "9": bot.Handled, "11": bot.Handled, "12": bot.Dropped} {
		if got, _ := o.get(id); got != want {
			t.Errorf("message %s: got %v, want %v", id, got, want)
		}
	}
	if got := out.count(bot.SlowDownText("en")); got != 2 {
		t.Errorf("slow-down replies: got %d, want 2 (one per stretch over the limit)", got)
	}
	if got := out.count("re 4") + out.count("re 5") + out.count("re 6") + out.count("re 8") + out.count("re 12"); got != 0 {
		t.Errorf("replies to dropped messages: got %d, want 0", got)
	}
}

// TestFloodReleasesHeld: once a customer goes over the limit, the messages held behind
// the one being handled are released (may be confirmed before they are done), and so is
// any queued later while the lane floods; the one being handled is not.
func TestFloodReleasesHeld(t *testing.T) {
	var clock atomic.Int64
	start := time.Now()
	g := &gate{open: make(chan struct{})}
	d := bot.NewDispatcher(bot.DispatchConfig{Handler: g, Deliver: &delivered{}, Log: quiet(),
		InboundRate: 60, InboundBurst: 3, Now: func() time.Time { return start.Add(time.Duration(clock.Load())) }})
	var o outcomes
	for _, id := range []string{"1", "2", "3"} {
		d.Submit(o.job(id))
	}
	waittest.For(t, "the first message to be handled", func() bool { return g.calls.Load() == 1 })
	if o.isReleased("2") || o.isReleased("3") {
		t.Fatalf("held messages released before anyone went over the limit")
	}
	d.Submit(o.job("4")) // over the limit
	if o.isReleased("1") || !o.isReleased("2") || !o.isReleased("3") {
		t.Errorf("released after going over the limit: 1 %v, 2 %v, 3 %v; want 2 and 3 only", o.isReleased("1"), o.isReleased("2"), o.isReleased("3"))
	}
	clock.Add(int64(time.Second))
	d.Submit(o.job("5"))
	if !o.isReleased("5") {
		t.Errorf("a message queued while the lane floods: not released")
	}
	close(g.open)
	d.Close()
	for _, id := range []string{"1", "2", "3", "5"} {
		if got, _ := o.get(id); got != bot.Handled {
			t.Errorf("message %s: got %v, want handled (released is not dropped)", id, got)
		}
	}
}

// TestQueueBound: with the inbound limit off, a conversation still holds at most
// QueueSize messages behind the one being handled; the next is dropped.
func TestQueueBound(t *testing.T) {
	g := &gate{open: make(chan struct{})}
	d := bot.NewDispatcher(bot.DispatchConfig{Handler: g, Deliver: &delivered{}, Log: quiet(), InboundRate: -1, QueueSize: 2})
	var o outcomes
	for _, id := range []string{"1", "2", "3", "4"} {
		d.Submit(o.job(id))
	}
	if got, ok := o.get("4"); !ok || got != bot.Dropped {
		t.Errorf("message beyond the queue: got %v (done %v), want dropped", got, ok)
	}
	close(g.open)
	d.Close()
	for _, id := range []string{"1", "2", "3"} {
		if got, _ := o.get(id); got != bot.Handled {
			t.Errorf("message %s: got %v, want handled", id, got)
		}
	}
}

// TestDrainDeadline: Close waits DrainTimeout, then cancels; what was not done is
// Unfinished, so the adapter leaves it unconfirmed for the platform to deliver again.
func TestDrainDeadline(t *testing.T) {
	g := &gate{open: make(chan struct{})} // never opened: handling hangs until cancelled
	d := bot.NewDispatcher(bot.DispatchConfig{Handler: g, Deliver: &delivered{}, Log: quiet(), InboundRate: -1, DrainTimeout: 20 * time.Millisecond})
	var o outcomes
	d.Submit(o.job("1"))
	d.Submit(o.job("2"))
	if cut := d.Close(); cut != 1 {
		t.Errorf("conversations cut short: got %d, want 1", cut)
	}
	for _, id := range []string{"1", "2"} {
		if got, _ := o.get(id); got != bot.Unfinished {
			t.Errorf("message %s: got %v, want unfinished", id, got)
		}
	}
	j := o.job("3")
	if d.Submit(j) {
		t.Errorf("Submit after Close: got true, want false")
	}
	if got, _ := o.get("3"); got != bot.Unfinished {
		t.Errorf("message after Close: got %v, want unfinished", got)
	}
}

// TestPanicAndRetries: a panic is recovered, answered with an apology and counted as
// handled (handling it again would panic again); a store failure is retried a bounded
// number of times, then answered with the store's apology; a NoRetry job ends unfinished
// at once.
func TestPanicAndRetries(t *testing.T) {
	var calls atomic.Int32
	h := bot.HandlerFunc(func(_ context.Context, m bot.Message) ([]bot.Outbound, error) {
		calls.Add(1)
		switch m.ID {
		case "panic":
			panic("bug")
		case "store", "noretry":
			return []bot.Outbound{{To: m.From, Reply: dialog.Reply{Text: "sorry, try again"}}}, bot.ErrUnavailable
		}
		return []bot.Outbound{{To: m.From, Reply: dialog.Reply{Text: "re " + m.ID}}}, nil
	})
	tests := []struct {
		id        string
		noRetry   bool
		want      bot.Outcome
		calls     int32
		wantReply string
	}{
		{"panic", false, bot.Handled, 1, bot.TryAgainText},
		{"store", false, bot.Handled, 3, "sorry, try again"},
		{"noretry", true, bot.Unfinished, 1, ""},
		{"fine", false, bot.Handled, 1, "re fine"},
	}
	for _, tc := range tests {
		calls.Store(0)
		out := &delivered{}
		d := bot.NewDispatcher(bot.DispatchConfig{Handler: h, Deliver: out, Log: quiet(), InboundRate: -1,
			RetryAttempts: 3, RetryMin: time.Millisecond, RetryMax: time.Millisecond})
		var o outcomes
		j := o.job(tc.id)
		j.NoRetry = tc.noRetry
		d.Submit(j)
		d.Close()
		if got, _ := o.get(tc.id); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.id, got, tc.want)
		}
		if got := calls.Load(); got != tc.calls {
			t.Errorf("%s: handler calls: got %d, want %d", tc.id, got, tc.calls)
		}
		got := out.texts()
		if (tc.wantReply == "" && len(got) != 0) || (tc.wantReply != "" && (len(got) != 1 || got[0] != tc.wantReply)) {
			t.Errorf("%s: replies: got %q, want %q", tc.id, got, tc.wantReply)
		}
	}
}
