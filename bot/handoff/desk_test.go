package handoff_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
	"github.com/returnsbot/returnsbot/policy"
)

// platform stands for a chat platform in these tests: it records what is sent to it,
// opens numbered threads and serves photos, as an adapter would.
type platform struct {
	name string

	mu          sync.Mutex
	sent        []bot.Outbound
	threads     int
	failThreads bool
	// opens counts OpenThread calls; hold, if set, makes them wait until it is closed.
	opens int
	hold  chan struct{}
	// titles are the titles of the threads opened.
	titles []string
	// titlePrefix starts every title of a case thread, as in the desk's language; empty
	// for "Case ".
	titlePrefix string
}

func (p *platform) Send(ctx context.Context, o bot.Outbound) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, o)
	return nil
}

func (p *platform) OpenThread(ctx context.Context, chat bot.Address, title string) (bot.Address, error) {
	p.mu.Lock()
	p.opens++
	hold := p.hold
	p.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return bot.Address{}, ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failThreads {
		return bot.Address{}, errors.New("thread service down")
	}
	prefix := p.titlePrefix
	if prefix == "" {
		prefix = "Case "
	}
	if !strings.HasPrefix(title, prefix) {
		return bot.Address{}, fmt.Errorf("title %q does not name the case", title)
	}
	p.threads++
	p.titles = append(p.titles, title)
	return bot.Address{Platform: p.name, Chat: chat.Chat, Thread: strconv.Itoa(p.threads)}, nil
}

func (p *platform) Photo(ctx context.Context, ref string) (bot.Photo, error) {
	if ref == "missing" {
		return bot.Photo{}, errors.New("no such file")
	}
	return bot.Photo{Name: ref + ".jpg", Data: []byte(p.name + "-bytes-of-" + ref)}, nil
}

// Addresses of the test world.
var (
	tgDesk   = bot.Address{Platform: "telegram", Chat: "-100"}
	dcDesk   = bot.Address{Platform: "discord", Chat: "desk"}
	tgAnn    = bot.Address{Platform: "telegram", Chat: "1"}
	dcBob    = bot.Address{Platform: "discord", Chat: "dm-2"}
	tgStaff  = "7"  // Tanya, staff by user id on Telegram
	dcStaff  = "8"  // Dmitri, staff by user id on Discord
	dcRole   = "r1" // Discord role of staff
	stranger = "99"
	now0     = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
)

type world struct {
	t        testing.TB
	desk     *handoff.Desk
	cases    handoff.Store
	sessions dialog.Store
	claims   *memclaims.Store
	outbox   *memclaims.Outbox
	tg, dc   *platform
	logs     *bottest.LogBuffer
	clock    atomic.Int64 // Unix nanoseconds
	msgID    atomic.Int64

	// policy is the policy newDesk's instance loads; nil is the default.
	policy *policy.Policy
	// lang is the desk's language (Desk.Lang); empty for the shop's default.
	lang string
}

func newWorld(t testing.TB, cases handoff.Store, sessions dialog.Store) *world {
	t.Helper()
	w := &world{t: t, cases: cases, sessions: sessions, tg: &platform{name: "telegram"}, dc: &platform{name: "discord"}, logs: &bottest.LogBuffer{}}
	w.clock.Store(now0.UnixNano())
	w.claims = memclaims.New(memclaims.Options{})
	w.outbox = memclaims.NewOutbox(memclaims.OutboxOptions{})
	w.desk = w.newDesk()
	return w
}

// newDesk returns a Desk over the world's stores, as a freshly started instance has.
func (w *world) newDesk() *handoff.Desk {
	now := func() time.Time { return time.Unix(0, w.clock.Load()).UTC() }
	log := slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	pol := w.policy
	if pol == nil {
		pol = policy.Default()
	}
	svc := &bot.Service{Engine: dialog.NewEngine(pol), Store: w.sessions, Now: now, Log: log,
		Claims: w.claims, Outbox: w.outbox, PolicyVersion: "test"}
	return &handoff.Desk{
		Dialog: svc, Engine: svc.Engine, Claims: svc.Claims, Outbox: svc.Outbox, Now: now,
		Cases: w.cases,
		Desks: []bot.Address{tgDesk, dcDesk},
		Access: handoff.Access{
			Users: map[string]bool{"telegram:" + tgStaff: true, "discord:" + dcStaff: true},
			Roles: map[string]bool{"discord:" + dcRole: true},
		},
		Router:   bot.Router{"telegram": w.tg, "discord": w.dc},
		Renotify: 10 * time.Minute,
		Lang:     w.lang,
		// Retries without the pauses of production, which a test would wait out.
		Threads: handoff.ThreadRetry{Wait: time.Millisecond},
		Log:     log,
	}
}

func (w *world) advance(d time.Duration) { w.clock.Add(int64(d)) }

// send hands a message to the desk and delivers the replies through the router, as an
// adapter does; it fails the test on an error.
func (w *world) send(m bot.Message) []bot.Outbound {
	w.t.Helper()
	out, err := w.sendAll(w.desk, m)
	if err != nil {
		w.t.Fatalf("Handle(%+v): %v", m, err)
	}
	return out
}

func (w *world) sendErr(d *handoff.Desk, m bot.Message) ([]bot.Outbound, error) {
	if m.ID == "" {
		m.ID = strconv.FormatInt(w.msgID.Add(1), 10)
	}
	out, err := d.Handle(context.Background(), m)
	if derr := d.Router.Deliver(context.Background(), out); derr != nil {
		w.t.Errorf("deliver: %v", derr)
	}
	return out, err
}

// sendAll is sendErr for a test sending one message at a time: it returns what Handle
// returned followed by what the desk's background work (opening threads, with their
// cards) sent once it was done.
func (w *world) sendAll(d *handoff.Desk, m bot.Message) ([]bot.Outbound, error) {
	tg, dc := w.tg.count(), w.dc.count()
	out, err := w.sendErr(d, m)
	d.Wait()
	sent := append(w.tg.since(tg), w.dc.since(dc)...)
	// What Handle returned was sent too: the rest came from the background.
	for _, o := range out {
		for i, s := range sent {
			if s.To == o.To && s.Text == o.Text {
				sent = append(sent[:i], sent[i+1:]...)
				break
			}
		}
	}
	return append(out, sent...), err
}

func (p *platform) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sent)
}

// since returns what was sent to p after the first n.
func (p *platform) since(n int) []bot.Outbound {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bot.Outbound(nil), p.sent[n:]...)
}

func customer(from bot.Address, text string) bot.Message {
	return bot.Message{From: from, User: strings.TrimPrefix(from.Chat, "dm-"), UserName: "Ann", Text: text}
}

func staffMsg(at bot.Address, user, text string) bot.Message {
	return bot.Message{From: at, User: user, UserName: "Staff" + user, Text: text}
}

func press(at bot.Address, user, button string) bot.Message {
	return bot.Message{From: at, User: user, UserName: "Staff" + user, Button: button}
}

// to returns the replies addressed to a.
func to(out []bot.Outbound, a bot.Address) []bot.Outbound {
	var got []bot.Outbound
	for _, o := range out {
		if o.To == a {
			got = append(got, o)
		}
	}
	return got
}

func texts(out []bot.Outbound) string {
	var s []string
	for _, o := range out {
		s = append(s, o.Text)
	}
	return strings.Join(s, "\n---\n")
}

// escalate takes a customer from hello to an open case and returns it.
func (w *world) escalate(from bot.Address, texts ...string) *handoff.Case {
	w.t.Helper()
	for _, text := range append(texts, "person") {
		w.send(customer(from, text))
	}
	c, err := w.cases.OpenFor(context.Background(), from.Key())
	if err != nil {
		w.t.Fatalf("no open case after escalating %s: %v", from, err)
	}
	return c
}

func thread(t *testing.T, c *handoff.Case, platform string) bot.Address {
	t.Helper()
	for _, th := range c.Threads {
		if th.Platform == platform {
			return th
		}
	}
	t.Fatalf("case %s has no %s thread: %v", c.ID, platform, c.Threads)
	return bot.Address{}
}

func TestEscalationOpensCaseWithCard(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	w.send(customer(tgAnn, "hello"))
	out := w.send(customer(tgAnn, "person"))

	if got := texts(to(out, tgAnn)); !strings.Contains(got, "passed your conversation to our staff") {
		t.Fatalf("customer got %q, want the escalation message", got)
	}
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("OpenFor: %v", err)
	}
	if len(c.Threads) != 2 {
		t.Fatalf("case threads = %v, want one per desk", c.Threads)
	}
	for _, th := range c.Threads {
		cards := to(out, th)
		if len(cards) != 1 {
			t.Fatalf("thread %s got %d messages, want the card", th, len(cards))
		}
		card := cards[0]
		for _, want := range []string{"Case " + c.ID, "asked for a person", "Customer Ann: hello", "Bot: Hello! I can help", "Customer Ann: person"} {
			if !strings.Contains(card.Text, want) {
				t.Errorf("card in %s lacks %q:\n%s", th, want, card.Text)
			}
		}
		if len([]rune(card.Text)) > 2000 {
			t.Errorf("card is %d characters, want at most 2000", len([]rune(card.Text)))
		}
		var ids []string
		for _, b := range card.Buttons {
			ids = append(ids, b.ID)
			if len(b.ID) > 64 {
				t.Errorf("button id %q is %d bytes, want at most 64", b.ID, len(b.ID))
			}
		}
		want := []string{"case:claim:" + c.ID, "case:return:" + c.ID, "case:close:" + c.ID}
		if strings.Join(ids, " ") != strings.Join(want, " ") {
			t.Errorf("card buttons = %v, want %v", ids, want)
		}
	}
}

func TestCardCarriesThePhotosSentToTheBot(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	for _, text := range []string{"hi", "yesterday", "intact", "yes"} {
		w.send(customer(tgAnn, text))
	}
	w.send(bot.Message{From: tgAnn, User: "1", UserName: "Ann", Text: "the lid cracked", Photos: []string{"lid", "missing"}})
	out := w.send(customer(tgAnn, "person"))
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case: %v", err)
	}
	cards := to(out, thread(t, c, "discord"))
	if len(cards) != 1 {
		t.Fatalf("discord thread got %d messages, want the card", len(cards))
	}
	if len(cards[0].Photos) != 1 || string(cards[0].Photos[0].Data) != "telegram-bytes-of-lid" {
		t.Fatalf("card photos = %v, want the lid photo fetched from telegram", cards[0].Photos)
	}
	for _, want := range []string{"Photos sent to the bot: 2, attached", "1 photo could not be fetched", "Defect details: “the lid cracked”"} {
		if !strings.Contains(cards[0].Text, want) {
			t.Errorf("card lacks %q:\n%s", want, cards[0].Text)
		}
	}
}

func TestDisputeCardQuotesDecision(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	// Received yesterday, intact, no defect: return eligible, quoting the return clause.
	for _, text := range []string{"hi", "yesterday", "intact", "no", "yes"} { // "yes" accepts the read-back
		w.send(customer(tgAnn, text))
	}
	out := w.send(customer(tgAnn, "I disagree, this is wrong"))
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case after a dispute: %v", err)
	}
	if c.Reason != policy.ReasonDisputed {
		t.Fatalf("case reason = %q, want %q", c.Reason, policy.ReasonDisputed)
	}
	clause, _ := policy.Default().Clause(policy.ClauseReturnWindow)
	card := texts(to(out, thread(t, c, "discord")))
	for _, want := range []string{"disputes the decision", "Bot's decision: return_eligible", "“" + clause.Text + "”", "Received: 2026-11-24", "Packaging: intact", "Defect: no"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
}

func TestRelayAcrossPlatforms(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi")
	tgThread, dcThread := thread(t, c, "telegram"), thread(t, c, "discord")

	// Before anyone claims, the customer's words reach both desks and the bot is silent.
	out := w.send(bot.Message{From: tgAnn, User: "1", UserName: "Ann", Text: "my kettle leaks", Photos: []string{"p1", "missing"}})
	if got := to(out, tgAnn); len(got) != 0 {
		t.Fatalf("customer got %q while escalated, want silence", texts(got))
	}
	for _, th := range []bot.Address{tgThread, dcThread} {
		got := to(out, th)
		if len(got) != 1 || !strings.Contains(got[0].Text, "Ann (customer): my kettle leaks") {
			t.Fatalf("thread %s got %q, want the customer's message", th, texts(got))
		}
		if len(got[0].Photos) != 1 || string(got[0].Photos[0].Data) != "telegram-bytes-of-p1" {
			t.Fatalf("thread %s got photos %v, want the bytes of p1 fetched from telegram", th, got[0].Photos)
		}
		if !strings.Contains(got[0].Text, "1 photo could not be fetched") {
			t.Errorf("thread %s not told of the photo that could not be fetched: %q", th, got[0].Text)
		}
	}

	out = w.send(bot.Message{From: tgAnn, User: "1", UserName: "Ann", Photos: []string{"p2"}})
	if got := to(out, dcThread); len(got) != 1 || got[0].Text != "Ann (customer) sent 1 photo." || len(got[0].Photos) != 1 {
		t.Fatalf("a photo without words reached the thread as %+v, want one message with the photo", got)
	}

	// Discord staff claim, and the Telegram customer hears of it.
	out = w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	if got := texts(to(out, tgAnn)); !strings.Contains(got, "has taken up your case") {
		t.Fatalf("customer got %q on claim, want a notice", got)
	}
	if got := texts(to(out, tgThread)); !strings.Contains(got, "claimed by Staff8 (discord)") {
		t.Fatalf("telegram thread got %q on claim, want who claimed", got)
	}
	if got := to(out, dcThread); len(got) != 1 || len(got[0].Buttons) != 2 || got[0].Buttons[0].ID != handoff.ButtonID(handoff.ActReturn, c.ID) {
		t.Fatalf("claim notice = %+v, want Return and Close buttons", got)
	}

	// Their answer reaches the customer on Telegram, and the Telegram desk sees it.
	out = w.send(bot.Message{From: dcThread, User: dcStaff, UserName: "Staff8", Text: "Please send the order number.", Photos: []string{"label"}})
	got := to(out, tgAnn)
	if len(got) != 1 || got[0].Text != "Please send the order number." {
		t.Fatalf("customer got %q, want the staff answer word for word", texts(got))
	}
	if len(got[0].Photos) != 1 || string(got[0].Photos[0].Data) != "discord-bytes-of-label" {
		t.Fatalf("customer got photos %v, want the staff photo from discord", got[0].Photos)
	}
	if got := texts(to(out, tgThread)); !strings.Contains(got, "Staff8 (discord) (staff): Please send the order number.") {
		t.Fatalf("telegram thread got %q, want the mirrored answer", got)
	}
	if got := to(out, dcThread); len(got) != 0 {
		t.Fatalf("the answering thread got %q back, want nothing", texts(got))
	}

	// Another staff member's words do not reach the customer, and they are told so.
	out = w.send(staffMsg(tgThread, tgStaff, "I can take it"))
	if got := to(out, tgAnn); len(got) != 0 {
		t.Fatalf("customer got %q from a staff member not handling the case", texts(got))
	}
	if got := texts(to(out, tgThread)); !strings.Contains(got, "handles this case; your message was not sent") {
		t.Fatalf("non-claimer got %q, want to be told the message was not sent", got)
	}

	es, err := w.cases.Transcript(context.Background(), c.ID)
	if err != nil {
		t.Fatalf("Transcript: %v", err)
	}
	var lines []string
	for _, e := range es {
		lines = append(lines, string(e.Who)+":"+e.Text)
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{"customer:hi", "customer:person", "customer:my kettle leaks", "staff:Please send the order number.", "system:claimed by Staff8 (discord)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("transcript lacks %q:\n%s", want, joined)
		}
	}
}

func TestDiscordCustomerTelegramStaff(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(dcBob, "hi")
	tgThread := thread(t, c, "telegram")
	w.send(press(tgThread, tgStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	out := w.send(staffMsg(tgThread, tgStaff, "Hello Bob, I am Tanya."))
	if got := to(out, dcBob); len(got) != 1 || got[0].Text != "Hello Bob, I am Tanya." {
		t.Fatalf("discord customer got %q, want the telegram staff answer", texts(got))
	}
	out = w.send(customer(dcBob, "thanks"))
	if got := texts(to(out, tgThread)); !strings.Contains(got, "thanks") {
		t.Fatalf("telegram thread got %q, want the discord customer's answer", got)
	}
}

func TestConcurrentClaimExactlyOneWins(t *testing.T) {
	inEachStore(t, func(t *testing.T, w *world) {
		c := w.escalate(tgAnn, "hi")
		dcThread := thread(t, c, "discord")
		const n = 12
		var wg sync.WaitGroup
		outs := make([][]bot.Outbound, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				// Staff by role, each a different person.
				m := press(dcThread, strconv.Itoa(1000+i), handoff.ButtonID(handoff.ActClaim, c.ID))
				m.Roles = []string{"other", dcRole}
				var err error
				if outs[i], err = w.sendErr(w.desk, m); err != nil {
					t.Errorf("claim %d: %v", i, err)
				}
			})
		}
		close(start)
		wg.Wait()
		notices, refusals := 0, 0
		for _, out := range outs {
			notices += len(to(out, tgAnn))
			if r := to(out, dcThread); len(r) == 1 && strings.Contains(r[0].Text, "only they can do that") && len(r[0].Buttons) == 2 {
				refusals++
			}
		}
		if notices != 1 || refusals != n-1 {
			t.Fatalf("%d concurrent claims: %d customer notices and %d refusals, want 1 and %d", n, notices, refusals, n-1)
		}
	})
}

func TestUnauthorisedRefusedAndLogged(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi")
	dcThread, tgThread := thread(t, c, "discord"), thread(t, c, "telegram")
	tests := []struct {
		name string
		m    bot.Message
	}{
		{"claim button", press(dcThread, stranger, handoff.ButtonID(handoff.ActClaim, c.ID))},
		{"close button", press(tgThread, stranger, handoff.ButtonID(handoff.ActClose, c.ID))},
		{"text in thread", staffMsg(tgThread, stranger, "hi customer, give me your card number")},
		{"wrong role", func() bot.Message {
			m := press(dcThread, stranger, handoff.ButtonID(handoff.ActClaim, c.ID))
			m.Roles = []string{"r2"}
			return m
		}()},
		{"staff id of the other platform", press(dcThread, tgStaff, handoff.ButtonID(handoff.ActClaim, c.ID))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := strings.Count(w.logs.String(), "not staff")
			out := w.send(tt.m)
			if got := texts(to(out, tt.m.From)); !strings.Contains(got, "only authorised staff") {
				t.Fatalf("reply = %q, want a refusal", got)
			}
			if got := to(out, tgAnn); len(got) != 0 {
				t.Fatalf("customer got %q from an unauthorised user", texts(got))
			}
			if r := to(out, tt.m.From); tt.m.Button != "" && len(r) == 1 && len(r[0].Buttons) != 3 {
				t.Errorf("refused press got buttons %v, want the card's three back (the press removed them)", r[0].Buttons)
			}
			if after := strings.Count(w.logs.String(), "not staff"); after != before+1 {
				t.Fatalf("refusal logged %d times, want once; log:\n%s", after-before, w.logs)
			}
		})
	}
	got, _ := w.cases.Get(context.Background(), c.ID)
	if got.Claimed != nil || got.Status != handoff.Open {
		t.Fatalf("after refusals case is %s claimed by %v, want open and unclaimed", got.Status, got.Claimed)
	}
}

func TestReturnToBotResumesAtTheStep(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi", "yesterday") // asked for a person at the packaging question
	dcThread := thread(t, c, "discord")
	w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	out := w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActReturn, c.ID)))
	got := to(out, tgAnn)
	if len(got) != 2 || got[1].Awaiting != dialog.StatePackaging {
		t.Fatalf("customer got %q, want the hand-back notice and the packaging question", texts(got))
	}
	if !strings.Contains(got[0].Text, "handed your conversation back") {
		t.Fatalf("customer got %q first, want the hand-back notice", got[0].Text)
	}
	// The dialog goes on from there, and the bot speaks again.
	out = w.send(bot.Message{From: tgAnn, User: "1", Button: "packaging:intact"})
	if got := to(out, tgAnn); len(got) != 1 || got[0].Awaiting != dialog.StateDefect {
		t.Fatalf("after the return customer got %q, want the defect question", texts(got))
	}
	ended, _ := w.cases.Get(context.Background(), c.ID)
	if ended.Status != handoff.Returned {
		t.Fatalf("case status = %q, want %q", ended.Status, handoff.Returned)
	}
	// A stale button of the returned case is answered, not obeyed.
	out = w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClose, c.ID)))
	if got := texts(to(out, dcThread)); !strings.Contains(got, "already returned to the bot") {
		t.Fatalf("stale close got %q, want that the case is returned", got)
	}
}

func TestReturnCarrierClaimOffersNewClaim(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	// Damage recorded with the carrier: the policy escalates it as a carrier claim, and
	// handing it back must not escalate it again.
	for _, text := range []string{"hi", "yesterday", "damaged", "yes", "yes"} { // the second "yes" accepts the read-back
		w.send(customer(tgAnn, text))
	}
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case for a carrier claim: %v", err)
	}
	tgThread := thread(t, c, "telegram")
	out := w.send(press(tgThread, tgStaff, handoff.ButtonID(handoff.ActReturn, c.ID)))
	got := to(out, tgAnn)
	if len(got) != 2 || len(got[1].Buttons) != 2 || got[1].Buttons[0].ID != "action:restart" {
		t.Fatalf("customer got %q, want the hand-back notice and the offer of a new claim", texts(got))
	}
	if _, err := w.cases.OpenFor(context.Background(), tgAnn.Key()); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("after the return OpenFor error = %v, want no open case", err)
	}
	out = w.send(customer(tgAnn, "thanks"))
	if got := to(out, tgAnn); len(got) != 1 || len(to(out, tgThread)) != 0 {
		t.Fatalf("after the return customer got %q and staff %d messages, want the bot to answer alone", texts(got), len(to(out, tgThread)))
	}
}

func TestCloseResetsConversationAndKeepsTranscript(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi")
	dcThread, tgThread := thread(t, c, "discord"), thread(t, c, "telegram")
	w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	out := w.send(press(tgThread, tgStaff, handoff.ButtonID(handoff.ActClose, c.ID)))
	if got := texts(to(out, tgThread)); !strings.Contains(got, "handled by Staff8 (discord)") {
		t.Fatalf("close by a non-claimer got %q, want a refusal", got)
	}
	out = w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClose, c.ID)))
	if got := texts(to(out, tgAnn)); !strings.Contains(got, "closed your case") {
		t.Fatalf("customer got %q on close, want the closing message", got)
	}
	// The customer starts afresh with the bot.
	out = w.send(customer(tgAnn, "hello again"))
	if got := to(out, tgAnn); len(got) != 2 || got[1].Awaiting != dialog.StateReceiptDate {
		t.Fatalf("after close customer got %q, want the greeting and the first question", texts(got))
	}
	if got := to(out, dcThread); len(got) != 0 {
		t.Fatalf("closed case thread got %q, want nothing", texts(got))
	}
	// Staff writing in the closed thread are told it is closed.
	out = w.send(staffMsg(dcThread, dcStaff, "one more thing"))
	if got := texts(to(out, dcThread)); !strings.Contains(got, "closed; your message was not sent") {
		t.Fatalf("text in a closed thread got %q", got)
	}
	var b strings.Builder
	got, _ := w.cases.Get(context.Background(), c.ID)
	es, _ := w.cases.Transcript(context.Background(), c.ID)
	if err := handoff.WriteCase(&b, got, es); err != nil {
		t.Fatalf("WriteCase: %v", err)
	}
	for _, want := range []string{"Case " + c.ID + " (closed)", "Ended: closed by Staff8 (discord)", "Customer Ann: hi", "closed your case"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("case show lacks %q:\n%s", want, b.String())
		}
	}
}

func TestOverride(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	// Received 40 days ago, intact, no defect: the return period has passed; disputed.
	for _, text := range []string{"hi", "40 days ago", "intact", "no", "yes", "this is unfair"} { // "yes" accepts the read-back
		w.send(customer(tgAnn, text))
	}
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case after a dispute: %v", err)
	}
	tgThread := thread(t, c, "telegram")
	out := w.send(staffMsg(tgThread, tgStaff, "/override return_eligible goodwill"))
	if got := texts(to(out, tgThread)); !strings.Contains(got, "Claim the case first") {
		t.Fatalf("override of an unclaimed case got %q", got)
	}
	w.send(staffMsg(tgThread, tgStaff, "/claim@returnsbot"))
	for _, bad := range []string{"/override", "/override escalated", "/override free_money"} {
		out = w.send(staffMsg(tgThread, tgStaff, bad))
		if got := texts(to(out, tgThread)); !strings.Contains(got, "Usage: /override") {
			t.Fatalf("%q got %q, want the usage", bad, got)
		}
	}
	out = w.send(staffMsg(tgThread, tgStaff, "/override\treturn_eligible  goodwill, loyal customer"))
	if got := texts(to(out, tgAnn)); !strings.Contains(got, "you may return or exchange the goods") {
		t.Fatalf("customer got %q on override", got)
	}
	got, _ := w.cases.Get(context.Background(), c.ID)
	if o := got.Override; o == nil || o.From != policy.ReturnExpired || o.To != policy.ReturnEligible || o.Note != "goodwill, loyal customer" || o.By.User != tgStaff {
		t.Fatalf("case override = %+v, want return_expired -> return_eligible by %s with the note", got.Override, tgStaff)
	}
	var b strings.Builder
	es, _ := w.cases.Transcript(context.Background(), c.ID)
	if err := handoff.WriteCase(&b, got, es); err != nil || !strings.Contains(b.String(), "Override: return_expired -> return_eligible by Staff7 (telegram)") {
		t.Fatalf("case show = %v:\n%s\nwant the override", err, b.String())
	}
	if log := w.logs.String(); !strings.Contains(log, "decision overridden") || !strings.Contains(log, "from=return_expired to=return_eligible") {
		t.Fatalf("override not logged:\n%s", log)
	}
}

func TestStaffDeskEdges(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi")
	tests := []struct {
		name string
		m    bot.Message
		want string // in the reply; "" wants no reply
	}{
		{"unknown case", press(tgDesk, tgStaff, "case:claim:zzzzzzzz"), "do not know case zzzzzzzz"},
		{"forged id", press(tgDesk, tgStaff, "case:claim:../../x"), "not one I know"},
		{"unknown action", press(tgDesk, tgStaff, "case:delete:"+c.ID), "not one I know"},
		{"dialog button in desk", press(tgDesk, tgStaff, "packaging:intact"), "not one I know"},
		{"chatter outside threads", staffMsg(tgDesk, tgStaff, "coffee anyone?"), ""},
		{"command outside threads", staffMsg(tgDesk, tgStaff, "/close"), "thread of a case"},
		{"help outside threads", staffMsg(tgDesk, tgStaff, "/help@returnsbot"), "In a case thread: /claim"},
		{"unknown command", staffMsg(thread(t, c, "telegram"), tgStaff, "/frobnicate"), "/claim, /tobot"},
		{"claim twice", press(tgDesk, tgStaff, handoff.ButtonID(handoff.ActClaim, c.ID)), "has taken up"},
		{"claim again", press(tgDesk, tgStaff, handoff.ButtonID(handoff.ActClaim, c.ID)), "already handling case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := w.send(tt.m)
			got := texts(out)
			if tt.want == "" && len(out) != 0 || !strings.Contains(got, tt.want) {
				t.Fatalf("reply = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCustomerEdgesWhileEscalated(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	c := w.escalate(tgAnn, "hi")
	dcThread := thread(t, c, "discord")
	// A platform delivering a message twice relays it once.
	m := customer(tgAnn, "are you there?")
	m.ID = "dup-1"
	first, second := w.send(m), w.send(m)
	if len(to(first, dcThread)) != 1 || len(second) != 0 {
		t.Fatalf("duplicate delivery relayed %d then %d times, want 1 then 0", len(to(first, dcThread)), len(second))
	}
	// A stale dialog button and a sticker get a kind word and reach no one else.
	for _, m := range []bot.Message{
		{From: tgAnn, User: "1", Button: "packaging:intact"},
		{From: tgAnn, User: "1", Unsupported: "sticker"},
	} {
		out := w.send(m)
		if len(out) != 1 || out[0].To != tgAnn {
			t.Fatalf("%+v got %q, want one answer to the customer only", m, texts(out))
		}
	}
}

func TestThreadsOpenedLaterWhenDeskFails(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	w.dc.failThreads = true
	c := w.escalate(tgAnn, "hi")
	if len(c.Threads) != 1 {
		t.Fatalf("threads = %v, want only the telegram one while discord fails", c.Threads)
	}
	w.dc.mu.Lock()
	w.dc.failThreads = false
	w.dc.mu.Unlock()
	out := w.send(customer(tgAnn, "hello?"))
	c, _ = w.cases.Get(context.Background(), c.ID)
	dcThread := thread(t, c, "discord")
	got := to(out, dcThread)
	if len(got) != 1 || !strings.Contains(got[0].Text, "Customer Ann: hello?") || len(got[0].Buttons) != 3 {
		t.Fatalf("late discord thread got %q, want the card with the new message", texts(got))
	}
	if got := to(out, thread(t, c, "telegram")); len(got) != 1 || !strings.Contains(got[0].Text, "hello?") {
		t.Fatalf("telegram thread got %q, want the message relayed", texts(got))
	}
}

func TestRecoverEscalatedSessionWithoutCase(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	// The dialog escalated, then the process stopped before the case was written.
	for _, text := range []string{"hi", "person"} {
		if _, err := w.desk.Dialog.Handle(context.Background(), customer(tgAnn, text)); err != nil {
			t.Fatalf("Service.Handle: %v", err)
		}
	}
	out := w.send(customer(tgAnn, "is anybody there?"))
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case opened for the stranded conversation: %v", err)
	}
	card := texts(to(out, thread(t, c, "discord")))
	if !strings.Contains(card, "Case "+c.ID) || !strings.Contains(card, "is anybody there?") {
		t.Fatalf("discord thread got %q, want the card and the message", card)
	}
	if got := to(out, tgAnn); len(got) != 0 {
		t.Fatalf("customer got %q, want silence while with staff", texts(got))
	}
}

func TestRestartMidCase(t *testing.T) {
	// Cases and sessions in Redis: a new instance finds everything there.
	rdb := redisClient(t)
	sessionPrefix, casePrefix := redistest.Prefix(t), redistest.Prefix(t)
	w := newWorld(t, rediscases.New(rdb, rediscases.Options{Prefix: casePrefix}), redisstore.New(rdb, redisstore.Options{Prefix: sessionPrefix}))
	c := w.escalate(dcBob, "hi")
	tgThread := thread(t, c, "telegram")
	w.send(press(tgThread, tgStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))

	// A new process: new store values over the same Redis keys, nothing else carried over.
	w.cases = rediscases.New(rdb, rediscases.Options{Prefix: casePrefix})
	w.sessions = redisstore.New(rdb, redisstore.Options{Prefix: sessionPrefix})
	w.desk = w.newDesk()
	out := w.send(staffMsg(tgThread, tgStaff, "Still here after the restart."))
	if got := to(out, dcBob); len(got) != 1 || got[0].Text != "Still here after the restart." {
		t.Fatalf("after restart customer got %q, want the staff answer", texts(got))
	}
	out = w.send(customer(dcBob, "great"))
	if got := texts(to(out, tgThread)); !strings.Contains(got, "great") {
		t.Fatalf("after restart thread got %q, want the customer's message", got)
	}
	out = w.send(staffMsg(tgThread, tgStaff, "/tobot"))
	if got := to(out, dcBob); len(got) != 2 || got[1].Awaiting != dialog.StateReceiptDate {
		t.Fatalf("return after restart: customer got %q, want the receipt question again", texts(got))
	}
}

func TestRemind(t *testing.T) {
	w := newWorld(t, newRedisCases(t), memstore.New())
	second := w.newDesk() // another instance sharing the stores
	c := w.escalate(tgAnn, "hi")
	ctx := context.Background()
	remindAll := func() int {
		t.Helper()
		before := len(w.tg.sent) + len(w.dc.sent)
		var wg sync.WaitGroup
		for _, d := range []*handoff.Desk{w.desk, second} {
			wg.Go(func() {
				if err := d.Remind(ctx); err != nil {
					t.Errorf("Remind: %v", err)
				}
			})
		}
		wg.Wait()
		return len(w.tg.sent) + len(w.dc.sent) - before
	}
	if n := remindAll(); n != 0 {
		t.Fatalf("fresh case got %d reminders, want 0", n)
	}
	w.advance(10 * time.Minute)
	if n := remindAll(); n != 2 {
		t.Fatalf("after the period two instances sent %d reminders, want one per thread (2)", n)
	}
	last := w.dc.sent[len(w.dc.sent)-1]
	if !strings.Contains(last.Text, "Reminder: case "+c.ID) || len(last.Buttons) != 1 || last.Buttons[0].ID != handoff.ButtonID(handoff.ActClaim, c.ID) {
		t.Fatalf("reminder = %q %v, want a reminder with a Claim button", last.Text, last.Buttons)
	}
	w.advance(5 * time.Minute)
	if n := remindAll(); n != 0 {
		t.Fatalf("half a period after a reminder %d more were sent, want 0", n)
	}
	w.advance(5 * time.Minute)
	if n := remindAll(); n != 2 {
		t.Fatalf("a period after the reminder %d were sent, want 2", n)
	}
	w.send(press(thread(t, c, "discord"), dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	w.advance(time.Hour)
	if n := remindAll(); n != 0 {
		t.Fatalf("claimed case got %d reminders, want 0", n)
	}
}

func TestRunRemindsOnItsOwn(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	w.desk.Renotify = 20 * time.Millisecond
	w.desk.Now = time.Now // real time: Run's ticker drives it
	w.escalate(tgAnn, "hi")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.desk.Run(ctx) }()
	waittest.For(t, "a reminder at a 20ms period", func() bool {
		for _, o := range w.dc.since(0) {
			if strings.Contains(o.Text, "Reminder: case") {
				return true
			}
		}
		return false
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
}

// inEachStore runs fn as a subtest on a world over each case store, memory and Redis.
func inEachStore(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, st := range []struct {
		name string
		new  func(t *testing.T) (handoff.Store, dialog.Store)
	}{
		{"memory", func(*testing.T) (handoff.Store, dialog.Store) { return handoff.NewMemoryStore(), memstore.New() }},
		{"redis", func(t *testing.T) (handoff.Store, dialog.Store) { return newRedisCases(t), memstore.New() }},
		// Sessions in Redis too, checking the desk's holds in their save: every customer
		// message tries the dialog first (bot.Service.HandleUnlessHeld), as serve does.
		{"redis sessions", func(t *testing.T) (handoff.Store, dialog.Store) { return newRedisHeld(t) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			cases, sessions := st.new(t)
			fn(t, newWorld(t, cases, sessions))
		})
	}
}

// newRedisHeld returns a Redis case store and a Redis session store that checks its
// holds, as serve wires them.
func newRedisHeld(t testing.TB) (handoff.Store, dialog.Store) {
	rdb := redisClient(t)
	prefix := redistest.Prefix(t)
	cases := rediscases.New(rdb, rediscases.Options{Prefix: prefix, AutoPipeline: true})
	t.Cleanup(cases.Close)
	return cases, redisstore.New(rdb, redisstore.Options{Prefix: prefix, AutoPipeline: true, Holds: cases.HoldKeys})
}

func newRedisCases(t *testing.T) handoff.Store {
	rdb := redisClient(t)
	return rediscases.New(rdb, rediscases.Options{Prefix: redistest.Prefix(t)})
}

func TestCaseStoreDownLosesNothing(t *testing.T) {
	sessions := memstore.New()
	up := newWorld(t, handoff.NewMemoryStore(), sessions)
	up.send(customer(tgAnn, "hi"))
	before, _ := sessions.Load(context.Background(), tgAnn.Key())

	// Nothing listens on port 1: every case store call fails at once.
	rdb, err := redisstore.NewClient("redis://127.0.0.1:1")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer rdb.Close()
	w := newWorld(t, rediscases.New(rdb, rediscases.Options{Prefix: "down:"}), sessions)
	for _, m := range []bot.Message{
		customer(tgAnn, "yesterday"),
		press(tgDesk, tgStaff, handoff.ButtonID(handoff.ActClaim, "abcdefgh")),
		staffMsg(bot.Address{Platform: "telegram", Chat: tgDesk.Chat, Thread: "9"}, tgStaff, "hello"),
	} {
		out, err := w.sendErr(w.desk, m)
		if !errors.Is(err, bot.ErrUnavailable) {
			t.Fatalf("%+v with the case store down: error %v, want ErrUnavailable", m, err)
		}
		if len(out) != 1 || out[0].To != m.From || out[0].Text != bot.TryAgainText {
			t.Fatalf("%+v with the case store down: replies %q, want the try-again answer to the sender", m, texts(out))
		}
	}
	after, _ := sessions.Load(context.Background(), tgAnn.Key())
	if after.Version != before.Version || after.State != before.State {
		t.Fatalf("session changed while the case store was down: %+v -> %+v", before, after)
	}
}

func TestCustomerHearsTheirLanguage(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	var opened []bot.Outbound
	for _, text := range []string{"hallo", "mensch"} {
		m := customer(tgAnn, text)
		m.Lang = "de"
		opened = append(opened, w.send(m)...)
	}
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case after a German customer asked for a person: %v", err)
	}
	dcThread := thread(t, c, "discord")
	if got := texts(to(opened, dcThread)); !strings.Contains(got, "Speaks: de (Deutsch)") {
		t.Fatalf("the case card: got %q, want it to say the customer speaks German", got)
	}
	out := w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	if got := texts(to(out, tgAnn)); got != "Staff8 aus unserem Team hat Ihren Fall übernommen und antwortet Ihnen hier." {
		t.Fatalf("German customer got %q on claim, want the German notice", got)
	}
	if got := texts(to(out, dcThread)); !strings.Contains(got, "claimed by") {
		t.Fatalf("staff got %q, want English", got)
	}
	w.send(staffMsg(dcThread, dcStaff, "/override warranty_repair"))
	out = w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClose, c.ID)))
	if got := texts(to(out, tgAnn)); !strings.HasPrefix(got, "Unser Team hat Ihren Fall abgeschlossen.") {
		t.Fatalf("German customer got %q on close, want the German closing message", got)
	}
	es, _ := w.cases.Transcript(context.Background(), c.ID)
	var override string
	for _, e := range es {
		if strings.Contains(e.Text, "kostenlos repariert") {
			override = e.Text
		}
	}
	if override == "" {
		t.Fatalf("the German override notice is not in the transcript")
	}
}

// TestFrenchCustomerHearsFrench: the desk's notices reach a French customer in French.
func TestFrenchCustomerHearsFrench(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	for _, text := range []string{"bonjour", "conseiller"} {
		m := customer(tgAnn, text)
		m.Lang = "fr-CA"
		w.send(m)
	}
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case after a French customer asked for a person: %v", err)
	}
	out := w.send(press(thread(t, c, "discord"), dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	if got := texts(to(out, tgAnn)); got != "Staff8, de notre équipe, a pris en charge votre dossier et vous répondra ici." {
		t.Fatalf("French customer got %q on claim, want the French notice", got)
	}
}
