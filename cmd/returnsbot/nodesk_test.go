package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/policy"
)

// With no staff desk, a Telegram customer who asks for a person gets the policy file's
// contact, not a promise, and the dialog goes on.
func TestServeNoDeskGivesContact(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "shop.policy")
	if err := os.WriteFile(pol, []byte("contact: returns@shop.example, +49 30 1234567\n"+policy.DefaultFile()), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := telegramtest.NewServer(t, "")
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "POLICY_FILE": pol,
		"TELEGRAM_CHAT_INTERVAL": "10ms", "TELEGRAM_GROUP_INTERVAL": "off", "TELEGRAM_GLOBAL_RATE": "100",
	}))
	defer stop()
	customer := telegramtest.Private(78, "Pia", "")
	srv.Text(customer, "/start")
	srv.WaitBotMessages(t, 78, 2, 10*time.Second)
	srv.Text(customer, "I want to talk to a person")
	msgs := srv.WaitBotMessages(t, 78, 4, 10*time.Second)
	got := msgs[2].Text + "\n" + msgs[3].Text
	if !strings.Contains(got, "returns@shop.example, +49 30 1234567") || strings.Contains(got, "passed your conversation") {
		t.Fatalf("escalation with no desk answered %q, want the contact and no promise", got)
	}
	if !strings.Contains(msgs[3].Text, "When did you receive") {
		t.Fatalf("after the contact the bot said %q, want the dialog's question again", msgs[3].Text)
	}
}
