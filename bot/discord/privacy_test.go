package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/discord"
	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
)

// TestServerPrivacy replays the red-team pass of issue 10: with GuildMessages on for the
// staff desk, Alice and Zed talk in #general (known from GUILD_CREATE) and #random
// (unknown until looked up). Nothing there is a conversation: no greeting, nothing
// handled, nothing posted; /return and a staff command used there continue in each
// member's own DMs, so Zed's "yesterday" never answers Alice's question.
func TestServerPrivacy(t *testing.T) {
	t.Parallel()
	var staff, general string
	h := startWith(t, discordtest.Config{}, func(srv *discordtest.Server, c *discord.Config) {
		staff = srv.AddTextChannel("staff")
		general = srv.AddTextChannel("general")
		c.GuildMessages, c.GuildChannels = true, []string{staff}
	})
	srv := h.srv
	srv.WaitReady(t)
	random := srv.AddTextChannel("random") // made after GUILD_CREATE: looked up
	alice, zed := srv.NewUser("alice"), srv.NewUser("zed")
	for _, ch := range []string{general, random} {
		srv.SendGuild(zed, ch, "anyone up for lunch?")
		srv.SendGuild(alice, ch, "I want to return my kettle")
		srv.SendGuild(zed, ch, "yesterday")
		srv.SendGuild(alice, ch, "person")
	}
	ids := []string{srv.Slash(alice, general, "return"), srv.Slash(zed, random, "return")}
	for _, id := range ids {
		in := srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return in.Edited })
		if !strings.Contains(in.Original, "direct message") {
			t.Errorf("/return in a server: got ephemeral answer %q, want a pointer to the DM", in.Original)
		}
	}
	aliceDM, zedDM := srv.DMChannel(alice), srv.DMChannel(zed)
	srv.WaitMessages(t, aliceDM, 1)
	srv.WaitMessages(t, zedDM, 1)
	srv.SendDM(alice, "my kettle stopped heating")
	srv.WaitMessages(t, aliceDM, 2)

	if err := h.wait(t, 20*time.Second); err != nil { // drains every queued event first
		t.Fatalf("Run: %v", err)
	}
	for _, ch := range []string{general, random} {
		if msgs := srv.Messages(ch); len(msgs) != 0 {
			t.Errorf("channel %s: got %d bot messages (%q ...), want none", ch, len(msgs), msgs[0].Content)
		}
	}
	for _, m := range h.messages() {
		if m.From.Chat != aliceDM && m.From.Chat != zedDM {
			t.Errorf("handled %q from %s in %+v, want only DM conversations", m.Text, m.UserName, m.From)
		}
		if (m.From.Chat == aliceDM) != (m.User == alice.ID) {
			t.Errorf("handled %q by %s in %+v: a conversation shared between people", m.Text, m.UserName, m.From)
		}
	}
}
