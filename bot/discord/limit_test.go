package discord_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/discord"
	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
)

// TestCommandsOverTheLimitFinish: a member who uses /return faster than the inbound limit
// allows has the excess dropped, but every deferred response still ends (answered or told
// to slow down) instead of showing "thinking…" until its token dies.
func TestCommandsOverTheLimitFinish(t *testing.T) {
	t.Parallel()
	h := startNoWait(t, discordtest.Config{}, func(c *discord.Config) {
		c.Dispatch = bot.DispatchConfig{InboundRate: 1, InboundBurst: 1}
	})
	h.srv.WaitReady(t)
	ann := h.srv.NewUser("ann")
	general := h.srv.AddTextChannel("general")
	var ids []string
	for range 4 {
		ids = append(ids, h.srv.Slash(ann, general, "return"))
	}
	slowed := 0
	for _, id := range ids {
		in := h.srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return in.Edited || in.Deleted })
		if in.Original == bot.SlowDownText("en") {
			slowed++
		}
	}
	if slowed == 0 {
		t.Errorf("no /return was told to slow down; want the ones over the limit to be")
	}
}
