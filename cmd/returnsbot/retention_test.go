package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
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

// testDesk wires a staff desk as newService and newHandoff do, on the stores getenv names,
// with one staff member, staffnet:boss, on a desk that opens threads.
func testDesk(t *testing.T, getenv func(string) string) (*handoff.Desk, handoff.Store) {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	svc, st, err := newService(ctx, getenv, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.close)
	cases := st.cases
	svc.ForgetCases = cases.Forget
	desk := &handoff.Desk{
		Dialog: svc, Engine: svc.Engine, Claims: svc.Claims, Outbox: svc.Outbox,
		Cases: cases, Desks: []bot.Address{{Platform: "staffnet", Chat: "desk"}},
		Access: handoff.Access{Users: map[string]bool{"staffnet:boss": true}},
		Router: bot.Router{"staffnet": &staffPlatform{}}, Log: logger,
	}
	return desk, cases
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
	desk, cases := testDesk(t, getenv)
	var err error
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
			switch {
			case strings.HasSuffix(k, "}:s") || strings.Contains(k, "handoff:recent:"):
				limit = sessionTTL
			case strings.HasSuffix(k, "}:d"):
				limit = 24 * time.Hour // redisstore's dedup window
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

// TestCaseShowKeepsStoredDecision: a decision stated under one policy file and disputed
// after the shop edited the file shows, in `case show`, the clause as quoted then.
func TestCaseShowKeepsStoredDecision(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	file := filepath.Join(t.TempDir(), "shop.policy")
	if err := os.WriteFile(file, []byte("version: 2026-11\n"+policy.DefaultFile()), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := env("REDIS_URL", srv.URL(), "POLICY_FILE", file)
	desk, _ := testDesk(t, getenv)
	ann := bot.Address{Platform: "console", Chat: "ann"}
	for _, text := range []string{"hi", "yesterday", "intact", "no", "yes"} {
		if _, err := desk.Handle(ctx, bot.Message{From: ann, User: "ann", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	old, _ := policy.Default().Clause(policy.ClauseReturnWindow)
	edited := strings.Replace(policy.DefaultFile(), "within 14 days from", "within 30 days, counted from", 1)
	if err := os.WriteFile(file, []byte("version: 2026-12\n"+edited), 0o600); err != nil {
		t.Fatal(err)
	}
	desk, cases := testDesk(t, getenv) // restarted with the edited file
	if _, err := desk.Handle(ctx, bot.Message{From: ann, User: "ann", Text: "this is wrong"}); err != nil {
		t.Fatal(err)
	}
	c, err := cases.OpenFor(ctx, ann.Key())
	if err != nil {
		t.Fatalf("no case after the dispute: %v", err)
	}
	out, _, err := runBot(t, getenv, "", "case", "show", c.ID)
	if err != nil {
		t.Fatalf("case show: %v", err)
	}
	for _, want := range []string{"Claim " + c.Claim + " (with_staff), policy 2026-11@", "Bot's decision: return_eligible", "“" + old.Text + "”"} {
		if !strings.Contains(out, want) {
			t.Errorf("case show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "within 30 days") {
		t.Errorf("case show quotes the edited policy:\n%s", out)
	}
}
