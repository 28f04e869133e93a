package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// TestServeDiscord runs `returnsbot serve` with DISCORD_TOKEN and DISCORD_API_URL pointing
// at a fake Discord: the adapter joins serve from the environment alone, registers
// /return, answers a DM, and stops cleanly on cancel without logging the token.
func TestServeDiscord(t *testing.T) {
	srv := discordtest.NewServer(t, discordtest.Config{Token: "serve-secret-token"})
	getenv := func(k string) string {
		return map[string]string{"DISCORD_TOKEN": "serve-secret-token", "DISCORD_API_URL": srv.URL}[k]
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &stdout, &stderr) }()
	srv.WaitReady(t)
	u := srv.NewUser("ann")
	srv.SendDM(u, "hi")
	msgs := srv.WaitMessages(t, srv.DMChannel(u), 2)
	if len(msgs[1].Buttons) != 3 {
		t.Errorf("got %q with buttons %v, want the receipt date question", msgs[1].Content, msgs[1].Buttons)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop 15s after cancel")
	}
	if strings.Contains(stderr.String(), "serve-secret-token") {
		t.Errorf("the log contains the token")
	}
}

// TestServeDiscordConfigErrors: a bad setting stops serve with an error naming it.
func TestServeDiscordConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"guild messages not a bool", map[string]string{"DISCORD_TOKEN": "x", "DISCORD_GUILD_MESSAGES": "maybe"}, "DISCORD_GUILD_MESSAGES"},
		{"API URL not http", map[string]string{"DISCORD_TOKEN": "x", "DISCORD_API_URL": "ftp://example"}, "API URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out, errb bytes.Buffer
			err := run(ctx, []string{"serve"}, func(k string) string { return tt.vars[k] }, strings.NewReader(""), &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

// TestServeDiscordBadToken: Discord refusing the token ends serve with a clear error.
func TestServeDiscordBadToken(t *testing.T) {
	srv := discordtest.NewServer(t, discordtest.Config{})
	getenv := func(k string) string {
		return map[string]string{"DISCORD_TOKEN": "wrong-token", "DISCORD_API_URL": srv.URL}[k]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	err := run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "4004") || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Errorf("got %v, want the 4004 refusal naming DISCORD_TOKEN", err)
	}
	if ctx.Err() != nil {
		t.Errorf("serve ran until the timeout instead of stopping on the refusal")
	}
	if strings.Contains(err.Error()+errb.String(), "wrong-token") {
		t.Errorf("the token appears in the error or log")
	}
}

// TestServeDiscordShutdownDeadline: 40 DMs of one customer are queued while Discord
// answers every send with 429. After cancel (SIGTERM), serve must exit once the drain
// deadline (10s) has passed, not after the 40 sends have each waited out their 429s.
func TestServeDiscordShutdownDeadline(t *testing.T) {
	srv := discordtest.NewServer(t, discordtest.Config{Token: "drain-token"})
	getenv := func(k string) string {
		return map[string]string{"DISCORD_TOKEN": "drain-token", "DISCORD_API_URL": srv.URL, "INBOUND_RATE": "off"}[k]
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &stdout, &stderr) }()
	srv.WaitReady(t)
	srv.RateLimit("POST", "/channels/", 100000, 2*time.Second)
	u := srv.NewUser("patient")
	for range 40 {
		srv.SendDM(u, "hi")
	}
	waittest.For(t, "a send answered 429", func() bool {
		for _, r := range srv.Requests() {
			if r.Status == http.StatusTooManyRequests {
				return true
			}
		}
		return false
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop 20s after cancel, with a 10s drain deadline")
	}
}
