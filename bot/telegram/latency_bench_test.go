package telegram_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/telegram"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// BenchmarkReplyLatency measures a customer's wait for the answer end to end: the update
// through getUpdates (polling) or a webhook POST, the real Service on the memory store,
// sendMessage to the fake. chats customers write at once, each sending /help and waiting
// for the answer before the next; pacing is off, so it measures the bot, not Telegram's
// limits. It reports p50-ms and p99-ms of the waits and msgs/s.
//
//	go test -run '^$' -bench ReplyLatency -benchtime 2000x ./bot/telegram/
func BenchmarkReplyLatency(b *testing.B) {
	for _, mode := range []string{"polling", "webhook"} {
		for _, chats := range []int{1, 200} {
			b.Run(fmt.Sprintf("%s/chats=%d", mode, chats), func(b *testing.B) {
				srv, _ := startBench(b, mode == "webhook", false)
				replyLatency(b, srv, 10000, chats, bottest.PerChat(b.N, chats, 5))
			})
		}
	}
}

// BenchmarkQuietLatency measures what quiet customers wait while another floods, with the
// default pacing and inbound limit on: one chat sends 1000 messages at once, then 20
// others each send three messages one after another (within the limit's burst). It reports p50-ms and p99-ms of the quiet customers' waits.
// One iteration takes seconds: run it with -benchtime=1x.
//
//	go test -run '^$' -bench QuietLatency -benchtime 1x ./bot/telegram/
func BenchmarkQuietLatency(b *testing.B) {
	for _, mode := range []string{"polling", "webhook"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				srv, stop := startBench(b, mode == "webhook", true)
				flooder := telegramtest.Private(90000, "Flood", "")
				for range 1000 {
					srv.Text(flooder, "hello")
				}
				replyLatency(b, srv, 91000, 20, 3)
				stop()
			}
		})
	}
}

// replyLatency runs chats customers (ids from first) through perChat /help each and
// reports their waits; each has said /start before.
func replyLatency(b *testing.B, srv *telegramtest.Server, first int64, chats, perChat int) {
	customers := make([]telegramtest.Customer, chats)
	for i := range customers {
		customers[i] = telegramtest.Private(first+int64(i), "C", "")
		srv.Text(customers[i], "/start")
	}
	srv.WaitFor(floodCap, func() bool {
		for _, c := range customers {
			if srv.BotCountLocked(c.Chat.ID) < 2 {
				return false
			}
		}
		return true
	})
	b.ResetTimer()
	start := time.Now()
	lat := bottest.ReplyLatencies(b, bottest.Fake{
		Send:    func(i int) { srv.Text(customers[i], "/help") },
		Replies: func(i int) int { return srv.BotCountLocked(customers[i].Chat.ID) },
		WaitFor: srv.WaitFor,
	}, chats, perChat, floodCap)
	b.StopTimer()
	bottest.ReportLatencies(b, lat, time.Since(start))
}

// startBench runs an adapter on a new fake until stop is called or the benchmark ends:
// polling, or webhooks on a loopback server; paced keeps the default outbound pacing and
// inbound limit, else both are off.
func startBench(b testing.TB, webhook, paced bool) (*telegramtest.Server, func()) {
	srv := telegramtest.NewServer(b, "")
	cfg := telegram.Config{Token: telegramtest.Token, APIURL: srv.URL, Log: slog.New(slog.DiscardHandler)}
	if !paced {
		// These customers write as fast as they are answered.
		cfg.ChatInterval, cfg.GroupInterval, cfg.GlobalRate = -1, -1, -1
		cfg.Dispatch = bot.DispatchConfig{InboundRate: -1}
	}
	var handler http.Handler = http.NotFoundHandler()
	var hook *httptest.Server
	if webhook {
		hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
		cfg.WebhookURL, cfg.WebhookSecret = hook.URL+"/tg", "bench-secret"
	}
	a, err := telegram.New(context.Background(), cfg, newService(memstore.New()), nil)
	if err != nil {
		b.Fatal(err)
	}
	if webhook {
		handler = a.WebhookHandler()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			<-done
			if hook != nil {
				hook.Close()
			}
		})
	}
	b.Cleanup(stop)
	return srv, stop
}
