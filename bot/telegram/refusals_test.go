package telegram_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/telegram"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// TestWrongSecretLogRateLimited: a flood of webhook requests with a wrong secret is all
// refused, but logged once (with the count from then on), not once per request.
func TestWrongSecretLogRateLimited(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	logs := &bottest.LogBuffer{}
	cfg := fastConfig(srv)
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/tg", "right-secret"
	cfg.Log = slog.New(slog.NewTextHandler(logs, nil))
	a, err := telegram.New(context.Background(), cfg, newService(memstore.New()), nil)
	if err != nil {
		t.Fatal(err)
	}
	h := a.WebhookHandler()
	const n = 2000
	for i := range n {
		req := httptest.NewRequest(http.MethodPost, "/tg", strings.NewReader(`{"update_id":1}`))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "wrong"+strings.Repeat("x", i%7))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("request %d: got HTTP %d, want 401", i, rec.Code)
		}
	}
	if got := strings.Count(logs.String(), "wrong secret"); got != 1 {
		t.Errorf("got %d log lines about the wrong secret for %d requests, want 1:\n%.500s", got, n, logs.String())
	}
	if l := len(logs.String()); l > 1000 {
		t.Errorf("got %d bytes of log for %d refused requests, want a line", l, n)
	}
}
