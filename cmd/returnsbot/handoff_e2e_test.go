package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// The staff desk end to end: the real serve wiring, the real Telegram and Discord adapters
// on their SDKs, fake Telegram and Discord servers on loopback, cases and sessions in a
// real Redis.

const (
	tgDeskChat = -1001000
	tgTanya    = 501 // Telegram staff
	tgStranger = 666
	staffRole  = "424242"
)

type deskWorld struct {
	t        *testing.T
	tg       *telegramtest.Server
	dc       *discordtest.Server
	desk     string // Discord staff channel
	dana     discordtest.User
	rita     discordtest.User // staff by role only
	eve      discordtest.User // not staff
	env      map[string]string
	cases    handoff.Store
	logs     *bottest.LogBuffer
	stopServ func() error
}

func newDeskWorld(t *testing.T, extra map[string]string) *deskWorld {
	t.Helper()
	w := &deskWorld{t: t, tg: telegramtest.NewServer(t, ""), dc: discordtest.NewServer(t, discordtest.Config{}), logs: &bottest.LogBuffer{}}
	w.desk = w.dc.AddTextChannel("staff-desk")
	w.dana, w.rita, w.eve = w.dc.NewUser("Dana"), w.dc.NewUser("Rita"), w.dc.NewUser("Eve")
	url := redistest.URL(t)
	prefix := redistest.Prefix(t)
	rdb, err := redisstore.NewClient(url)
	if err != nil {
		t.Fatalf("redis client: %v", err)
	}
	t.Cleanup(func() {
		if _, err := redisstore.DeleteKeys(context.Background(), rdb, prefix+"*"); err != nil {
			t.Errorf("clean up: %v", err)
		}
		rdb.Close()
	})
	// The layout the bot writes: REDIS_KEY_PREFIX, then the cases' "handoff:" namespace.
	w.cases = rediscases.New(rdb, rediscases.Options{Prefix: prefix})
	w.env = map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": w.tg.URL,
		"TELEGRAM_CHAT_INTERVAL": "10ms", "TELEGRAM_GROUP_INTERVAL": "off", "TELEGRAM_GLOBAL_RATE": "1000",
		"DISCORD_TOKEN": "test-token", "DISCORD_API_URL": w.dc.URL, "DISCORD_GUILD_MESSAGES": "true",
		"REDIS_URL": url, "REDIS_KEY_PREFIX": prefix,
		"STAFF_TELEGRAM_CHAT": fmt.Sprint(tgDeskChat), "STAFF_TELEGRAM_USERS": fmt.Sprintf("%d, 502", tgTanya),
		"STAFF_DISCORD_CHANNEL": w.desk, "STAFF_DISCORD_USERS": w.dana.ID, "STAFF_DISCORD_ROLES": staffRole,
		"HANDOFF_RENOTIFY": "0",
		// Conversations run in milliseconds here: a limit meant for people typing would drop them.
		"INBOUND_RATE": "600",
	}
	for k, v := range extra {
		w.env[k] = v
	}
	w.start()
	t.Cleanup(func() {
		if w.stopServ != nil {
			if err := w.stop(); err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	})
	return w
}

func (w *deskWorld) getenv(k string) string { return w.env[k] }

// start runs serve as a fresh process would, until stop.
func (w *deskWorld) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	started := len(w.tg.Calls("getMe"))
	go func() { done <- serve(ctx, w.getenv, logger) }()
	w.stopServ = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			return errors.New("serve did not stop within 15s of cancel")
		}
	}
	// Started once its Telegram adapter has asked who it is (and Discord is ready, below);
	// a serve that stops instead fails the test.
	waittest.For(w.t, "serve to start its Telegram adapter", func() bool {
		select {
		case err := <-done:
			w.t.Fatalf("serve stopped at start: %v\n%s", err, w.logs)
		default:
		}
		return len(w.tg.Calls("getMe")) > started
	})
	w.dc.WaitReady(w.t)
}

func (w *deskWorld) stop() error {
	err := w.stopServ()
	w.stopServ = nil
	return err
}

// openCase waits for the open case of a conversation to have both desk threads.
func (w *deskWorld) openCase(conv string) *handoff.Case {
	w.t.Helper()
	var c *handoff.Case
	waittest.For(w.t, "the case of "+conv+" with two threads", func() bool {
		var err error
		c, err = w.cases.OpenFor(context.Background(), conv)
		return err == nil && len(c.Threads) == 2
	})
	return c
}

func threadOf(t *testing.T, c *handoff.Case, platform string) string {
	t.Helper()
	for _, th := range c.Threads {
		if th.Platform == platform {
			return th.Thread
		}
	}
	t.Fatalf("case %s has no %s thread", c.ID, platform)
	return ""
}

// tgStaff is a member of the Telegram staff group writing in a topic.
func tgStaff(id int64, name string, topic int) telegramtest.Customer {
	return telegramtest.Customer{
		Chat:   models.Chat{ID: tgDeskChat, Type: models.ChatTypeSupergroup, Title: "Desk", IsForum: true},
		Thread: topic,
		User:   models.User{ID: id, FirstName: name},
	}
}

// dcEscalate has a new Discord customer ask for a person in their DM after giving a
// receipt date, and returns them, their DM channel and the case that opens.
func (w *deskWorld) dcEscalate(name string) (discordtest.User, string, *handoff.Case) {
	u := w.dc.NewUser(name)
	w.dc.SendDM(u, "hi")
	w.dc.SendDM(u, "yesterday")
	w.dc.SendDM(u, "person")
	dm := w.dc.DMChannel(u)
	return u, dm, w.openCase("discord:" + dm)
}

// tgTopicMessages returns the bot's messages in a topic of the Telegram desk.
func (w *deskWorld) tgTopicMessages(topic string) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range w.tg.BotMessages(tgDeskChat) {
		if fmt.Sprint(m.Thread) == topic {
			out = append(out, m)
		}
	}
	return out
}

// tgHasText reports whether the bot sent a message containing text to chat.
func tgHasText(ms []telegramtest.Message, text string) bool {
	for _, m := range ms {
		if strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

func dcHasText(ms []discordtest.Message, text string) bool {
	for _, m := range ms {
		if strings.Contains(m.Content, text) {
			return true
		}
	}
	return false
}

// dcWithButton returns the last bot message in channel carrying the button.
func (w *deskWorld) dcWithButton(channel, button string) discordtest.Message {
	w.t.Helper()
	var found discordtest.Message
	waittest.For(w.t, "a message with button "+button+" in "+channel, func() bool {
		for _, m := range w.dc.Messages(channel) {
			for _, b := range m.Buttons {
				if b.CustomID == button {
					found = m
				}
			}
		}
		return found.ID != ""
	})
	return found
}

// tgWithButton returns the id of the last bot message in a desk topic carrying the button.
func (w *deskWorld) tgWithButton(topic, button string) int {
	w.t.Helper()
	id := 0
	waittest.For(w.t, "a telegram message with button "+button, func() bool {
		for _, m := range w.tgTopicMessages(topic) {
			for _, row := range m.Keyboard {
				for _, b := range row {
					if b.CallbackData == button {
						id = m.ID
					}
				}
			}
		}
		return id != 0
	})
	return id
}

func TestHandoffTelegramCustomerServedByDiscordStaff(t *testing.T) {
	w := newDeskWorld(t, nil)
	ann := telegramtest.Private(1001, "Ann", "en")
	w.tg.Text(ann, "hi")
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1001")
	dcThread := threadOf(t, c, "discord")

	card := w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClaim, c.ID))
	if !strings.Contains(card.Content, "Case "+c.ID) || !strings.Contains(card.Content, "asked for a person") || len(card.Buttons) != 3 {
		t.Fatalf("discord card = %q with %d buttons, want the case card with three", card.Content, len(card.Buttons))
	}

	// The customer's photo goes to the Discord thread as an upload.
	w.tg.Photo(ann, []byte("JPEG-of-the-broken-kettle"), "it arrived like this")
	waittest.For(t, "the customer's photo in the discord thread", func() bool {
		for _, m := range w.dc.Messages(dcThread) {
			for _, f := range m.Files {
				if string(f.Data) == "JPEG-of-the-broken-kettle" {
					return strings.Contains(m.Content, "it arrived like this") || dcHasText(w.dc.Messages(dcThread), "it arrived like this")
				}
			}
		}
		return false
	})

	w.dc.Press(t, w.dana, card, handoff.ButtonID(handoff.ActClaim, c.ID))
	waittest.For(t, "the claim notice to the customer", func() bool {
		return tgHasText(w.tg.BotMessages(1001), "Dana from our team has taken up your case")
	})

	// Staff text reaches the Telegram customer as plain text, markup characters and all.
	answer := "Hello Ann <b>not bold</b> & welcome"
	w.dc.SendGuild(w.dana, dcThread, answer)
	waittest.For(t, "the staff answer in the customer's chat", func() bool {
		ms := w.tg.BotMessages(1001)
		return len(ms) > 0 && ms[len(ms)-1].Text == answer
	})
	w.tg.Text(ann, "thank you")
	waittest.For(t, "the customer's reply in the discord thread", func() bool {
		return dcHasText(w.dc.Messages(dcThread), "Ann (customer): thank you")
	})

	closeMsg := w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClose, c.ID))
	w.dc.Press(t, w.dana, closeMsg, handoff.ButtonID(handoff.ActClose, c.ID))
	waittest.For(t, "the closing message", func() bool { return tgHasText(w.tg.BotMessages(1001), "closed your case") })

	var out bytes.Buffer
	if err := run(context.Background(), []string{"case", "show", c.ID}, w.getenv, nil, &out, &out); err != nil {
		t.Fatalf("case show: %v\n%s", err, out.String())
	}
	for _, want := range []string{"(closed)", "Customer Ann: person", "[1 photo]", "Staff Dana (discord): " + answer, "Customer Ann: thank you", "closed by Dana (discord)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("case show lacks %q:\n%s", want, out.String())
		}
	}
}

func TestHandoffDiscordCustomerServedByTelegramStaff(t *testing.T) {
	w := newDeskWorld(t, nil)
	bob, dm, c := w.dcEscalate("Bob")
	topic := threadOf(t, c, "telegram")

	claim := w.tgWithButton(topic, handoff.ButtonID(handoff.ActClaim, c.ID))
	tanya := tgStaff(tgTanya, "Tanya", atoi(t, topic))
	w.tg.Press(tanya, claim, handoff.ButtonID(handoff.ActClaim, c.ID))
	waittest.For(t, "the claim notice in Bob's DM", func() bool { return dcHasText(w.dc.Messages(dm), "Tanya from our team has taken up your case") })

	w.tg.Text(tanya, "Hi Bob, **not bold** here")
	waittest.For(t, "Tanya's answer in Bob's DM", func() bool {
		ms := w.dc.Messages(dm)
		return len(ms) > 0 && strings.Contains(ms[len(ms)-1].Content, "not bold")
	})
	if last := w.dc.Messages(dm); !strings.Contains(last[len(last)-1].Content, `\*\*not bold\*\*`) {
		t.Errorf("staff text reached Discord as %q, want its markdown escaped", last[len(last)-1].Content)
	}
	w.dc.SendDM(bob, "ok, thanks")
	waittest.For(t, "Bob's reply in the telegram topic", func() bool { return tgHasText(w.tgTopicMessages(topic), "Bob (customer): ok, thanks") })

	// Bob's photo, an attachment on Discord's CDN, is uploaded to the Telegram topic.
	att := w.dc.AddAttachment("receipt.png", "image/png", []byte("PNG-of-the-receipt"))
	w.dc.Dispatch("MESSAGE_CREATE", w.dc.MessageEvent(bob, dm, "my receipt", map[string]any{"attachments": []any{att}}))
	waittest.For(t, "Bob's photo in the telegram topic", func() bool {
		for _, m := range w.tgTopicMessages(topic) {
			if string(m.Photo) == "PNG-of-the-receipt" {
				return true
			}
		}
		return false
	})

	ret := w.tgWithButton(topic, handoff.ButtonID(handoff.ActReturn, c.ID))
	w.tg.Press(tanya, ret, handoff.ButtonID(handoff.ActReturn, c.ID))
	// Bob had answered the receipt date; the bot resumes at the packaging question.
	waittest.For(t, "the packaging question in Bob's DM", func() bool {
		ms := w.dc.Messages(dm)
		if len(ms) == 0 {
			return false
		}
		last := ms[len(ms)-1]
		return len(last.Buttons) > 0 && last.Buttons[0].CustomID == "packaging:intact"
	})
	if got, _ := w.cases.Get(context.Background(), c.ID); got.Status != handoff.Returned {
		t.Fatalf("case status = %q, want returned", got.Status)
	}
}

func TestHandoffConcurrentClaimAcrossPlatforms(t *testing.T) {
	w := newDeskWorld(t, nil)
	ann := telegramtest.Private(1002, "Ann", "en")
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1002")
	topic, dcThread := threadOf(t, c, "telegram"), threadOf(t, c, "discord")
	dcCard := w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClaim, c.ID))
	tgCard := w.tgWithButton(topic, handoff.ButtonID(handoff.ActClaim, c.ID))

	// Three staff press Claim at once: on Discord by id, on Telegram, and on Discord by role.
	ritaClaims := w.dc.MessageEvent(w.rita, dcThread, "/claim", map[string]any{
		"member": map[string]any{"roles": []string{staffRole}, "joined_at": "2026-01-01T00:00:00Z"},
	})
	press := w.dc.PressEvent(t, w.dana, dcCard, handoff.ButtonID(handoff.ActClaim, c.ID))
	var wg sync.WaitGroup
	wg.Go(func() { w.dc.Dispatch("INTERACTION_CREATE", press) })
	wg.Go(func() {
		w.tg.Press(tgStaff(tgTanya, "Tanya", atoi(t, topic)), tgCard, handoff.ButtonID(handoff.ActClaim, c.ID))
	})
	wg.Go(func() { w.dc.Dispatch("MESSAGE_CREATE", ritaClaims) })
	wg.Wait()

	refusals := func() int {
		n := 0
		for _, m := range w.dc.Messages(dcThread) {
			if strings.Contains(m.Content, "only they can do that") {
				n++
			}
		}
		for _, m := range w.tgTopicMessages(topic) {
			if strings.Contains(m.Text, "only they can do that") {
				n++
			}
		}
		return n
	}
	notices := func() int {
		n := 0
		for _, m := range w.tg.BotMessages(1002) {
			if strings.Contains(m.Text, "has taken up your case") {
				n++
			}
		}
		return n
	}
	// Each claim is answered with a refusal or, for the winner, the notices: two refusals
	// and a notice account for all three.
	waittest.For(t, "one claim and two refusals", func() bool { return notices() >= 1 && refusals() >= 2 })
	got, _ := w.cases.Get(context.Background(), c.ID)
	if got.Claimed == nil {
		t.Fatalf("case unclaimed after three claims")
	}
	t.Logf("claim won by %s", got.Claimed)
	// The winner writes to the customer in their thread: handled after their claim on the
	// same lane, so once it reaches the customer every notice of the claim has too.
	const barrier = "Hello Ann, I have your case."
	switch got.Claimed.User {
	case w.dana.ID:
		w.dc.SendGuild(w.dana, dcThread, barrier)
	case w.rita.ID:
		w.dc.Dispatch("MESSAGE_CREATE", w.dc.MessageEvent(w.rita, dcThread, barrier, map[string]any{
			"member": map[string]any{"roles": []string{staffRole}, "joined_at": "2026-01-01T00:00:00Z"},
		}))
	default:
		w.tg.Text(tgStaff(tgTanya, "Tanya", atoi(t, topic)), barrier)
	}
	waittest.For(t, "the winner's message to the customer", func() bool { return tgHasText(w.tg.BotMessages(1002), barrier) })
	if n, r := notices(), refusals(); n != 1 || r != 2 {
		t.Fatalf("three simultaneous claims: %d customer notices and %d refusals, want 1 and 2", n, r)
	}
}

// TestHandoffCustomerAnsweredWhileTopicFails: the Telegram desk answers createForumTopic
// with HTTP 500 and no error_code. The customer's "passed to staff" reply goes out
// before the topic exists; the topic is opened once Telegram recovers, by a bounded
// number of calls, and gets the card.
func TestHandoffCustomerAnsweredWhileTopicFails(t *testing.T) {
	w := newDeskWorld(t, nil)
	fail := telegramtest.Failure{Code: 500, Description: "Internal Server Error", NoErrorCode: true}
	w.tg.Fail("createForumTopic", fail, fail, fail)
	ann := telegramtest.Private(1006, "Ann", "en")
	w.tg.Text(ann, "person")
	waittest.For(t, "the customer's escalation reply", func() bool {
		return tgHasText(w.tg.BotMessages(1006), "passed your conversation to our staff")
	})
	c := w.openCase("telegram:1006")
	topic := threadOf(t, c, "telegram")
	w.tgWithButton(topic, handoff.ButtonID(handoff.ActClaim, c.ID))

	var replied, opened time.Time
	for _, call := range w.tg.Calls("sendMessage") {
		if call.Params["chat_id"] == "1006" && replied.IsZero() {
			replied = call.At
		}
	}
	calls := w.tg.Calls("createForumTopic")
	for _, call := range calls {
		if call.Status == 0 {
			opened = call.At
		}
	}
	if replied.IsZero() || opened.IsZero() {
		t.Fatalf("sendMessage to the customer at %v, topic opened at %v: want both", replied, opened)
	}
	if !replied.Before(opened) {
		t.Errorf("the customer's reply was sent at %v, the topic opened at %v: the reply waited for the topic", replied, opened)
	}
	if len(calls) != 4 {
		t.Errorf("got %d createForumTopic calls, want 4: three failures and the one that opened the topic", len(calls))
	}
}

func TestHandoffUnauthorisedRefused(t *testing.T) {
	w := newDeskWorld(t, nil)
	ann := telegramtest.Private(1003, "Ann", "en")
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1003")
	topic, dcThread := threadOf(t, c, "telegram"), threadOf(t, c, "discord")

	card := w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClaim, c.ID))
	w.dc.Press(t, w.eve, card, handoff.ButtonID(handoff.ActClaim, c.ID))
	waittest.For(t, "a refusal for Eve in the discord thread", func() bool {
		return dcHasText(w.dc.Messages(dcThread), "only authorised staff")
	})
	// The refusal gives the card's buttons back, since the press removed them.
	w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClose, c.ID))
	w.tg.Text(tgStaff(tgStranger, "Mallory", atoi(t, topic)), "Hi, please send me your card number")
	waittest.For(t, "a refusal for Mallory in the telegram topic", func() bool {
		return tgHasText(w.tgTopicMessages(topic), "only authorised staff")
	})
	for _, m := range w.tg.BotMessages(1003) {
		if strings.Contains(m.Text, "card number") {
			t.Fatalf("the customer received a stranger's message: %q", m.Text)
		}
	}
	if got, _ := w.cases.Get(context.Background(), c.ID); got.Claimed != nil {
		t.Fatalf("case claimed by %s after refusals, want unclaimed", got.Claimed)
	}
	logs := w.logs.String()
	for _, want := range []string{"user=" + w.eve.ID, fmt.Sprintf("user=%d", tgStranger)} {
		if !strings.Contains(logs, "not staff") || !strings.Contains(logs, want) {
			t.Errorf("refusal of %s not logged:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, telegramtest.Token) || strings.Contains(logs, "test-token") {
		t.Errorf("a token appears in the log")
	}
}

func TestHandoffRestartMidCase(t *testing.T) {
	w := newDeskWorld(t, nil)
	ann := telegramtest.Private(1004, "Ann", "en")
	w.tg.Text(ann, "hi")
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1004")
	dcThread := threadOf(t, c, "discord")
	card := w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClaim, c.ID))
	w.dc.Press(t, w.dana, card, handoff.ButtonID(handoff.ActClaim, c.ID))
	waittest.For(t, "the claim notice", func() bool { return tgHasText(w.tg.BotMessages(1004), "has taken up your case") })

	if err := w.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	w.start()

	w.dc.SendGuild(w.dana, dcThread, "I am still here after the restart")
	waittest.For(t, "the staff answer after the restart", func() bool {
		return tgHasText(w.tg.BotMessages(1004), "I am still here after the restart")
	})
	w.tg.Text(ann, "so am I")
	waittest.For(t, "the customer's message in the thread after the restart", func() bool {
		return dcHasText(w.dc.Messages(dcThread), "Ann (customer): so am I")
	})
	before := len(w.tg.BotMessages(1004))
	closeMsg := w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClose, c.ID))
	w.dc.Press(t, w.dana, closeMsg, handoff.ButtonID(handoff.ActClose, c.ID))
	waittest.For(t, "the closing message", func() bool { return tgHasText(w.tg.BotMessages(1004)[before:], "closed your case") })
	// The customer starts over with the bot.
	w.tg.Text(ann, "hello")
	waittest.For(t, "the greeting of a new claim", func() bool { return tgHasText(w.tg.BotMessages(1004)[before:], "Hello! I can help") })
}

func TestHandoffRemindsAndForgets(t *testing.T) {
	defer func(d time.Duration) { minRenotify = d }(minRenotify)
	minRenotify = 0
	w := newDeskWorld(t, map[string]string{"HANDOFF_RENOTIFY": "150ms"})
	ann := telegramtest.Private(1005, "Ann", "en")
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1005")
	dcThread := threadOf(t, c, "discord")
	waittest.For(t, "a reminder of the unclaimed case", func() bool {
		return dcHasText(w.dc.Messages(dcThread), "Reminder: case "+c.ID)
	})
	if err := w.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"forget", "telegram:1005"}, w.getenv, nil, &out, &out); err != nil {
		t.Fatalf("forget: %v\n%s", err, out.String())
	}
	if _, err := w.cases.Get(context.Background(), c.ID); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("case after forget: error = %v, want ErrNotFound", err)
	}
	err := run(context.Background(), []string{"case", "show", c.ID}, w.getenv, nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "no case") {
		t.Fatalf("case show after forget = %v, want no case", err)
	}
	sessions, closeSessions, err := openStore(context.Background(), w.getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("openStore: %v", err)
	}
	defer closeSessions()
	s, err := sessions.Load(context.Background(), "telegram:1005")
	if err != nil || s.Version != 0 {
		t.Fatalf("session after forget = version %d, %v; want none", s.Version, err)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// TestHandoffForgetWhileRunning: "returnsbot forget" erases a customer while serve runs
// and still holds the escalated session in its cache. The customer's next message is
// answered by the dialog, from the start, and opens no case from the stale copy.
func TestHandoffForgetWhileRunning(t *testing.T) {
	w := newDeskWorld(t, nil)
	ann := telegramtest.Private(1007, "Ann", "en")
	w.tg.Text(ann, "hi")
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1007")

	var out bytes.Buffer
	if err := run(context.Background(), []string{"forget", "telegram:1007"}, w.getenv, nil, &out, &out); err != nil {
		t.Fatalf("forget: %v\n%s", err, out.String())
	}
	before := len(w.tg.BotMessages(1007))
	w.tg.Text(ann, "hello again")
	waittest.For(t, "the dialog's greeting after forget", func() bool {
		return tgHasText(w.tg.BotMessages(1007)[before:], "Hello! I can help")
	})
	if got, err := w.cases.OpenFor(context.Background(), "telegram:1007"); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("after forget the customer's message opened case %v (err %v), want none; the erased case was %s", got, err, c.ID)
	}
}
