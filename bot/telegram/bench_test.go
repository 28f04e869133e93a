package telegram_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// BenchmarkUpdatesThroughFake measures whole updates per second: getUpdates from the fake
// server, the real Service on the memory store, replies sent back over HTTP, and the
// offset confirmed. Outbound limits are off, so it measures the adapter, not Telegram's
// 30 messages a second.
func BenchmarkUpdatesThroughFake(b *testing.B) {
	for _, chats := range []int{1, 100} {
		b.Run(fmt.Sprintf("chats=%d", chats), func(b *testing.B) {
			srv := telegramtest.NewServer(b, "")
			cfg := fastConfig(srv)
			cfg.ChatInterval, cfg.GroupInterval, cfg.GlobalRate = -1, -1, -1
			customers := make([]telegramtest.Customer, chats)
			for i := range customers {
				customers[i] = telegramtest.Private(int64(10000+i), "C", "")
			}
			h := startB(b, srv, memstore.New(), cfg)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				srv.Text(customers[i%chats], "/help")
			}
			if !srv.WaitFor(time.Minute, func() bool { return srv.PendingLocked() == 0 }) {
				b.Fatalf("got %d updates unconfirmed after a minute", srv.Pending())
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
			b.StopTimer()
			h()
		})
	}
}

// BenchmarkRoundTrip measures one customer's message to the bot's reply, one at a time:
// the latency a customer sees from the adapter (long poll wake-up, handling, sending).
func BenchmarkRoundTrip(b *testing.B) {
	srv := telegramtest.NewServer(b, "")
	cfg := fastConfig(srv)
	cfg.ChatInterval, cfg.GroupInterval, cfg.GlobalRate = -1, -1, -1
	stop := startB(b, srv, memstore.New(), cfg)
	c := telegramtest.Private(20000, "C", "")
	srv.Text(c, "/start") // the session exists: each /help below gets one reply
	sent := len(srv.WaitBotMessages(b, c.Chat.ID, 2, wait))
	b.ResetTimer()
	for range b.N {
		srv.Text(c, "/help")
		sent++
		srv.WaitBotMessages(b, c.Chat.ID, sent, wait)
	}
	b.StopTimer()
	stop()
}
