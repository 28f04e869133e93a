package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// TestServeUnreadableSessionCostsNoOtherCustomer is issue 9's red-team run through the
// real serve wiring and Telegram adapter: one customer's stored session is a value this
// build cannot read (a newer schema), and 200 other customers write at the same moment.
// Every one of them is answered, and so is that one, with an apology and a fresh start.
// Before the fix the unreadable session counted as "store unavailable", was retried
// forever, and after 20 s only 99 of the 200 had an answer.
func TestServeUnreadableSessionCostsNoOtherCustomer(t *testing.T) {
	tg := telegramtest.NewServer(t, "")
	url, prefix := redistest.URL(t), redistest.Prefix(t)
	rdb, err := redisstore.NewClient(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := redisstore.DeleteKeys(context.Background(), rdb, prefix+"*"); err != nil {
			t.Errorf("clean up: %v", err)
		}
		rdb.Close()
	})
	const bad = 9000
	key := redisstore.New(rdb, redisstore.Options{Prefix: prefix}).Key(fmt.Sprint("telegram:", bad))
	if err := rdb.Set(context.Background(), key, `2:k3j4:{"s":"packaging"}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": tg.URL,
		"TELEGRAM_CHAT_INTERVAL": "10ms", "TELEGRAM_GROUP_INTERVAL": "off", "TELEGRAM_GLOBAL_RATE": "1000",
		"REDIS_URL": url, "REDIS_KEY_PREFIX": prefix,
	}
	var logs bottest.LogBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(&logs, nil)))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	const others = 200
	start := time.Now()
	tg.Text(telegramtest.Private(bad, "Una", "en"), "hi")
	for i := range others {
		tg.Text(telegramtest.Private(int64(bad+1+i), "Otto", "en"), "hi")
	}
	answered := func() int {
		n := 0
		for i := range others {
			if len(tg.BotMessages(int64(bad+1+i))) > 0 {
				n++
			}
		}
		return n
	}
	if !waittest.Until(waittest.Timeout, func() bool { return answered() == others && len(tg.BotMessages(bad)) >= 2 }) {
		t.Fatalf("after %v: %d of %d other customers answered, the unreadable one got %d messages, want all and 2\n%s",
			waittest.Timeout, answered(), others, len(tg.BotMessages(bad)), logs.String())
	}
	t.Logf("%d of %d other customers and the one with the unreadable session answered within %v", answered(), others, time.Since(start).Round(time.Millisecond))
	if ms := tg.BotMessages(bad); !strings.Contains(ms[0].Text, "could not read where our conversation stood") || !strings.Contains(ms[1].Text, "Hello") {
		t.Errorf("the customer with the unreadable session got %q then %q, want the apology then the greeting", ms[0].Text, ms[1].Text)
	}
	if n := strings.Count(logs.String(), `msg="session unreadable`); n != 1 {
		t.Errorf("the unreadable session was logged %d times, want once:\n%s", n, logs.String())
	}
}
