package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/handoff"
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

// serve with no desk warns at start that escalations have nowhere to go, and hands the
// adapters the NoDesk with the policy's contact; with a bad hours or snippets setting and a
// desk, it stops with a usage error naming the variable.
func TestNewHandoffWithoutDeskWarns(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ contact, want string }{
		{"", "and the policy file has no contact: setting: escalations have nowhere to go"},
		{"contact: help@example.com\n", "escalations have nowhere to go in the chat; customers who ask for a person are given the policy's contact"},
	} {
		pol := filepath.Join(t.TempDir(), "p.policy")
		if err := os.WriteFile(pol, []byte(tt.contact+policy.DefaultFile()), 0o644); err != nil {
			t.Fatal(err)
		}
		env := envOf(map[string]string{"POLICY_FILE": pol})
		logs := &bottest.LogBuffer{}
		logger := slog.New(slog.NewTextHandler(logs, nil))
		svc, st, err := newService(ctx, env, logger)
		if err != nil {
			t.Fatal(err)
		}
		h, _, err := newHandoff(ctx, env, svc, st, bot.Router{}, logger)
		st.close()
		if err != nil {
			t.Fatal(err)
		}
		nd, ok := h.(*handoff.NoDesk)
		if !ok || nd.Contact != strings.TrimSuffix(strings.TrimPrefix(tt.contact, "contact: "), "\n") {
			t.Fatalf("handler %T %+v, want a NoDesk with the contact", h, h)
		}
		if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), tt.want) {
			t.Fatalf("start logged:\n%s\nwant a warning saying %q", logs, tt.want)
		}
	}
	desk := map[string]string{"TELEGRAM_TOKEN": "t", "STAFF_TELEGRAM_CHAT": "-1001234", "STAFF_TELEGRAM_USERS": "11"}
	bad := filepath.Join(t.TempDir(), "snippets.txt")
	if err := os.WriteFile(bad, []byte("[x]\nHi {customer}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, value, want string }{
		{"STAFF_HOLIDAYS", "2026-12-24", "need opening hours"},
		{"SNIPPETS_FILE", bad, "unknown placeholder {customer}"},
		{"SNIPPETS_FILE", filepath.Join(t.TempDir(), "missing.txt"), "SNIPPETS_FILE"},
	} {
		vars := map[string]string{tt.name: tt.value}
		for k, v := range desk {
			vars[k] = v
		}
		env := envOf(vars)
		svc, st, err := newService(ctx, env, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = newHandoff(ctx, env, svc, st, bot.Router{}, slog.New(slog.DiscardHandler))
		st.close()
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%s: error %v, want a usage error saying %q", tt.name, tt.value, err, tt.want)
		}
	}
}
