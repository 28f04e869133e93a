package main

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
)

func telegramEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runServeTelegram runs serve in the background and returns a function that stops it and
// returns its error.
func runServeTelegram(t *testing.T, getenv func(string) string) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, getenv, slog.New(slog.DiscardHandler)) }()
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop within 15s of cancel")
			return nil
		}
	}
}

func TestServeTelegramPolling(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL,
		"TELEGRAM_CHAT_INTERVAL": "10ms", "TELEGRAM_GROUP_INTERVAL": "off", "TELEGRAM_GLOBAL_RATE": "100",
	}))
	customer := telegramtest.Private(77, "Pat", "")
	srv.Text(customer, "/start")
	msgs := srv.WaitBotMessages(t, 77, 2, 10*time.Second)
	if !strings.HasPrefix(msgs[0].Text, "Hello!") {
		t.Errorf("first reply: got %q, want the greeting", msgs[0].Text)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if n := srv.Pending(); n != 0 {
		t.Errorf("unconfirmed updates after a clean stop: got %d, want 0", n)
	}
}

func TestServeTelegramWebhook(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	hook := "http://" + addr + "/hooks/telegram"
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "LISTEN_ADDR": addr,
		"TELEGRAM_WEBHOOK_URL": hook, "TELEGRAM_WEBHOOK_SECRET": "wiring-secret",
	}))
	srv.Text(telegramtest.Private(78, "Kim", ""), "/start")
	srv.WaitBotMessages(t, 78, 2, 10*time.Second)
	if url, secret := srv.Webhook(); url != hook || secret != "wiring-secret" {
		t.Errorf("setWebhook: got %q, %q, want %q, wiring-secret", url, secret, hook)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

func TestServeTelegramConfigErrors(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"webhook without listen address", map[string]string{"TELEGRAM_WEBHOOK_URL": "https://bot.example/tg", "TELEGRAM_WEBHOOK_SECRET": "s"}, "LISTEN_ADDR"},
		{"webhook without secret", map[string]string{"TELEGRAM_WEBHOOK_URL": "https://bot.example/tg", "LISTEN_ADDR": "127.0.0.1:0"}, "TELEGRAM_WEBHOOK_SECRET"},
		{"relative webhook URL", map[string]string{"TELEGRAM_WEBHOOK_URL": "/tg", "TELEGRAM_WEBHOOK_SECRET": "s", "LISTEN_ADDR": "127.0.0.1:0"}, "absolute"},
		{"wrong token", map[string]string{"TELEGRAM_TOKEN": "1:wrong"}, "getMe"},
		{"bad chat interval", map[string]string{"TELEGRAM_CHAT_INTERVAL": "fast"}, "TELEGRAM_CHAT_INTERVAL"},
		{"negative group interval", map[string]string{"TELEGRAM_GROUP_INTERVAL": "-1s"}, "TELEGRAM_GROUP_INTERVAL"},
		{"zero global rate", map[string]string{"TELEGRAM_GLOBAL_RATE": "0"}, "TELEGRAM_GLOBAL_RATE"},
	}
	for _, tc := range tests {
		env := map[string]string{"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL}
		for k, v := range tc.env {
			env[k] = v
		}
		err := serve(context.Background(), telegramEnv(env), slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), env["TELEGRAM_TOKEN"]) {
			t.Errorf("%s: error shows the token: %v", tc.name, err)
		}
	}
}
