package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/internal/waittest"
	"github.com/returnsbot/returnsbot/webhook/webhooktest"
)

// TestServeDeliversWebhooksAndStatus: under serve, a Telegram customer's decision reaches
// WEBHOOK_URL signed while the bot runs, /status on Telegram lists the claim, and /metrics
// counts the outbox.
func TestServeDeliversWebhooksAndStatus(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	rcv := webhooktest.NewReceiver(t, "s3cret")
	addr := freeAddr(t)
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "LISTEN_ADDR": addr,
		"TELEGRAM_CHAT_INTERVAL": "off", "TELEGRAM_GROUP_INTERVAL": "off", "TELEGRAM_GLOBAL_RATE": "1000",
		"WEBHOOK_URL": rcv.URL, "WEBHOOK_SECRET": "s3cret", "INBOUND_RATE": "off",
	}))
	customer := telegramtest.Private(92, "Tom", "")
	for i, text := range []string{"/start", "yesterday", "intact", "no", "yes"} {
		srv.Text(customer, text)
		srv.WaitBotMessages(t, 92, []int{2, 3, 4, 5, 6}[i], 10*time.Second)
	}
	msgs := srv.BotMessages(92)
	id := claimIDs.FindString(msgs[len(msgs)-1].Text)
	if id == "" {
		t.Fatalf("decision %q names no claim", msgs[len(msgs)-1].Text)
	}
	got := rcv.WaitAccepted(t, 1, 20*time.Second)
	if got[0].Type != claims.ClaimDecided || string(got[0].Claim.ID) != id || got[0].Claim.Platform != "telegram" || got[0].Claim.User != "92" {
		t.Fatalf("receiver got %+v, want claim.decided of %s from telegram:92", got[0], id)
	}
	srv.Text(customer, "/status")
	srv.WaitBotMessages(t, 92, 7, 10*time.Second)
	msgs = srv.BotMessages(92)
	if status := msgs[len(msgs)-1].Text; !strings.Contains(status, id) || !strings.Contains(status, "decided") {
		t.Fatalf("/status on Telegram: %q, want claim %s, decided", status, id)
	}
	waittest.For(t, "/metrics to count the delivery", func() bool {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(body), "returnsbot_outbox_delivered_total 1\n") && strings.Contains(string(body), "returnsbot_outbox_pending 0\n")
	})
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}
