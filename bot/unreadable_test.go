package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// spoiled is a session value as a newer release might write it: this one cannot read it.
const spoiled = `2:k3j4:{"s":"packaging","secret":"Water got in at Hauptstr. 5"}`

// TestServiceUnreadableSessionStartsAfresh: a stored session this build cannot read is
// that customer's problem alone: they get an apology in their language and the dialog
// starts afresh, it is logged once at ERROR naming the key and not the value, and the
// next message goes on from the fresh start.
func TestServiceUnreadableSessionStartsAfresh(t *testing.T) {
	for _, tt := range []struct{ lang, apology string }{
		{"en", "could not read where our conversation stood"},
		{"de", "konnte nicht lesen, wo unser Gespräch stand"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			ctx := context.Background()
			rdb := redistest.Client(t)
			st := redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t)})
			svc := bottest.NewService(st)
			var logs bottest.LogBuffer
			svc.Log = slog.New(slog.NewTextHandler(&logs, nil))
			svc.Metrics = &bot.Metrics{}
			from := bot.Address{Platform: "telegram", Chat: "42"}
			if err := rdb.Set(ctx, st.Key(from.Key()), spoiled, time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			m := bot.Message{ID: "1", From: from, Text: "intact", Lang: tt.lang}
			out, err := svc.Handle(ctx, m)
			if err != nil {
				t.Fatalf("Handle: got error %v, want the customer answered", err)
			}
			want, err := bottest.NewService(memstore.New()).Handle(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(want)+1 || !strings.Contains(out[0].Text, tt.apology) {
				t.Fatalf("got %d replies %+v, want an apology saying %q, then the %d replies of a fresh start", len(out), out, tt.apology, len(want))
			}
			for i, w := range want {
				if out[i+1].Text != w.Text {
					t.Errorf("reply %d: got %q, want %q as on a fresh start", i+1, out[i+1].Text, w.Text)
				}
			}
			log := logs.String()
			if n := strings.Count(log, "level=ERROR"); n != 1 || !strings.Contains(log, from.Key()) {
				t.Errorf("log has %d ERROR lines, want 1 naming %s:\n%s", n, from.Key(), log)
			}
			if strings.Contains(log, "Hauptstr") {
				t.Errorf("the log carries the stored value:\n%s", log)
			}
			next, err := svc.Handle(ctx, bot.Message{ID: "2", From: from, Text: "blah", Lang: tt.lang})
			if err != nil || len(next) == 0 || strings.Contains(next[0].Text, tt.apology) {
				t.Fatalf("next message: got %+v, %v; want the dialog going on without another apology", next, err)
			}
			if strings.Count(logs.String(), "level=ERROR") != 1 {
				t.Errorf("the next message logged another ERROR:\n%s", logs.String())
			}
		})
	}
}

// TestUnreadableSessionCostsNoOtherCustomer is the red-team figure of issue 9: 200 other
// customers write while one session is unreadable, every one of them (and that one) is
// answered, at once rather than after retries.
func TestUnreadableSessionCostsNoOtherCustomer(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	st := redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t)})
	svc := bottest.NewService(st)
	svc.Log = slog.New(slog.DiscardHandler)
	bad := bot.Address{Platform: "telegram", Chat: "666"}
	if err := rdb.Set(ctx, st.Key(bad.Key()), spoiled, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	const others = 200
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, others+1)
	var mu sync.Mutex
	var slowest time.Duration
	for i := range others + 1 {
		from := bot.Address{Platform: "telegram", Chat: fmt.Sprint(1000 + i)}
		if i == others {
			from = bad
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j, text := range []string{"hi", "yesterday"} {
				out, err := svc.Handle(ctx, bot.Message{ID: fmt.Sprint(j), From: from, Text: text})
				if err == nil && len(out) == 0 {
					err = errors.New("no reply")
				}
				if err != nil {
					errs <- fmt.Errorf("%s message %d: %w", from, j, err)
					return
				}
			}
			mu.Lock()
			slowest = max(slowest, time.Since(start))
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		failed++
		t.Error(err)
	}
	t.Logf("%d of %d customers (%d others and the unreadable one) answered twice each; the last after %v", others+1-failed, others+1, others, slowest)
}
