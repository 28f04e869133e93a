package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
	"github.com/returnsbot/returnsbot/dialog"
)

// TestServeDiscordStatusAndForget: on Discord, a DM customer's decision names a claim,
// /status lists it, and /forget, confirmed with its button, erases it.
func TestServeDiscordStatusAndForget(t *testing.T) {
	srv := discordtest.NewServer(t, discordtest.Config{Token: "claims-token"})
	getenv := env("DISCORD_TOKEN", "claims-token", "DISCORD_API_URL", srv.URL, "INBOUND_RATE", "off")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &stdout, &stderr) }()
	srv.WaitReady(t)
	u := srv.NewUser("una")
	ch := srv.DMChannel(u)
	// Each input's replies, counted: greeting+question, then one question each, then the
	// read-back and the decision.
	n := 0
	for _, step := range []struct {
		text    string
		replies int
	}{{"hi", 2}, {"yesterday", 1}, {"intact", 1}, {"no", 1}, {"yes", 1}} {
		srv.SendDM(u, step.text)
		n += step.replies
		srv.WaitMessages(t, ch, n)
	}
	msgs := srv.Messages(ch)
	id := claimIDs.FindString(msgs[n-1].Content)
	if id == "" {
		t.Fatalf("decision %q names no claim", msgs[n-1].Content)
	}
	srv.SendDM(u, "/status")
	n++
	msgs = srv.WaitMessages(t, ch, n)
	if got := msgs[n-1].Content; !strings.Contains(got, id) || !strings.Contains(got, "decided") {
		t.Fatalf("/status on Discord: %q, want claim %s, decided", got, id)
	}
	srv.SendDM(u, "/forget")
	n++
	msgs = srv.WaitMessages(t, ch, n)
	ask := msgs[n-1]
	srv.Press(t, u, ask, dialog.ForgetYes)
	srv.SendDM(u, "my claims")
	msgs = srv.WaitMessages(t, ch, n+2)
	if got := msgs[len(msgs)-1].Content; !strings.Contains(got, "no claims") {
		t.Fatalf("after /forget, my claims: %q, want none on record (messages %d)", got, len(msgs))
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
}
