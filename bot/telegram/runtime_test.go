package telegram_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// TestOKAnswerIsSent: Telegram answers sendMessage with ok:true and a result the client
// cannot decode. The message reached the chat, so it must not be sent again, and the lane
// goes on to the next message.
func TestOKAnswerIsSent(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	chat := alice.Chat.ID
	srv.Garble("sendMessage", 1)
	srv.Text(alice, "/start")
	h.expect(chat, 2)
	srv.Text(alice, "/help")
	h.expect(chat, 3)
	h.settled() // an update is confirmed only after all its sends: none can follow
	if got := len(srv.Calls("sendMessage")); got != 3 {
		t.Errorf("sendMessage calls: got %d, want 3 (the greeting's two, once each, and the help)", got)
	}
}

// TestSendRetriesAreBounded: sendMessage fails with a server error again and again. The
// adapter tries SendAttempts times, logs the give-up, confirms the update (so it does not
// hold back the offset) and answers the chat's next message.
func TestSendRetriesAreBounded(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	cfg := fastConfig(srv)
	cfg.SendAttempts = 3
	h := start(t, srv, memstore.New(), cfg, nil)
	chat := alice.Chat.ID
	srv.Fail("sendMessage", telegramtest.Failure{Code: 500, Description: "Internal Server Error"},
		telegramtest.Failure{Code: 500, Description: "Internal Server Error"},
		telegramtest.Failure{Code: 500, Description: "Internal Server Error"})
	srv.Text(alice, "/start")
	h.settled()
	srv.Text(alice, "/help")
	h.expect(chat, 1)
	h.settled()
	failed := 0
	for _, c := range srv.Calls("sendMessage") {
		if c.Status == 500 {
			failed++
		}
	}
	if failed != 3 {
		t.Errorf("failed sendMessage calls: got %d, want 3 (SendAttempts)", failed)
	}
	if !strings.Contains(h.logs.String(), "request given up") {
		t.Errorf("the give-up is not logged:\n%s", h.logs)
	}
}

// TestPollPausesAfterEmptyAnswer: a server that ignores timeout answers getUpdates at
// once with nothing; the adapter must pause PollIdle between such answers, not spin.
func TestPollPausesAfterEmptyAnswer(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	srv.IgnoreTimeout()
	cfg := fastConfig(srv)
	cfg.PollIdle = 40 * time.Millisecond
	start(t, srv, memstore.New(), cfg, nil)
	srv.WaitCalls(t, "getUpdates", 6, wait)
	calls := srv.Calls("getUpdates")
	for i := 1; i < len(calls); i++ {
		// A call is recorded when answered; the next is sent at least PollIdle later.
		if gap := calls[i].At.Sub(calls[i-1].At); gap < cfg.PollIdle {
			t.Errorf("getUpdates %d came %v after the previous empty answer, want at least %v", i, gap, cfg.PollIdle)
		}
	}
}

// TestPanicIsRecovered: handling one chat's update panics. The adapter lives on, logs
// the update, asks that customer to try again, and answers the other chats.
func TestPanicIsRecovered(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	boom := func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
			if m.Text == "boom" {
				panic("handler bug")
			}
			return next.Handle(ctx, m)
		})
	}
	h := start(t, srv, memstore.New(), fastConfig(srv), boom)
	bob := telegramtest.Private(1002, "Bob", "")
	id := srv.Text(alice, "boom")
	srv.Text(bob, "/start")
	h.expect(bob.Chat.ID, 2)
	msgs := h.expect(alice.Chat.ID, 1)
	if msgs[0].Text != bot.TryAgainText {
		t.Errorf("reply to the update that panicked: got %q, want the try-again apology", msgs[0].Text)
	}
	h.settled()
	logs := h.logs.String()
	if !strings.Contains(logs, "panic") || !strings.Contains(logs, "handler bug") || !strings.Contains(logs, "id="+strconv.FormatInt(id, 10)) {
		t.Errorf("the panic and its update are not logged:\n%s", logs)
	}
	srv.Text(alice, "/start")
	h.expect(alice.Chat.ID, 3)
}

// TestWebhookFloodDoesNotStallOthers: the fake posts updates one at a time, as a webhook
// with one connection gets them. One chat floods with paced replies; the others must be
// answered while the flooder's backlog is still there, and the flooder told once to slow
// down.
func TestWebhookFloodDoesNotStallOthers(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	mux := http.NewServeMux()
	hook := httptest.NewServer(mux)
	defer hook.Close()
	cfg := fastConfig(srv)
	cfg.ChatInterval, cfg.ChatBurst = 200*time.Millisecond, 1
	cfg.Dispatch = bot.DispatchConfig{} // the default inbound limit
	cfg.WebhookURL, cfg.WebhookSecret = hook.URL+"/tg", "flood-secret"
	h := start(t, srv, memstore.New(), cfg, nil)
	mux.Handle("POST /tg", h.adapter.WebhookHandler()) // until then the fake's posts get 404 and are retried
	flooder := telegramtest.Private(3000, "Flood", "")
	for range 300 {
		srv.Text(flooder, "hello")
	}
	quiet := telegramtest.Private(3001, "Quiet", "")
	srv.Text(quiet, "/start")
	h.expect(quiet.Chat.ID, 1)
	if n := len(srv.BotMessages(flooder.Chat.ID)); n >= 20 {
		t.Errorf("flooder's replies before the quiet customer's first: got %d, want a handful", n)
	}
	h.settled()
	slow := 0
	for _, m := range srv.BotMessages(flooder.Chat.ID) {
		if m.Text == bot.SlowDownText("en") {
			slow++
		}
	}
	if slow != 1 {
		t.Errorf("slow-down replies: got %d, want 1", slow)
	}
}

// TestWebhookShutdownCutShortIsNotConfirmed: shutdown comes while an update's second
// reply waits for its turn (one message per 10s to the chat). The drain deadline cuts it
// short, so the webhook must answer 503, not 200, and Telegram keep the update.
func TestWebhookShutdownCutShortIsNotConfirmed(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	mux := http.NewServeMux()
	hook := httptest.NewServer(mux)
	defer hook.Close()
	cfg := fastConfig(srv)
	cfg.ChatInterval, cfg.ChatBurst, cfg.DrainTimeout = 10*time.Second, 1, 100*time.Millisecond
	cfg.WebhookURL, cfg.WebhookSecret = hook.URL+"/tg", "cut-secret"
	h := start(t, srv, memstore.New(), cfg, nil)
	mux.Handle("POST /tg", h.adapter.WebhookHandler())
	srv.Text(alice, "/start") // the greeting is two messages
	h.expect(alice.Chat.ID, 1)
	h.stop()
	ok := 0
	if !srv.WaitFor(wait, func() bool {
		ok = len(srv.WebhookStatusesLocked(http.StatusOK))
		return len(srv.WebhookStatusesLocked(http.StatusServiceUnavailable)) > 0
	}) {
		t.Errorf("webhook answers: got no 503 for the update cut short")
	}
	if ok != 0 {
		t.Errorf("webhook 200 answers: got %d, want 0 (its replies were not all sent)", ok)
	}
	if got := srv.Pending(); got != 1 {
		t.Errorf("updates kept at Telegram: got %d, want 1", got)
	}
}
