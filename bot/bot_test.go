package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

var alice = bot.Address{Platform: "test", Chat: "alice"}

func TestServiceDropsDuplicateMessages(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	svc := bottest.NewService(store)
	say := func(id, text string) []bot.Outbound {
		t.Helper()
		out, err := svc.Handle(ctx, bot.Message{ID: id, From: alice, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	say("1", "hi")
	if out := say("2", "yesterday"); len(out) != 1 || out[0].Awaiting != "packaging" || out[0].To != alice {
		t.Fatalf("answer: %+v, want the packaging question to alice", out)
	}
	if out := say("2", "yesterday"); out != nil {
		t.Fatalf("a re-delivered message was handled again: %+v", out)
	}
	s, _ := store.Load(ctx, alice.Key())
	if s.State != dialog.StatePackaging || s.Version != 2 {
		t.Fatalf("after a duplicate: state %s version %d, want packaging at version 2 (nothing written)", s.State, s.Version)
	}
	// Messages without an id are never taken for duplicates.
	if out := say("", "intact"); len(out) != 1 || out[0].Awaiting != "defect" {
		t.Fatalf("message without id: %+v", out)
	}
}

// TestServiceRepeatsRedelivery: a message the platform gives again only after a failed
// attempt, if it was the last one handled, gets where the conversation stands, since its
// replies may have been lost; an older one, or one from a platform without that promise,
// is dropped. Nothing is written either way.
func TestServiceRepeatsRedelivery(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	svc := bottest.NewService(store)
	handle := func(id, text string, redelivery bool) []bot.Outbound {
		t.Helper()
		out, err := svc.Handle(ctx, bot.Message{ID: id, From: alice, Text: text, Redelivery: redelivery})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	handle("1", "hi", true)
	handle("2", "yesterday", true)
	before, _ := store.Load(ctx, alice.Key())
	tests := []struct {
		name       string
		id         string
		redelivery bool
		repeated   bool
	}{
		{"last message, redelivered after a failure", "2", true, true},
		{"last message, no such promise", "2", false, false},
		{"older message", "1", true, false},
	}
	for _, tt := range tests {
		out := handle(tt.id, "ignored", tt.redelivery)
		if !tt.repeated {
			if out != nil {
				t.Errorf("%s: got %+v, want it dropped", tt.name, out)
			}
			continue
		}
		if len(out) != 1 || out[0].To != alice || out[0].Awaiting != "packaging" || !strings.HasPrefix(out[0].Text, "In case my last message") {
			t.Errorf("%s: got %+v, want the packaging question again, after a note", tt.name, out)
		}
	}
	after, _ := store.Load(ctx, alice.Key())
	if after.Version != before.Version || after.State != dialog.StatePackaging {
		t.Errorf("after the redeliveries: state %s version %d, want packaging at version %d (nothing written)", after.State, after.Version, before.Version)
	}
}

// Two instances handling the same chat at once: compare-and-set retries, so every answer
// counts once, in some order, and none is lost.
func TestServiceConcurrentMessagesLoseNothing(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	a, b := bottest.NewService(store), bottest.NewService(store)
	if _, err := a.Handle(ctx, bot.Message{ID: "0", From: alice, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := a
			if i%2 == 1 {
				svc = b
			}
			// Unparseable dates: each is answered with a re-ask and marks its id seen.
			if _, err := svc.Handle(ctx, bot.Message{ID: fmt.Sprint("m", i), From: alice, Text: "blah"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s, _ := store.Load(ctx, alice.Key())
	if s.Version != n+1 {
		t.Fatalf("session version %d after %d messages, want %d: a write was lost or doubled", s.Version, n+1, n+1)
	}
}

func TestServiceLanguage(t *testing.T) {
	ctx := context.Background()
	svc := bottest.NewService(memstore.New())
	svc.Lang = "en"
	if _, err := svc.Handle(ctx, bot.Message{From: alice, Text: "hi", Lang: "xx-YY"}); err != nil {
		t.Fatal(err)
	}
	s, _ := svc.Store.Load(ctx, alice.Key())
	if s.Lang != "en" {
		t.Fatalf("lang = %q, want the default for a language without a translation", s.Lang)
	}
}

type recorder struct {
	mu   sync.Mutex
	sent []bot.Outbound
	fail bool
}

func (r *recorder) Send(ctx context.Context, o bot.Outbound) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("chat not found")
	}
	r.sent = append(r.sent, o)
	return nil
}

func TestRouterDeliversByPlatform(t *testing.T) {
	tg, dc := &recorder{fail: true}, &recorder{}
	r := bot.Router{"telegram": tg, "discord": dc}
	err := r.Deliver(context.Background(), []bot.Outbound{
		{To: bot.Address{Platform: "telegram", Chat: "1"}, Reply: dialog.Reply{Text: "a"}},
		{To: bot.Address{Platform: "discord", Chat: "2"}, Reply: dialog.Reply{Text: "b"}},
		{To: bot.Address{Platform: "matrix", Chat: "3"}, Reply: dialog.Reply{Text: "c"}},
	})
	if len(dc.sent) != 1 || dc.sent[0].Text != "b" {
		t.Fatalf("discord got %+v, want the one message for it despite the telegram failure", dc.sent)
	}
	if err == nil || !strings.Contains(err.Error(), "telegram:1: chat not found") || !strings.Contains(err.Error(), `no adapter for platform "matrix"`) {
		t.Fatalf("error = %v, want both failures named", err)
	}
}

func TestMetrics(t *testing.T) {
	ctx := context.Background()
	svc := bottest.NewService(memstore.New())
	svc.Metrics = &bot.Metrics{}
	for i, text := range []string{"hi", "yesterday", "intact", "no", "yes"} { // "yes" accepts the read-back
		if _, err := svc.Handle(ctx, bot.Message{ID: fmt.Sprint(i), From: alice, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	svc.Handle(ctx, bot.Message{ID: "4", From: alice, Text: "yes"})                   // a duplicate
	svc.Handle(ctx, bot.Message{ID: "4", From: alice, Text: "yes", Redelivery: true}) // repeated
	rec := httptest.NewRecorder()
	svc.Metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		"returnsbot_messages_total 5\n",
		"returnsbot_duplicates_total 1\n",
		"returnsbot_repeats_total 1\n",
		`returnsbot_decisions_total{outcome="return_eligible"} 1` + "\n",
		`returnsbot_decisions_total{outcome="warranty_repair"} 0` + "\n",
		`returnsbot_handle_seconds_bucket{le="+Inf"} 5` + "\n",
		"returnsbot_handle_seconds_count 5\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	// A Service without Metrics counts nothing and does not fail.
	svc.Metrics = nil
	if _, err := svc.Handle(ctx, bot.Message{ID: "9", From: alice, Text: "thanks"}); err != nil {
		t.Fatal(err)
	}
}
