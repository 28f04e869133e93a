package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/telegram"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/policy"
)

// wait bounds every wait for the bot; tests normally finish far sooner.
const wait = 10 * time.Second

// harness is one adapter running against the fake server, with the real Service,
// dialog Engine and memory store.
type harness struct {
	t       testing.TB
	srv     *telegramtest.Server
	store   dialog.Store
	svc     *bot.Service
	adapter *telegram.Adapter
	logs    *bottest.LogBuffer
	cancel  context.CancelFunc
	done    chan error
}

// fastConfig is a configuration whose limits and timeouts suit tests.
func fastConfig(srv *telegramtest.Server) telegram.Config {
	return telegram.Config{
		Token:         telegramtest.Token,
		APIURL:        srv.URL,
		PollTimeout:   5 * time.Second,
		PollIdle:      10 * time.Millisecond,
		ChatInterval:  time.Millisecond,
		GroupInterval: time.Millisecond,
		GlobalRate:    10000,
		RetryMin:      5 * time.Millisecond,
		RetryMax:      50 * time.Millisecond,
		DrainTimeout:  2 * time.Second,
		// Tests run whole conversations in milliseconds: no inbound limit unless a test
		// sets one.
		Dispatch: bot.DispatchConfig{InboundRate: -1, RetryAttempts: 1 << 20},
	}
}

func newService(store dialog.Store) *bot.Service {
	svc := bottest.NewService(store)
	svc.Log = slog.New(slog.DiscardHandler)
	return svc
}

// start runs an adapter on srv and store until the test ends or stop is called. wrap, if
// not nil, wraps the real Service (to observe or hold up handling).
func start(t testing.TB, srv *telegramtest.Server, store dialog.Store, cfg telegram.Config, wrap func(bot.Handler) bot.Handler) *harness {
	t.Helper()
	h := &harness{t: t, srv: srv, store: store, svc: newService(store), logs: &bottest.LogBuffer{}, done: make(chan error, 1)}
	cfg.Log = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.svc.Log = cfg.Log
	var handler bot.Handler = h.svc
	if wrap != nil {
		handler = wrap(handler)
	}
	a, err := telegram.New(context.Background(), cfg, handler, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.adapter = a
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("adapter log:\n%s", h.logs)
		}
	})
	return h
}

// startB runs an adapter for a benchmark and returns its stop function.
func startB(b *testing.B, srv *telegramtest.Server, store dialog.Store, cfg telegram.Config) func() {
	h := start(b, srv, store, cfg, nil)
	return h.stop
}

// stop shuts the adapter down gracefully and checks that it never logged the token.
func (h *harness) stop() {
	h.t.Helper()
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(wait):
		h.t.Fatalf("Run did not return %v after cancel", wait)
	}
	if strings.Contains(h.logs.String(), telegramtest.Token) {
		h.t.Errorf("the token appears in the logs:\n%s", h.logs.String())
	}
}

// expect waits for the bot to have sent n messages in chat in all, and returns them.
func (h *harness) expect(chat int64, n int) []telegramtest.Message {
	h.t.Helper()
	return h.srv.WaitBotMessages(h.t, chat, n, wait)
}

// settled waits until Telegram has nothing left to deliver.
func (h *harness) settled() {
	h.t.Helper()
	if !h.srv.WaitFor(wait, func() bool { return h.srv.PendingLocked() == 0 }) {
		h.t.Fatalf("got %d unconfirmed updates after %v, want 0", h.srv.Pending(), wait)
	}
}

func buttonData(m telegramtest.Message) []string {
	var ids []string
	for _, row := range m.Keyboard {
		for _, b := range row {
			ids = append(ids, b.CallbackData)
		}
	}
	return ids
}

func hasButton(m telegramtest.Message, data string) bool {
	for _, id := range buttonData(m) {
		if id == data {
			return true
		}
	}
	return false
}

var alice = telegramtest.Private(1001, "Alice", "en-GB")

// press presses the button data on the bot's last message in c's chat, checking it is there.
func press(t *testing.T, srv *telegramtest.Server, c telegramtest.Customer, data string) int64 {
	t.Helper()
	msgs := srv.BotMessages(c.Chat.ID)
	last := msgs[len(msgs)-1]
	if !hasButton(last, data) {
		t.Fatalf("last message %q has buttons %v, want %q", last.Text, buttonData(last), data)
	}
	return srv.Press(c, last.ID, data)
}

func TestConversationToDecision(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	chat := alice.Chat.ID

	srv.Text(alice, "/start")
	msgs := h.expect(chat, 2)
	if !strings.HasPrefix(msgs[0].Text, "Hello!") {
		t.Errorf("first message: got %q, want the greeting", msgs[0].Text)
	}
	if got, want := buttonData(msgs[1]), []string{"receipt_date:today", "receipt_date:yesterday", "receipt_date:pickup"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("receipt question buttons: got %v, want %v", got, want)
	}

	steps := []struct{ press, reply string }{
		{"receipt_date:yesterday", "What condition were the packaging"},
		{"packaging:intact", "Does the product have a defect"},
		{"defect:no", "Here is what I understood"},
		{"confirm_summary:yes", "Good news: you can return or exchange the goods. You received them on 24 November 2026"},
	}
	n := 2
	for _, s := range steps {
		pressed := srv.BotMessages(chat)[n-1].ID
		press(t, srv, alice, s.press)
		n++
		msgs = h.expect(chat, n)
		if !strings.Contains(msgs[n-1].Text, s.reply) {
			t.Errorf("after %s: got %q, want it to contain %q", s.press, msgs[n-1].Text, s.reply)
		}
		if kb := msgs[pressedIndex(msgs, pressed)].Keyboard; kb != nil {
			t.Errorf("after %s: the pressed message still has keyboard %v, want it removed", s.press, kb)
		}
	}
	decision := msgs[n-1]
	if decision.ParseMode != "HTML" {
		t.Errorf("parse mode: got %q, want HTML", decision.ParseMode)
	}
	if !strings.Contains(decision.Raw, "<blockquote>") {
		t.Errorf("decision %q: want the policy clause in a <blockquote>", decision.Raw)
	}
	if got := buttonData(decision); strings.Join(got, ",") != "action:restart,action:staff" {
		t.Errorf("decision buttons: got %v, want action:restart, action:staff", got)
	}
	for _, c := range srv.Calls("answerCallbackQuery") {
		if c.Status != 0 {
			t.Errorf("answerCallbackQuery %v: got error %d", c.Params, c.Status)
		}
	}
	if got := len(srv.Calls("answerCallbackQuery")); got != len(steps) {
		t.Errorf("answerCallbackQuery calls: got %d, want %d (one per press)", got, len(steps))
	}
	h.settled()

	cmds := srv.Commands("")
	var names []string
	for _, c := range cmds {
		names = append(names, c.Command)
	}
	if got, want := strings.Join(names, ","), "start,restart,back,staff,status,forget,language,help"; got != want {
		t.Errorf("command menu: got %s, want %s", got, want)
	}
	sess, err := h.store.Load(context.Background(), "telegram:1001")
	if err != nil {
		t.Fatal(err)
	}
	if sess.Lang != "en-GB" {
		t.Errorf("session language: got %q, want en-GB from language_code", sess.Lang)
	}
	if sess.Outcome != policy.ReturnEligible {
		t.Errorf("outcome: got %q, want %q", sess.Outcome, policy.ReturnEligible)
	}
}

func pressedIndex(msgs []telegramtest.Message, id int) int {
	for i, m := range msgs {
		if m.ID == id {
			return i
		}
	}
	return -1
}

func TestGermanFromLanguageCode(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	hans := telegramtest.Private(1002, "Hans", "de-AT")
	srv.Text(hans, "/start")
	msgs := h.expect(hans.Chat.ID, 2)
	if !strings.HasPrefix(msgs[0].Text, "Hallo!") {
		t.Errorf("greeting for language_code de-AT: got %q, want German", msgs[0].Text)
	}
	if got := srv.Commands("de"); len(got) != 8 || got[0].Command != "start" || got[0].Description == srv.Commands("")[0].Description {
		t.Errorf("German command menu: got %+v, want the eight commands described in German", got)
	}
	pierre := telegramtest.Private(1003, "Pierre", "fr")
	srv.Text(pierre, "/start")
	msgs = h.expect(pierre.Chat.ID, 2)
	if !strings.HasPrefix(msgs[0].Text, "Bonjour !") {
		t.Errorf("greeting for language_code fr: got %q, want French", msgs[0].Text)
	}
	yuki := telegramtest.Private(1004, "Yuki", "ja")
	srv.Text(yuki, "/start")
	msgs = h.expect(yuki.Chat.ID, 2)
	if !strings.HasPrefix(msgs[0].Text, "Hello!") {
		t.Errorf("greeting for language_code ja (no catalog): got %q, want English, the shop's default", msgs[0].Text)
	}
}

// TestCommandMenuInEveryLanguage: setMyCommands publishes the menu in each shipped
// language, described in that language's words.
func TestCommandMenuInEveryLanguage(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	srv.Text(alice, "/start")
	h.expect(alice.Chat.ID, 2) // the menu is set before the first update is taken
	for _, lang := range i18n.Shipped {
		got := srv.Commands(lang)
		if len(got) != 8 || got[0].Command != "start" {
			t.Fatalf("menu for %s: got %+v, want the six commands", lang, got)
		}
		if want := i18n.Builtin().Text(lang, "menu.start", nil); got[0].Description != want {
			t.Errorf("menu for %s: /start described as %q, want %q", lang, got[0].Description, want)
		}
	}
	if got, want := srv.Commands("")[0].Description, "Start a return or warranty claim"; got != want {
		t.Errorf("menu for everyone else: got %q, want the English %q", got, want)
	}
}

// toDefectDetails walks alice's claim by buttons to the defect description: five messages.
func toDefectDetails(t *testing.T, srv *telegramtest.Server, h *harness, chat int64) {
	t.Helper()
	srv.Text(alice, "/start")
	h.expect(chat, 2)
	press(t, srv, alice, "receipt_date:yesterday")
	h.expect(chat, 3)
	press(t, srv, alice, "packaging:intact")
	h.expect(chat, 4)
	press(t, srv, alice, "defect:yes")
	h.expect(chat, 5)
}

func TestUserTextIsEscaped(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	chat := alice.Chat.ID

	toDefectDetails(t, srv, h, chat)
	srv.Text(alice, "I spilled<b>water</b>&co on it, <b>water</b> & co")
	h.expect(chat, 6) // the seals question, asked for every defect
	press(t, srv, alice, "confirm_seals:yes")
	msgs := h.expect(chat, 7)

	q := msgs[6]
	if want := `You mentioned "spilled<b>water</b>&co".`; !strings.Contains(q.Text, want) {
		t.Errorf("confirm question as shown: got %q, want it to contain %q", q.Text, want)
	}
	if want := `spilled&lt;b&gt;water&lt;/b&gt;&amp;co`; !strings.Contains(q.Raw, want) {
		t.Errorf("confirm question on the wire: got %q, want it to contain %q", q.Raw, want)
	}
	press(t, srv, alice, "confirm_foreign_substances:yes")
	h.expect(chat, 8) // the read-back
	press(t, srv, alice, "confirm_summary:yes")
	msgs = h.expect(chat, 9)
	if !strings.Contains(msgs[8].Text, "the warranty does not cover this case") {
		t.Errorf("decision: got %q, want warranty excluded", msgs[8].Text)
	}
	for _, c := range srv.Calls("sendMessage") {
		if c.Status != 0 {
			t.Errorf("sendMessage %q refused with %d", c.Params["text"], c.Status)
		}
	}
}

func TestStaleButton(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	chat := alice.Chat.ID

	srv.Text(alice, "hello")
	msgs := h.expect(chat, 2)
	receipt := msgs[1]
	srv.Text(alice, "yesterday") // typed, so the receipt keyboard stays
	h.expect(chat, 3)
	upd := srv.Press(alice, receipt.ID, "receipt_date:today")
	msgs = h.expect(chat, 4)

	if want := "That button belongs to an earlier question."; !strings.HasPrefix(msgs[3].Text, want) {
		t.Errorf("stale press: got %q, want it to start with %q", msgs[3].Text, want)
	}
	if !strings.Contains(msgs[3].Text, "What condition were the packaging") {
		t.Errorf("stale press: got %q, want the current question asked again", msgs[3].Text)
	}
	if !hasButton(msgs[3], "packaging:intact") {
		t.Errorf("stale press: reply buttons %v, want the packaging keyboard", buttonData(msgs[3]))
	}
	if !srv.Answered(fmt.Sprintf("cq%d", upd)) {
		t.Errorf("callback query of update %d not answered", upd)
	}
	if kb := msgs[1].Keyboard; kb != nil {
		t.Errorf("stale keyboard: still %v, want it removed", kb)
	}
	sess, _ := h.store.Load(context.Background(), "telegram:1001")
	if sess.Answers.Receipt != "2026-11-24" {
		t.Errorf("receipt date: got %q, want the typed 2026-11-24 unchanged", sess.Answers.Receipt)
	}
}

func TestStickerAndPhoto(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	chat := alice.Chat.ID

	srv.Text(alice, "/start")
	h.expect(chat, 2)
	srv.Sticker(alice)
	msgs := h.expect(chat, 3)
	if want := "I can only read text and photos, not a sticker."; !strings.HasPrefix(msgs[2].Text, want) {
		t.Errorf("sticker: got %q, want it to start with %q", msgs[2].Text, want)
	}
	press(t, srv, alice, "receipt_date:yesterday")
	h.expect(chat, 4)
	press(t, srv, alice, "packaging:intact")
	h.expect(chat, 5)
	press(t, srv, alice, "defect:yes")
	h.expect(chat, 6)

	picture := []byte("\xff\xd8\xff a JPEG of a cracked kettle")
	srv.Photo(alice, picture, "")
	msgs = h.expect(chat, 7)
	if want := "Thank you, I have kept your photo. Please also describe the defect"; !strings.HasPrefix(msgs[6].Text, want) {
		t.Errorf("photo without words: got %q, want it to start with %q", msgs[6].Text, want)
	}
	srv.Photo(alice, []byte("second picture"), "It stopped heating after a week")
	msgs = h.expect(chat, 8)
	if !strings.Contains(msgs[7].Text, "seals") {
		t.Errorf("photo with caption as description: got %q, want the next question (seals)", msgs[7].Text)
	}

	sess, err := h.store.Load(context.Background(), "telegram:1001")
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.Answers.Photos) != 2 {
		t.Fatalf("photos kept: got %v, want 2 references", sess.Answers.Photos)
	}
	if sess.Answers.Details != "It stopped heating after a week" {
		t.Errorf("details: got %q, want the caption", sess.Answers.Details)
	}
	got, err := h.adapter.Photo(context.Background(), sess.Answers.Photos[0])
	if err != nil {
		t.Fatalf("Photo: %v", err)
	}
	if !bytes.Equal(got.Data, picture) {
		t.Errorf("Photo data: got %q, want the largest size %q", got.Data, picture)
	}
	if got.Name == "" {
		t.Errorf("Photo name: got empty, want the file's name")
	}
}

func TestAlbumIsOneMessage(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	chat := alice.Chat.ID
	toDefectDetails(t, srv, h, chat)

	srv.Album(alice, [][]byte{[]byte("one"), []byte("two"), []byte("three")}, "The lid cracked when I opened it")
	msgs := h.expect(chat, 6)
	h.settled() // an update is confirmed only after all its replies: none can follow
	if got := len(srv.BotMessages(chat)); got != 6 {
		t.Errorf("bot messages after an album of three: got %d, want one answer (6 in all)", got)
	}
	if !strings.Contains(msgs[5].Text, "seals") {
		t.Errorf("answer to the album: got %q, want the caption taken as the description", msgs[5].Text)
	}
	sess, _ := h.store.Load(context.Background(), "telegram:1001")
	if len(sess.Answers.Photos) != 3 || sess.Answers.Details != "The lid cracked when I opened it" {
		t.Errorf("session: got photos %v details %q, want 3 photos and the caption", sess.Answers.Photos, sess.Answers.Details)
	}
}

func TestTooManyRequestsIsWaitedOut(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	chat := alice.Chat.ID

	srv.Fail("sendMessage", telegramtest.TooManyRequests(1))
	srv.Text(alice, "/start")
	msgs := h.expect(chat, 2)
	if !strings.HasPrefix(msgs[0].Text, "Hello!") || !strings.HasPrefix(msgs[1].Text, "When did you receive") {
		t.Errorf("messages: got %q, %q, want the greeting then the first question, in order", msgs[0].Text, msgs[1].Text)
	}
	calls := srv.Calls("sendMessage")
	if len(calls) != 3 {
		t.Fatalf("sendMessage calls: got %d, want 3 (refused, retried, next)", len(calls))
	}
	if calls[0].Status != http.StatusTooManyRequests || calls[1].Status != 0 {
		t.Fatalf("statuses: got %d, %d, want 429 then success", calls[0].Status, calls[1].Status)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retry came %v after the 429, want at least retry_after = 1s", gap)
	}
	if calls[0].Params["text"] != calls[1].Params["text"] {
		t.Errorf("retried text: got %q, want the refused %q", calls[1].Params["text"], calls[0].Params["text"])
	}

	// A refused answerCallbackQuery is sent again too: the button's spinner must stop.
	srv.Fail("answerCallbackQuery", telegramtest.TooManyRequests(1))
	upd := press(t, srv, alice, "receipt_date:yesterday")
	h.expect(chat, 3)
	if !srv.Answered(fmt.Sprintf("cq%d", upd)) {
		t.Errorf("callback query refused with 429: not answered after retry_after")
	}
	if answers := srv.Calls("answerCallbackQuery"); len(answers) != 2 || answers[0].Status != http.StatusTooManyRequests || answers[1].At.Sub(answers[0].At) < time.Second {
		t.Errorf("answerCallbackQuery calls: got %+v, want a 429 and a retry at least 1s later", answers)
	}
	h.settled()
}

// TestPacingUnderLoad has many chats answered at once against a fake that refuses,
// as Telegram does, messages sent faster than its limits: the adapter's pacing keeps
// refusals rare, and the few there are are waited out, so every reply arrives, in order.
func TestPacingUnderLoad(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	srv.SetFlood(telegramtest.Flood{ChatInterval: 60 * time.Millisecond, ChatBurst: 2, GlobalRate: 60})
	cfg := fastConfig(srv)
	cfg.ChatInterval, cfg.ChatBurst, cfg.GlobalRate = 100*time.Millisecond, 2, 40
	const chats = 20
	var customers []telegramtest.Customer
	for i := range chats {
		customers = append(customers, telegramtest.Private(int64(3000+i), "C", ""))
	}
	for _, in := range []string{"/start", "yesterday", "intact"} {
		for _, c := range customers {
			srv.Text(c, in)
		}
	}
	h := start(t, srv, memstore.New(), cfg, nil)
	for _, c := range customers {
		msgs := h.expect(c.Chat.ID, 4)
		for i, want := range []string{"Hello!", "When did you receive", "What condition", "Does the product have a defect"} {
			if !strings.HasPrefix(msgs[i].Text, want) {
				t.Errorf("chat %d message %d: got %q, want %q...", c.Chat.ID, i, msgs[i].Text, want)
			}
		}
	}
	sent, refused := 0, 0
	for _, c := range srv.Calls("sendMessage") {
		sent++
		if c.Status == http.StatusTooManyRequests {
			refused++
		}
	}
	t.Logf("%d sendMessage calls, %d refused with 429", sent, refused)
	if refused > sent/10 {
		t.Errorf("got %d of %d sends refused with 429, want at most 10%%: the adapter does not pace", refused, sent)
	}
}

func TestPerChatPace(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	cfg := fastConfig(srv)
	cfg.ChatInterval, cfg.ChatBurst = 150*time.Millisecond, 1
	h := start(t, srv, memstore.New(), cfg, nil)

	srv.Text(alice, "/start")
	h.expect(alice.Chat.ID, 2)
	calls := srv.Calls("sendMessage")
	if gap := calls[1].At.Sub(calls[0].At); gap < 100*time.Millisecond {
		t.Errorf("two messages to one chat %v apart, want about the chat interval of 150ms", gap)
	}
}

func TestRestartMidConversation(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	store := memstore.New()
	chat := alice.Chat.ID

	first := start(t, srv, store, fastConfig(srv), nil)
	srv.Text(alice, "/start")
	first.expect(chat, 2)
	press(t, srv, alice, "receipt_date:yesterday")
	first.expect(chat, 3)
	first.settled()
	first.stop()

	// Updates sent while the bot is down wait at Telegram.
	press(t, srv, alice, "packaging:intact")
	second := start(t, srv, store, fastConfig(srv), nil)
	second.expect(chat, 4)
	press(t, srv, alice, "defect:no")
	second.expect(chat, 5) // the read-back
	press(t, srv, alice, "confirm_summary:yes")
	msgs := second.expect(chat, 6)
	if !strings.Contains(msgs[5].Text, "Good news") {
		t.Errorf("decision after restart: got %q, want return eligible", msgs[5].Text)
	}
	second.settled() // every update confirmed, so done with: no reply can follow
	if got := len(srv.BotMessages(chat)); got != 6 {
		t.Errorf("bot messages: got %d, want 6 (nothing lost, nothing twice)", got)
	}
}

// TestKilledMidUpdate stops an adapter while it handles an update, as a crash would: the
// update was not handled, so it must not be confirmed, and the next adapter handles it.
func TestKilledMidUpdate(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	store := memstore.New()
	chat := alice.Chat.ID
	cfg := fastConfig(srv)
	cfg.DrainTimeout = 50 * time.Millisecond

	entered := make(chan struct{}, 1)
	hang := func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
			if m.Text == "yesterday" {
				entered <- struct{}{}
				<-ctx.Done() // the process dies here, before the store is touched
				return nil, ctx.Err()
			}
			return next.Handle(ctx, m)
		})
	}
	first := start(t, srv, store, cfg, hang)
	srv.Text(alice, "/start")
	first.expect(chat, 2)
	srv.Text(alice, "yesterday")
	select {
	case <-entered:
	case <-time.After(wait):
		t.Fatal("the update never reached the handler")
	}
	first.stop()
	if srv.Pending() != 1 {
		t.Fatalf("unconfirmed updates after the crash: got %d, want 1 (the one being handled)", srv.Pending())
	}

	second := start(t, srv, store, fastConfig(srv), nil)
	msgs := second.expect(chat, 3)
	if !strings.Contains(msgs[2].Text, "What condition were the packaging") {
		t.Errorf("after restart: got %q, want the packaging question", msgs[2].Text)
	}
	second.settled()
	if got := len(srv.BotMessages(chat)); got != 3 {
		t.Errorf("bot messages: got %d, want 3", got)
	}
}

// TestRedeliveredUpdate sends updates again with their update_id, as Telegram does after
// a crash between handling and confirming: each is handled once. The last one handled in
// the chat is answered with its question again, since its replies may never have gone
// out; an older one is dropped.
func TestRedeliveredUpdate(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	store := memstore.New()
	chat := alice.Chat.ID
	h := start(t, srv, store, fastConfig(srv), nil)
	text := srv.Text(alice, "/start")
	h.expect(chat, 2)
	pressID := press(t, srv, alice, "receipt_date:yesterday")
	h.expect(chat, 3)
	h.settled()
	h.stop()
	before, _ := store.Load(context.Background(), "telegram:"+strconv.FormatInt(chat, 10))

	srv.Redeliver(text)
	srv.Redeliver(pressID)
	again := start(t, srv, store, fastConfig(srv), nil)
	srv.Text(alice, "hi") // a marker: once answered, the repeats were handled before it
	msgs := again.expect(chat, 5)
	again.settled()
	if got := len(srv.BotMessages(chat)); got != 5 {
		t.Errorf("bot messages: got %d, want 5 (the /start dropped, the press repeated once)", got)
	}
	if m := msgs[3].Text; !strings.HasPrefix(m, "In case my last message did not reach you") || !strings.Contains(m, "What condition were the packaging") {
		t.Errorf("answer to the redelivered press: got %q, want the packaging question again after a note", m)
	}
	if !strings.Contains(msgs[4].Text, "What condition were the packaging") {
		t.Errorf("marker answer: got %q, want the packaging question re-asked", msgs[4].Text)
	}
	after, _ := store.Load(context.Background(), "telegram:"+strconv.FormatInt(chat, 10))
	if after.Answers.Receipt != before.Answers.Receipt || after.State != dialog.StatePackaging {
		t.Errorf("after the redeliveries: state %s answers %+v, want the packaging question pending with the answers kept", after.State, after.Answers)
	}
}

func TestWebhook(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	var handler atomic.Value
	handler.Store(http.NotFoundHandler())
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.Load().(http.Handler).ServeHTTP(w, r)
	}))
	defer hook.Close()

	cfg := fastConfig(srv)
	cfg.WebhookURL, cfg.WebhookSecret = hook.URL+"/telegram/webhook", "s3cret-webhook_token"
	cfg.Log = slog.New(slog.DiscardHandler)
	store := memstore.New()
	svc := newService(store)
	a, err := telegram.New(context.Background(), cfg, svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	handler.Store(a.WebhookHandler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	chat := alice.Chat.ID
	srv.Text(alice, "/start")
	srv.WaitBotMessages(t, chat, 2, wait)
	press(t, srv, alice, "receipt_date:yesterday")
	srv.WaitBotMessages(t, chat, 3, wait)
	if !srv.WaitFor(wait, func() bool { return srv.PendingLocked() == 0 }) {
		t.Fatalf("webhook updates not all acknowledged")
	}
	if url, secret := srv.Webhook(); url != cfg.WebhookURL || secret != cfg.WebhookSecret {
		t.Errorf("setWebhook: got %q, %q, want %q and the secret", url, secret, cfg.WebhookURL)
	}

	bad := models.Update{ID: 999999, Message: &models.Message{ID: 1, Date: 1, Text: "/staff",
		Chat: alice.Chat, From: &alice.User}}
	client := &http.Client{Timeout: wait}
	for _, secret := range []string{"", "wrong", cfg.WebhookSecret + "x", "s3cret-webhook_tokeN"} {
		if got := srv.DeliverWebhook(client, cfg.WebhookURL, secret, bad); got != http.StatusUnauthorized {
			t.Errorf("secret %q: got HTTP %d, want 401", secret, got)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, cfg.WebhookURL, nil)
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", cfg.WebhookSecret)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET webhook: got %v %v, want 405", resp.StatusCode, err)
	}
	// A refused request is answered before anything is queued: nothing can follow.
	if got := len(srv.BotMessages(chat)); got != 3 {
		t.Errorf("bot messages after refused requests: got %d, want 3 (none handled)", got)
	}
}

// TestOrderPerChatConcurrencyAcrossChats queues a whole conversation for many chats at
// once: each chat's replies must be those of its messages in order, while chats are
// handled side by side.
func TestOrderPerChatConcurrencyAcrossChats(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	const chats = 20
	inputs := []string{"/start", "2 days ago", "damaged", "yes", "/back", "no"}
	var customers []telegramtest.Customer
	for i := range chats {
		customers = append(customers, telegramtest.Private(int64(2000+i), fmt.Sprintf("C%d", i), ""))
	}
	for _, in := range inputs {
		for _, c := range customers {
			srv.Text(c, in)
		}
	}

	// The order the Service itself answers in, one message after another.
	oracle := newService(memstore.New())
	var want []string
	for i, in := range inputs {
		out, err := oracle.Handle(context.Background(), bot.Message{ID: fmt.Sprint(i), From: bot.Address{Platform: "telegram", Chat: "1"}, Text: in})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			// Quoted clauses are shown as blockquotes, without the quotation marks.
			want = append(want, strings.NewReplacer("“", "", "”", "").Replace(o.Text))
		}
	}

	var running, peak atomic.Int32
	observe := func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(2 * time.Millisecond) // long enough for chats to overlap
			return next.Handle(ctx, m)
		})
	}
	h := start(t, srv, memstore.New(), fastConfig(srv), observe)
	for _, c := range customers {
		msgs := h.expect(c.Chat.ID, len(want))
		for i := range want {
			if msgs[i].Text != want[i] {
				t.Fatalf("chat %d message %d: got %q, want %q", c.Chat.ID, i, msgs[i].Text, want[i])
			}
		}
	}
	h.settled()
	if p := peak.Load(); p < 2 {
		t.Errorf("at most %d chat handled at a time, want several in parallel", p)
	}
}

func TestForumTopics(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	group := telegramtest.Customer{
		Chat:   models.Chat{ID: -100777, Type: models.ChatTypeSupergroup, Title: "Staff", IsForum: true},
		Thread: 42,
		User:   models.User{ID: 5, FirstName: "Sam", LastName: "Staff"},
	}
	srv.Text(group, "/help")
	msgs := h.expect(group.Chat.ID, 2)
	for _, m := range msgs {
		if m.Thread != 42 {
			t.Errorf("reply in topic: got message_thread_id %d, want 42", m.Thread)
		}
	}
	sess, err := h.store.Load(context.Background(), "telegram:-100777:42")
	if err != nil || sess.State == "" {
		t.Errorf("topic session: got %+v, %v, want the conversation keyed by chat and topic", sess, err)
	}

	addr, err := h.adapter.OpenThread(context.Background(), bot.Address{Platform: "telegram", Chat: "-100777"}, "Claim of Alice <alice>")
	if err != nil {
		t.Fatalf("OpenThread: %v", err)
	}
	if addr.Platform != "telegram" || addr.Chat != "-100777" || addr.Thread == "" {
		t.Fatalf("OpenThread: got %+v, want a topic of chat -100777", addr)
	}
	err = h.adapter.Send(context.Background(), bot.Outbound{To: addr, Reply: dialog.Reply{Text: "New case <b>&"},
		Photos: []bot.Photo{{Name: "evidence.jpg", Data: []byte("jpeg")}}})
	if err != nil {
		t.Fatalf("Send to topic: %v", err)
	}
	var inTopic []telegramtest.Message
	for _, m := range srv.BotMessages(group.Chat.ID) {
		if fmt.Sprint(m.Thread) == addr.Thread {
			inTopic = append(inTopic, m)
		}
	}
	if len(inTopic) != 2 {
		t.Fatalf("messages in the new topic: got %d, want 2 (text, photo)", len(inTopic))
	}
	text, photo := inTopic[0], inTopic[1]
	if fmt.Sprint(text.Thread) != addr.Thread || text.Text != "New case <b>&" {
		t.Errorf("topic message: got %q in thread %d, want %q in %s", text.Text, text.Thread, "New case <b>&", addr.Thread)
	}
	if fmt.Sprint(photo.Thread) != addr.Thread || string(photo.Photo) != "jpeg" {
		t.Errorf("topic photo: got %q in thread %d, want the evidence in %s", photo.Photo, photo.Thread, addr.Thread)
	}
}

func TestSendRefusesLongButtonID(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	h := start(t, srv, memstore.New(), fastConfig(srv), nil)
	long := "question:" + strings.Repeat("x", 60)
	err := h.adapter.Send(context.Background(), bot.Outbound{
		To:    bot.Address{Platform: "telegram", Chat: "1001"},
		Reply: dialog.Reply{Text: "Pick", Buttons: []dialog.Button{{ID: long, Label: "X"}}},
	})
	if !errors.Is(err, telegram.ErrButtonID) {
		t.Errorf("Send with a %d-byte button id: got %v, want ErrButtonID", len(long), err)
	}
	if got := len(srv.Calls("sendMessage")); got != 0 {
		t.Errorf("sendMessage calls: got %d, want none", got)
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	url := srv.URL
	srv.Close()
	_, err := telegram.New(context.Background(), telegram.Config{Token: telegramtest.Token, APIURL: url}, nil, nil)
	if err == nil {
		t.Fatal("New against a closed server: got no error")
	}
	if strings.Contains(err.Error(), telegramtest.Token) || strings.Contains(err.Error(), "TEST-secret") {
		t.Errorf("error shows the token: %v", err)
	}

	live := telegramtest.NewServer(t, "")
	_, err = telegram.New(context.Background(), telegram.Config{Token: "999:wrong-token", APIURL: live.URL}, nil, nil)
	if err == nil || strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("New with a wrong token: got %v, want an error without the token", err)
	}
}
