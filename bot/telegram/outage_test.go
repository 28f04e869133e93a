package telegram_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/telegram"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// TestStoreOutagePolling kills Redis mid-conversation: the press made meanwhile must stay
// at Telegram, unanswered and unconfirmed, and be handled once Redis is back.
func TestStoreOutagePolling(t *testing.T) {
	redis := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	store := redisstore.New(redis.Client(t), redisstore.Options{Prefix: redistest.Prefix(t), CacheSize: -1})
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, store, fastConfig(srv), nil)
	chat := alice.Chat.ID

	srv.Text(alice, "/start")
	h.expect(chat, 2)
	h.settled()
	redis.Kill()
	press(t, srv, alice, "receipt_date:yesterday")
	waittest.For(t, "three retries of the press", func() bool {
		return strings.Count(h.logs.String(), "message not handled, will retry") >= 3
	})
	if got := len(srv.BotMessages(chat)); got != 2 {
		t.Fatalf("bot messages while Redis is down: got %d, want 2 (no apology asking to resend)", got)
	}
	if got := srv.Pending(); got != 1 {
		t.Fatalf("unconfirmed updates while Redis is down: got %d, want 1", got)
	}
	redis.Restart()
	msgs := h.expect(chat, 3)
	if !strings.Contains(msgs[2].Text, "What condition were the packaging") {
		t.Errorf("after Redis is back: got %q, want the packaging question", msgs[2].Text)
	}
	h.settled() // confirmed only after all its replies: none can follow
	if got := len(srv.BotMessages(chat)); got != 3 {
		t.Errorf("bot messages: got %d, want 3", got)
	}
}

// TestStoreOutageWebhook: while Redis is down the webhook answers 503, so Telegram keeps
// the update and posts it again; once Redis is back it is handled, once.
func TestStoreOutageWebhook(t *testing.T) {
	redis := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	store := redisstore.New(redis.Client(t), redisstore.Options{Prefix: redistest.Prefix(t), CacheSize: -1})
	srv := telegramtest.NewServer(t, "")
	mux := http.NewServeMux()
	hook := httptest.NewServer(mux)
	defer hook.Close()
	cfg := fastConfig(srv)
	cfg.WebhookURL, cfg.WebhookSecret = hook.URL+"/tg", "outage-secret"
	cfg.Log = slog.New(slog.DiscardHandler)
	a, err := telegram.New(context.Background(), cfg, newService(store), nil)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("POST /tg", a.WebhookHandler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	chat := alice.Chat.ID

	srv.Text(alice, "/start")
	srv.WaitBotMessages(t, chat, 2, wait)
	redis.Kill()
	press(t, srv, alice, "receipt_date:yesterday")
	if !srv.WaitFor(wait, func() bool { return len(failedWebhooks(srv)) >= 1 }) {
		t.Fatal("no webhook delivery failed while Redis was down")
	}
	redis.Restart()
	msgs := srv.WaitBotMessages(t, chat, 3, wait)
	if !strings.Contains(msgs[2].Text, "What condition were the packaging") {
		t.Errorf("after Redis is back: got %q, want the packaging question", msgs[2].Text)
	}
	if !srv.WaitFor(wait, func() bool { return srv.PendingLocked() == 0 }) {
		t.Fatal("the update was never acknowledged")
	}
	if got := len(srv.BotMessages(chat)); got != 3 {
		t.Errorf("bot messages: got %d, want 3", got)
	}
}

func failedWebhooks(srv *telegramtest.Server) []int {
	return srv.WebhookStatusesLocked(http.StatusServiceUnavailable)
}
