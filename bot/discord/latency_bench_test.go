package discord_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/discord"
	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
)

// BenchmarkReplyLatency measures a customer's wait for the answer end to end: a DM
// through the fake's gateway, the real Service on the memory store, the reply over REST.
// chats customers write at once, each sending /help and waiting for the answer before the
// next; no inbound limit. It reports p50-ms and p99-ms of the waits and msgs/s.
//
//	go test -run '^$' -bench ReplyLatency -benchtime 2000x ./bot/discord/
func BenchmarkReplyLatency(b *testing.B) {
	for _, chats := range []int{1, 200} {
		b.Run(fmt.Sprintf("chats=%d", chats), func(b *testing.B) {
			h := start(b, discordtest.Config{HeartbeatInterval: 5 * time.Second}, quietLog)
			replyLatency(b, h.srv, chats, bottest.PerChat(b.N, chats, 5))
		})
	}
}

// BenchmarkQuietLatency measures what quiet customers wait while another floods, with the
// default inbound limit on: one user sends 1000 DMs at once, then 20 others each send
// three messages one after another (within the limit's burst). It reports p50-ms and
// p99-ms of the quiet customers' waits. Run it with -benchtime=1x.
//
//	go test -run '^$' -bench QuietLatency -benchtime 1x ./bot/discord/
func BenchmarkQuietLatency(b *testing.B) {
	for range b.N {
		h := start(b, discordtest.Config{HeartbeatInterval: 5 * time.Second}, quietLog,
			func(c *discord.Config) { c.Dispatch = bot.DispatchConfig{} })
		flooder := h.srv.NewUser("flood")
		for range 1000 {
			h.srv.SendDM(flooder, "hello")
		}
		replyLatency(b, h.srv, 20, 3)
		h.wait(b, time.Minute)
	}
}

func quietLog(c *discord.Config) { c.Log = slog.New(slog.DiscardHandler) }

// replyLatency runs chats new users through perChat /help DMs each, after a /start, and
// reports their waits.
func replyLatency(b *testing.B, srv *discordtest.Server, chats, perChat int) {
	users := make([]discordtest.User, chats)
	channels := make([]string, chats)
	for i := range users {
		users[i] = srv.NewUser(fmt.Sprintf("c%d", i))
		srv.SendDM(users[i], "/start")
		channels[i] = srv.DMChannel(users[i])
	}
	// Replies counts the bot's messages per DM channel as they come.
	index := make(map[string]int, chats)
	for i, ch := range channels {
		index[ch] = i
	}
	counts := make([]int, chats)
	next := 0
	update := func() {
		var sent []string
		sent, next = srv.MessagesFromLocked(next)
		for _, ch := range sent {
			if i, ok := index[ch]; ok {
				counts[i]++
			}
		}
	}
	srv.WaitFor(time.Minute, func() bool {
		update()
		for _, n := range counts {
			if n < 2 {
				return false
			}
		}
		return true
	})
	b.ResetTimer()
	begin := time.Now()
	lat := bottest.ReplyLatencies(b, bottest.Fake{
		Send:    func(i int) { srv.SendDM(users[i], "/help") },
		Replies: func(i int) int { update(); return counts[i] },
		WaitFor: srv.WaitFor,
	}, chats, perChat, time.Minute)
	b.StopTimer()
	bottest.ReportLatencies(b, lat, time.Since(begin))
}
