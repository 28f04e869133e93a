package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
	"github.com/returnsbot/returnsbot/policy"
)

// staffPlatform is a chat platform's staff desk for the retention test: it opens threads
// and takes messages, as Telegram's forum and Discord's channel do.
type staffPlatform struct{ threads atomic.Int64 }

func (p *staffPlatform) Send(context.Context, bot.Outbound) error { return nil }

func (p *staffPlatform) OpenThread(_ context.Context, chat bot.Address, _ string) (bot.Address, error) {
	chat.Thread = fmt.Sprint(p.threads.Add(1))
	return chat, nil
}

// TestEveryKeyExpires scans every key the bot wrote to Redis after a conversation, an
// escalation, a close and a forget, wired as cmd/returnsbot wires it, and checks each TTL
// against the settings: sessions and the rolling log within REDIS_SESSION_TTL, claims,
// cases, transcripts, indexes and the outbox within CLAIM_RETENTION; none without one.
func TestEveryKeyExpires(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	const sessionTTL, retention = 2 * time.Hour, 30 * 24 * time.Hour
	getenv := env("REDIS_URL", srv.URL(), "REDIS_SESSION_TTL", "2h", "CLAIM_RETENTION", "30d")
	logger := slog.New(slog.DiscardHandler)
	st, err := openStorage(ctx, getenv, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	cases, closeCases, err := openCases(ctx, getenv, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer closeCases()
	svc := &bot.Service{Engine: dialog.NewEngine(policy.Default()), Store: st.sessions, Log: logger}
	wireClaims(svc, st, "test")
	staffDesk := bot.Address{Platform: "staffnet", Chat: "desk"}
	desk := &handoff.Desk{
		Service: svc, Cases: cases, Desks: []bot.Address{staffDesk},
		Access: handoff.Access{Users: map[string]bool{"staffnet:boss": true}},
		Router: bot.Router{"staffnet": &staffPlatform{}}, Log: logger,
	}
	rdb := redis.NewClient(&redis.Options{Addr: strings.TrimPrefix(srv.URL(), "redis://")})
	defer rdb.Close()

	check := func(phase string) int {
		t.Helper()
		keys, err := rdb.Keys(ctx, "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			ttl, err := rdb.PTTL(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			limit := retention
			if strings.HasSuffix(k, "}:s") || strings.HasSuffix(k, "}:d") || strings.Contains(k, "handoff:recent:") {
				limit = sessionTTL
			}
			if ttl <= 0 || ttl > limit {
				t.Errorf("after %s: key %s has TTL %v, want one within %v", phase, k, ttl, limit)
			}
		}
		return len(keys)
	}
	ann := bot.Address{Platform: "console", Chat: "ann"}
	say := func(text string) {
		t.Helper()
		if _, err := desk.Handle(ctx, bot.Message{From: ann, User: "ann", Text: text}); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	}
	for _, text := range []string{"hi", "yesterday", "intact", "no", "yes"} {
		say(text)
	}
	t.Logf("after a conversation: %d keys", check("a conversation"))

	say("this is wrong")
	var c *handoff.Case
	waittest.For(t, "the case and its thread", func() bool {
		c, err = cases.OpenFor(ctx, ann.Key())
		return err == nil && len(c.Threads) == 1
	})
	t.Logf("after an escalation: %d keys", check("an escalation"))

	if _, err := desk.Handle(ctx, bot.Message{From: c.Threads[0], User: "boss", Button: handoff.ButtonID(handoff.ActClose, c.ID)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := cases.Get(ctx, c.ID); got == nil || got.Status != handoff.Closed {
		t.Fatalf("case after close: %+v", got)
	}
	t.Logf("after a close: %d keys", check("a close"))

	if out, _, err := runBot(t, getenv, "", "forget", "console:ann"); err != nil || !strings.Contains(out, "erased 1 claim(s)") {
		t.Fatalf("forget: %v\n%s", err, out)
	}
	t.Logf("after a forget: %d keys", check("a forget"))
	keys, _ := rdb.Keys(ctx, "*ann*").Result()
	if len(keys) != 0 {
		t.Errorf("after forget, keys naming the customer remain: %q", keys)
	}
}
