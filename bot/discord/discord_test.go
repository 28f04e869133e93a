package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/discord"
	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/internal/waittest"
	"github.com/returnsbot/returnsbot/policy"
)

// harness is the real adapter with the real Service, dialog engine and memory store,
// connected to a fake Discord.
type harness struct {
	srv   *discordtest.Server
	a     *discord.Adapter
	store *memstore.Store
	logs  *bottest.LogBuffer

	mu       sync.Mutex
	received []bot.Message // every Message the adapter handed to the Service

	stop    context.CancelFunc
	done    chan error
	once    sync.Once
	runErr  error
	stopped bool
}

func start(t testing.TB, fc discordtest.Config, opts ...func(*discord.Config)) *harness {
	t.Helper()
	h := startNoWait(t, fc, opts...)
	h.srv.WaitReady(t)
	return h
}

func startNoWait(t testing.TB, fc discordtest.Config, opts ...func(*discord.Config)) *harness {
	t.Helper()
	srv := discordtest.NewServer(t, fc)
	h := &harness{srv: srv, store: memstore.New(), logs: &bottest.LogBuffer{}, done: make(chan error, 1)}
	svc := bottest.NewService(h.store)
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc.Log = logger
	token := fc.Token
	if token == "" {
		token = "test-token"
	}
	cfg := discord.Config{
		Token: token, APIURL: srv.URL, Log: logger,
		Handler: bot.HandlerFunc(func(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
			h.mu.Lock()
			h.received = append(h.received, m)
			h.mu.Unlock()
			return svc.Handle(ctx, m)
		}),
		ReconnectMin: 10 * time.Millisecond, ReconnectMax: 200 * time.Millisecond,
		// Tests run whole conversations in milliseconds: no inbound limit unless a test
		// sets one.
		Dispatch: bot.DispatchConfig{InboundRate: -1},
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := discord.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.a = a
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	go func() { h.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		if err := h.wait(t, 20*time.Second); err != nil && !h.stopped {
			t.Errorf("Run: %v", err)
		}
		if strings.Contains(h.logs.String(), token) {
			t.Errorf("the log contains the bot token")
		}
		if t.Failed() {
			t.Logf("adapter log:\n%s", h.logs)
		}
	})
	return h
}

// wait stops the adapter (if running) and returns Run's result.
func (h *harness) wait(t testing.TB, timeout time.Duration) error {
	t.Helper()
	h.stop()
	h.once.Do(func() {
		select {
		case h.runErr = <-h.done:
		case <-time.After(timeout):
			h.runErr = errors.New("Run did not return")
		}
	})
	return h.runErr
}

func (h *harness) messages() []bot.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Message(nil), h.received...)
}

func buttonIDs(m discordtest.Message) []string {
	var ids []string
	for _, b := range m.Buttons {
		ids = append(ids, b.CustomID)
	}
	return ids
}

// expectButtons fails unless m offers exactly the buttons ids.
func expectButtons(t *testing.T, m discordtest.Message, ids ...string) {
	t.Helper()
	if got := strings.Join(buttonIDs(m), " "); got != strings.Join(ids, " ") {
		t.Fatalf("message %q: got buttons %q, want %q", m.Content, got, strings.Join(ids, " "))
	}
}

func noMentions(t *testing.T, ms []discordtest.Message) {
	t.Helper()
	for _, m := range ms {
		var am struct {
			Parse *[]string `json:"parse"`
		}
		if err := json.Unmarshal(m.AllowedMentions, &am); err != nil || am.Parse == nil || len(*am.Parse) != 0 {
			t.Errorf("message %q: got allowed_mentions %s, want parse: []", m.Content, m.AllowedMentions)
		}
	}
}

// TestReturnFromServerToDecision drives a whole claim: /return in a server channel, then
// buttons and a typed description in the DM, to the policy's decision.
func TestReturnFromServerToDecision(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv

	var cmds []struct {
		Name                     string            `json:"name"`
		Contexts                 []int             `json:"contexts"`
		DescriptionLocalizations map[string]string `json:"description_localizations"`
	}
	if err := json.Unmarshal(srv.Commands(), &cmds); err != nil || len(cmds) != 1 || cmds[0].Name != "return" {
		t.Fatalf("got registered commands %s, want just /return", srv.Commands())
	}
	for locale, lang := range map[string]string{"de": "de", "fr": "fr", "es-ES": "es", "pt-BR": "pt", "uk": "uk", "ru": "ru", "pl": "pl", "it": "it", "en-GB": "en"} {
		if got, want := cmds[0].DescriptionLocalizations[locale], i18n.Builtin().Text(lang, "menu.start", nil); got != want {
			t.Errorf("/return described for locale %s: got %q, want %q", locale, got, want)
		}
	}
	if _, ok := cmds[0].DescriptionLocalizations["ja"]; ok {
		t.Errorf("/return described for locale ja, a language the bot does not speak")
	}
	if got, want := srv.Stats().Intents, discordtest.IntentDirectMessages; got != want {
		t.Errorf("got intents %d, want %d (DMs only)", got, want)
	}

	ann := srv.NewUser("ann")
	general := srv.AddTextChannel("general")
	slash := srv.Slash(ann, general, "return")
	in := srv.WaitInteraction(t, slash, func(in discordtest.Interaction) bool { return in.Edited })
	if r := in.Responses[0]; r.Type != 5 || !strings.Contains(string(r.Data), `"flags":64`) {
		t.Errorf("got first response type %d data %s, want deferred (5) ephemeral (flags 64)", r.Type, r.Data)
	}
	if !strings.Contains(in.Original, "direct message") {
		t.Errorf("got ephemeral answer %q, want it to point to the DM", in.Original)
	}
	if msgs := srv.Messages(general); len(msgs) != 0 {
		t.Errorf("got %d bot messages in the server channel, want none: %v", len(msgs), msgs)
	}

	dm := srv.DMChannel(ann)
	msgs := srv.WaitMessages(t, dm, 2)
	expectButtons(t, msgs[1], "receipt_date:today", "receipt_date:yesterday", "receipt_date:pickup")

	steps := []struct {
		press string
		want  []string // the buttons of the next question
	}{
		{"receipt_date:yesterday", []string{"packaging:intact", "packaging:damaged", "packaging:incomplete"}},
		{"packaging:intact", []string{"defect:yes", "defect:no"}},
		{"defect:yes", nil},
	}
	for i, st := range steps {
		id := srv.Press(t, ann, msgs[len(msgs)-1], st.press)
		msgs = srv.WaitMessages(t, dm, 3+i)
		expectButtons(t, msgs[len(msgs)-1], st.want...)
		in := srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return len(in.Responses) > 0 })
		if in.Responses[0].Type != 7 {
			t.Errorf("press %s: got response type %d, want 7 (update message)", st.press, in.Responses[0].Type)
		}
		if d := string(in.Responses[0].Data); !strings.Contains(d, `"allowed_mentions":{"parse":[]`) || !strings.Contains(d, `"components":[]`) {
			t.Errorf("press %s: got response data %s, want no mentions and the buttons removed", st.press, d)
		}
		if pressed := srv.Messages(dm)[len(msgs)-2]; len(pressed.Buttons) != 0 {
			t.Errorf("press %s: the pressed message still has buttons %v", st.press, buttonIDs(pressed))
		}
	}

	srv.SendDM(ann, "@everyone **water** _x_ got in <@123>")
	msgs = srv.WaitMessages(t, dm, 6)
	expectButtons(t, msgs[5], "confirm_seals:yes", "confirm_seals:no")
	srv.Press(t, ann, msgs[5], "confirm_seals:yes")
	msgs = srv.WaitMessages(t, dm, 7)
	if want := `You mentioned "\*\*water\*\*".`; !strings.HasPrefix(msgs[6].Content, want) {
		t.Errorf("got %q, want it to start with %q", msgs[6].Content, want)
	}
	expectButtons(t, msgs[6], "confirm_foreign_substances:yes", "confirm_foreign_substances:no")
	srv.Press(t, ann, msgs[6], "confirm_foreign_substances:no")
	msgs = srv.WaitMessages(t, dm, 8) // the read-back
	srv.Press(t, ann, msgs[7], "confirm_summary:yes")
	msgs = srv.WaitMessages(t, dm, 9)
	if !strings.Contains(msgs[8].Content, "free repair under warranty") {
		t.Errorf("got decision %q, want free repair", msgs[8].Content)
	}
	expectButtons(t, msgs[8], "action:restart", "action:staff")

	// A last message is a barrier: lanes keep order, so any doubled reply would show up
	// before its answer.
	srv.SendDM(ann, "thanks")
	msgs = srv.WaitMessages(t, dm, 10)
	if len(msgs) != 10 {
		t.Errorf("got %d messages in the DM, want 10:%v", len(msgs), msgs)
	}
	noMentions(t, msgs)

	got := h.messages()
	if len(got) != 9 {
		t.Fatalf("got %d messages handled, want 9", len(got))
	}
	if m := got[0]; m.From != (bot.Address{Platform: "discord", Chat: dm}) || m.Text != "/return" || m.User != ann.ID || m.UserName != "ann" || m.ID != slash || m.Lang != "en" {
		t.Errorf("got first message %+v, want /return from ann in DM %s with the interaction id", m, dm)
	}
	if m := got[4]; m.Text != "@everyone **water** _x_ got in <@123>" {
		t.Errorf("got description %q, want it verbatim", m.Text)
	}
	for _, r := range srv.Requests() {
		if r.Status >= 400 {
			t.Errorf("request %s %s answered %d", r.Method, r.Path, r.Status)
		}
	}
}

// TestReturnWithDMsClosed: when the customer does not accept DMs, the ephemeral answer to
// /return says how to fix it instead of pointing to a DM that never came.
func TestReturnWithDMsClosed(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	jo := h.srv.NewUser("jo")
	h.srv.BlockDMs(jo)
	general := h.srv.AddTextChannel("general")
	id := h.srv.Slash(jo, general, "return")
	in := h.srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return in.Edited })
	if !strings.Contains(in.Original, "allow direct messages") {
		t.Errorf("got ephemeral answer %q, want how to allow DMs", in.Original)
	}

	// Discord failing is not the customer's privacy setting: say try again.
	kai := h.srv.NewUser("kai")
	h.srv.Fail("POST", "/channels/"+h.srv.DMChannel(kai)+"/messages", 1, 500)
	id = h.srv.Slash(kai, general, "return")
	in = h.srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return in.Edited })
	if !strings.Contains(in.Original, "again in a moment") {
		t.Errorf("got ephemeral answer %q after a server error, want try again", in.Original)
	}
}

// TestReturnInGerman: a German Discord client gets the ephemeral pointer and the dialog in
// German.
func TestReturnInGerman(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	uwe := h.srv.NewUser("uwe")
	ev := h.srv.SlashEvent(uwe, h.srv.AddTextChannel("allgemein"), "return")
	ev["locale"] = "de"
	h.srv.Dispatch("INTERACTION_CREATE", ev)
	in := h.srv.WaitInteraction(t, ev["id"].(string), func(in discordtest.Interaction) bool { return in.Edited })
	if !strings.Contains(in.Original, "Direktnachricht") {
		t.Errorf("got %q, want the German pointer to the DM", in.Original)
	}
	msgs := h.srv.WaitMessages(t, h.srv.DMChannel(uwe), 2)
	if !strings.HasPrefix(msgs[0].Content, "Hallo") {
		t.Errorf("got greeting %q, want German", msgs[0].Content)
	}
}

// TestReturnInDM: /return in the DM itself answers in place, and the deferred response
// is removed rather than left "thinking".
func TestReturnInDM(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	bo := h.srv.NewUser("bo")
	dm := h.srv.DMChannel(bo)
	id := h.srv.Slash(bo, dm, "return")
	msgs := h.srv.WaitMessages(t, dm, 2)
	expectButtons(t, msgs[1], "receipt_date:today", "receipt_date:yesterday", "receipt_date:pickup")
	in := h.srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return in.Deleted })
	if len(in.Responses) != 1 || in.Responses[0].Type != 5 {
		t.Errorf("got responses %+v, want one deferred", in.Responses)
	}
}

// TestReconnectMidConversation: the gateway asks for a reconnect (op 7) and later drops
// the connection, while the customer keeps answering. The session resumes, the events
// sent meanwhile are replayed, and every answer is handled exactly once.
func TestReconnectMidConversation(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{HeartbeatInterval: 200 * time.Millisecond}, func(c *discord.Config) {
		c.ReconnectMin = 50 * time.Millisecond
	})
	srv := h.srv
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gateway stats: %+v", srv.Stats())
		}
	})
	cy := srv.NewUser("cy")
	dm := srv.DMChannel(cy)
	srv.SendDM(cy, "hello")
	msgs := srv.WaitMessages(t, dm, 2)

	srv.Reconnect()
	srv.Press(t, cy, msgs[1], "receipt_date:yesterday") // sent while the bot reconnects
	srv.WaitMessages(t, dm, 3)
	srv.WaitConnects(t, 2)

	srv.Drop()
	srv.SendDM(cy, "intact") // typed answer while the connection is down
	msgs = srv.WaitMessages(t, dm, 4)
	expectButtons(t, msgs[3], "defect:yes", "defect:no")
	srv.SendDM(cy, "no")
	srv.WaitMessages(t, dm, 5) // the read-back
	srv.SendDM(cy, "yes")
	msgs = srv.WaitMessages(t, dm, 6)
	if msgs[5].Content == "" || len(msgs[5].Buttons) != 2 {
		t.Errorf("got %q, want the decision with its two buttons", msgs[5].Content)
	}
	srv.SendDM(cy, "thanks")
	if msgs = srv.WaitMessages(t, dm, 7); len(msgs) != 7 {
		t.Errorf("got %d messages, want 7 (nothing lost or doubled):%v", len(msgs), msgs)
	}
	st := srv.Stats()
	if st.Identifies != 1 || st.Resumes < 2 {
		t.Errorf("got %d identifies and %d resumes, want 1 and at least 2", st.Identifies, st.Resumes)
	}
	if got := len(h.messages()); got != 6 {
		t.Errorf("got %d messages handled, want 6", got)
	}
}

// TestInvalidSession: Discord ending the session (op 9) makes the bot identify again on
// the same connection, and the conversation goes on.
func TestInvalidSession(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	vi := srv.NewUser("vi")
	dm := srv.DMChannel(vi)
	srv.SendDM(vi, "hi")
	srv.WaitMessages(t, dm, 2)
	srv.InvalidateSession()
	srv.WaitConnects(t, 2)
	if st := srv.Stats(); st.Identifies != 2 || st.Connects != 1 {
		t.Errorf("got %d identifies on %d connections, want 2 on 1", st.Identifies, st.Connects)
	}
	srv.SendDM(vi, "yesterday")
	msgs := srv.WaitMessages(t, dm, 3)
	expectButtons(t, msgs[2], "packaging:intact", "packaging:damaged", "packaging:incomplete")
}

// TestStaleButton: a button of an earlier question is answered kindly with the current
// question, acknowledged, and changes nothing.
func TestStaleButton(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	di := srv.NewUser("di")
	dm := srv.DMChannel(di)
	srv.SendDM(di, "hi")
	msgs := srv.WaitMessages(t, dm, 2)
	srv.SendDM(di, "yesterday") // typed: the date question keeps its buttons
	srv.WaitMessages(t, dm, 3)
	id := srv.Press(t, di, msgs[1], "receipt_date:today")
	msgs = srv.WaitMessages(t, dm, 4)
	if !strings.HasPrefix(msgs[3].Content, "That button belongs to an earlier question.") {
		t.Errorf("got %q, want the stale-button note", msgs[3].Content)
	}
	expectButtons(t, msgs[3], "packaging:intact", "packaging:damaged", "packaging:incomplete")
	in := srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return len(in.Responses) > 0 })
	if in.Responses[0].Type != 7 {
		t.Errorf("got response type %d, want 7", in.Responses[0].Type)
	}
	sess, err := h.store.Load(context.Background(), "discord:"+dm)
	if err != nil || sess.State != dialog.StatePackaging || sess.Answers.Receipt != "2026-11-24" {
		t.Errorf("got session %+v (%v), want packaging asked and the typed date kept", sess, err)
	}
}

// TestDuplicateEvents: Discord may deliver an event twice; each is handled and
// acknowledged once.
func TestDuplicateEvents(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	ed := srv.NewUser("ed")
	dm := srv.DMChannel(ed)
	m := srv.MessageEvent(ed, dm, "hi", nil)
	srv.Dispatch("MESSAGE_CREATE", m)
	srv.Dispatch("MESSAGE_CREATE", m)
	msgs := srv.WaitMessages(t, dm, 2)
	press := srv.PressEvent(t, ed, msgs[1], "receipt_date:yesterday")
	srv.Dispatch("INTERACTION_CREATE", press)
	srv.Dispatch("INTERACTION_CREATE", press)
	srv.SendDM(ed, "intact") // barrier
	msgs = srv.WaitMessages(t, dm, 4)
	if len(msgs) != 4 {
		t.Errorf("got %d messages, want 4:%v", len(msgs), msgs)
	}
	expectButtons(t, msgs[3], "defect:yes", "defect:no")
	pid := press["id"].(string)
	srv.WaitInteraction(t, pid, func(in discordtest.Interaction) bool { return len(in.Responses) > 0 })
	callbacks := 0
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "/interactions/"+pid+"/") {
			callbacks++
		}
	}
	if callbacks != 1 {
		t.Errorf("got %d callbacks to the interaction, want 1", callbacks)
	}
	if got := len(h.messages()); got != 3 {
		t.Errorf("got %d messages handled, want 3", got)
	}
}

// TestDuplicateAcrossRestart: an event redelivered to a fresh process (no memory of ids)
// is still dropped, by the ids saved in the session.
func TestDuplicateAcrossRestart(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	fi := srv.NewUser("fi")
	dm := srv.DMChannel(fi)
	m := srv.MessageEvent(fi, dm, "hi", nil)
	srv.Dispatch("MESSAGE_CREATE", m)
	srv.WaitMessages(t, dm, 2)
	srv.SendDM(fi, "yesterday")
	srv.WaitMessages(t, dm, 3)
	if err := h.wait(t, 10*time.Second); err != nil {
		t.Fatalf("stop: %v", err)
	}
	svc := bottest.NewService(h.store)
	a, err := discord.New(discord.Config{Token: "test-token", APIURL: srv.URL, Handler: svc, Log: slog.New(slog.NewTextHandler(h.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	srv.WaitConnects(t, 2)
	srv.Dispatch("MESSAGE_CREATE", m)
	srv.SendDM(fi, "intact") // barrier
	msgs := srv.WaitMessages(t, dm, 4)
	if len(msgs) != 4 {
		t.Errorf("got %d messages, want 4 (the duplicate dropped):%v", len(msgs), msgs)
	}
	expectButtons(t, msgs[3], "defect:yes", "defect:no")
}

// TestFatalClose: a refused token or intent stops Run with a clear error instead of
// reconnecting forever.
func TestFatalClose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fc    discordtest.Config
		token string
		guild bool
		code  int
		want  string
	}{
		{"bad token", discordtest.Config{}, "wrong-token", false, 4004, "DISCORD_TOKEN"},
		{"disallowed intent", discordtest.Config{RefusePrivileged: true}, "", true, 4014, "MESSAGE CONTENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := startNoWait(t, tt.fc, func(c *discord.Config) {
				if tt.token != "" {
					c.Token = tt.token
				}
				c.GuildMessages = tt.guild
			})
			h.stopped = true
			var err error
			select {
			case err = <-h.done:
				h.once.Do(func() { h.runErr = err })
			case <-time.After(10 * time.Second):
				t.Fatal("Run still running after 10s, want it stopped with an error")
			}
			var ge *discord.GatewayError
			if !errors.As(err, &ge) || ge.Code != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a GatewayError %d mentioning %q", err, tt.code, tt.want)
			}
			if strings.Contains(err.Error(), "wrong-token") {
				t.Errorf("the error shows the token: %v", err)
			}
			if st := h.srv.Stats(); st.Connects != 1 {
				t.Errorf("got %d connections, want 1 (no retry)", st.Connects)
			}
		})
	}
}

// TestFatalCloseWhileRunning: a token revoked while connected ends Run when the resume is
// refused.
func TestFatalCloseWhileRunning(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	h.stopped = true
	h.srv.RevokeToken()
	h.srv.CloseGateway(4004, "Authentication failed.")
	select {
	case err := <-h.done:
		h.once.Do(func() { h.runErr = err })
		var ge *discord.GatewayError
		if !errors.As(err, &ge) || ge.Code != 4004 {
			t.Fatalf("got %v, want GatewayError 4004", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run still running 10s after the token was refused")
	}
}

// TestRateLimit: a 429 is waited out for retry_after, and the message is sent once.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	gus := srv.NewUser("gus")
	dm := srv.DMChannel(gus)
	const retryAfter = 300 * time.Millisecond
	srv.RateLimit("POST", "/channels/"+dm+"/messages", 2, retryAfter)
	srv.SendDM(gus, "hi")
	msgs := srv.WaitMessages(t, dm, 2)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	var posts []discordtest.Request
	for _, r := range srv.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, dm+"/messages") {
			posts = append(posts, r)
		}
	}
	if len(posts) != 4 || posts[0].Status != 429 || posts[1].Status != 429 || posts[2].Status != 200 {
		t.Fatalf("got %+v, want 429, 429, 200, 200", posts)
	}
	for i := 1; i <= 2; i++ {
		if gap := posts[i].At.Sub(posts[i-1].At); gap < retryAfter {
			t.Errorf("retry %d came %v after the 429, want at least %v", i, gap, retryAfter)
		}
	}
}

// TestOrderPerConversation: customers typing several answers at once get them handled in
// order, each conversation independently.
func TestOrderPerConversation(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	const users = 8
	answers := []string{"hi", "yesterday", "intact", "yes", "it stopped heating"}
	var dms []string
	var people []discordtest.User
	for i := range users {
		u := srv.NewUser(fmt.Sprintf("user%d", i))
		people = append(people, u)
		dms = append(dms, srv.DMChannel(u))
	}
	for _, text := range answers {
		for _, u := range people {
			srv.SendDM(u, text)
		}
	}
	for i, dm := range dms {
		msgs := srv.WaitMessages(t, dm, len(answers)+1)
		var got []string
		for _, m := range msgs {
			got = append(got, strings.Join(buttonIDs(m), ","))
		}
		want := []string{"", "receipt_date:today,receipt_date:yesterday,receipt_date:pickup",
			"packaging:intact,packaging:damaged,packaging:incomplete", "defect:yes,defect:no", "", "confirm_seals:yes,confirm_seals:no"}
		if strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("user %d: got questions %q, want %q", i, got, want)
		}
	}
}

// TestServerChannelsAndThreads: with GuildMessages, messages in server channels and
// threads reach the handler with roles, a thread maps to Address{Chat: parent, Thread},
// and OpenThread returns the same Address the thread's messages come from.
func TestServerChannelsAndThreads(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{}, func(c *discord.Config) { c.GuildMessages = true })
	srv := h.srv
	want := discordtest.IntentGuilds | discordtest.IntentGuildMessages | discordtest.IntentDirectMessages | discordtest.IntentMessageContent
	if got := srv.Stats().Intents; got != want {
		t.Errorf("got intents %d, want %d", got, want)
	}
	staff := srv.AddTextChannel("staff")
	ctx := context.Background()
	th, err := h.a.OpenThread(ctx, bot.Address{Platform: "discord", Chat: staff}, "Case 17: kettle @everyone")
	if err != nil {
		t.Fatalf("OpenThread: %v", err)
	}
	if th.Chat != staff || th.Thread == "" || th.Platform != "discord" {
		t.Fatalf("got %+v, want a thread in %s", th, staff)
	}
	if err := h.a.Send(ctx, bot.Outbound{To: th, Reply: dialog.Reply{Text: "New case"}}); err != nil {
		t.Fatalf("Send to thread: %v", err)
	}
	if msgs := srv.WaitMessages(t, th.Thread, 1); msgs[0].Content != "New case" {
		t.Errorf("got %q in the thread, want the case text", msgs[0].Content)
	}
	// A thread someone else opened is unknown to the adapter until it asks Discord.
	other := srv.AddThread(staff, "older case")
	kim := srv.NewUser("kim")
	srv.SendGuild(kim, th.Thread, "I take this one", "role-staff")
	srv.SendGuild(kim, other, "and this", "role-staff")
	srv.SendGuild(kim, staff, "morning all")
	srv.WaitMessages(t, th.Thread, 2)
	srv.WaitMessages(t, other, 1)
	srv.WaitMessages(t, staff, 1)

	byText := map[string]bot.Message{}
	for _, m := range h.messages() {
		byText[m.Text] = m
	}
	cases := []struct {
		text  string
		from  bot.Address
		roles []string
	}{
		{"I take this one", th, []string{"role-staff"}},
		{"and this", bot.Address{Platform: "discord", Chat: staff, Thread: other}, []string{"role-staff"}},
		{"morning all", bot.Address{Platform: "discord", Chat: staff}, nil},
	}
	for _, c := range cases {
		m, ok := byText[c.text]
		if !ok {
			t.Errorf("%q: not handled", c.text)
			continue
		}
		if m.From != c.from || strings.Join(m.Roles, ",") != strings.Join(c.roles, ",") || m.User != kim.ID {
			t.Errorf("%q: got from %+v roles %v user %s, want %+v %v %s", c.text, m.From, m.Roles, m.User, c.from, c.roles, kim.ID)
		}
	}
	if _, err := h.a.OpenThread(ctx, th, "nested"); err == nil {
		t.Errorf("OpenThread in a thread: got no error, want one")
	}
}

// TestGuildMessagesOff: without GuildMessages, server channel messages are not read, so
// the bot never talks in channels nobody asked it to.
func TestGuildMessagesOff(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	lu := srv.NewUser("lu")
	general := srv.AddTextChannel("general")
	srv.SendGuild(lu, general, "hello bot")
	dm := srv.DMChannel(lu)
	srv.SendDM(lu, "hi") // barrier: events are handled in order of arrival per channel
	srv.WaitMessages(t, dm, 2)
	for _, m := range h.messages() {
		if m.From.Chat == general {
			t.Errorf("handled a server channel message %q with GuildMessages off", m.Text)
		}
	}
}

// TestPhotosAndStickers: image attachments become Photos that Photo downloads; stickers
// get a kind answer; Photo fetches nothing outside Discord's hosts.
func TestPhotosAndStickers(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	mo := srv.NewUser("mo")
	dm := srv.DMChannel(mo)
	png := []byte("\x89PNG\r\n\x1a\nfake image bytes")
	att := srv.AddAttachment("kettle.png", "image/png", png)
	srv.Dispatch("MESSAGE_CREATE", srv.MessageEvent(mo, dm, "", map[string]any{"attachments": []any{att}}))
	srv.WaitMessages(t, dm, 2)
	srv.Dispatch("MESSAGE_CREATE", srv.MessageEvent(mo, dm, "", map[string]any{
		"sticker_items": []any{map[string]any{"id": "1", "name": "wave", "format_type": 1}}}))
	msgs := srv.WaitMessages(t, dm, 3)
	if !strings.Contains(msgs[2].Content, "sticker") {
		t.Errorf("got %q, want a kind word about the sticker", msgs[2].Content)
	}
	got := h.messages()
	if len(got) < 2 || len(got[0].Photos) != 1 || got[1].Unsupported != "sticker" {
		t.Fatalf("got messages %+v, want a photo then a sticker", got)
	}
	p, err := h.a.Photo(context.Background(), got[0].Photos[0])
	if err != nil || !bytes.Equal(p.Data, png) || p.Name != "kettle.png" {
		t.Errorf("Photo: got %q %q, %v; want the attachment", p.Name, p.Data, err)
	}
	for _, ref := range []string{"https://evil.example/kettle.png", "http://169.254.169.254/latest", "not a url\x00"} {
		if _, err := h.a.Photo(context.Background(), ref); err == nil {
			t.Errorf("Photo(%q): got no error, want a refusal", ref)
		}
	}
}

// TestSendSplitsAndValidates: a reply longer than 2000 characters is split, not dropped,
// every piece escaped; a button id over 100 characters is a clear error.
func TestSendSplitsAndValidates(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	srv := h.srv
	nu := srv.NewUser("nu")
	dm := srv.DMChannel(nu)
	to := bot.Address{Platform: "discord", Chat: dm}
	var long strings.Builder
	for i := 0; long.Len() < 4500; i++ {
		fmt.Fprintf(&long, "Line %d has **bold** and _x_ 😀.\n", i)
	}
	err := h.a.Send(context.Background(), bot.Outbound{To: to, Reply: dialog.Reply{
		Text: long.String(), Buttons: []dialog.Button{{ID: "q:yes", Label: "Yes"}}}})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.Messages(dm)
	if len(msgs) < 3 {
		t.Fatalf("got %d messages, want the text split in at least 3", len(msgs))
	}
	var joined []string
	for i, m := range msgs {
		if strings.Contains(m.Content, " **bold**") {
			t.Errorf("message %d has unescaped markdown", i)
		}
		if (len(m.Buttons) > 0) != (i == len(msgs)-1) {
			t.Errorf("message %d of %d: got buttons %v, want them on the last only", i+1, len(msgs), m.Buttons)
		}
		joined = append(joined, m.Content)
	}
	if got, want := strings.Join(joined, "\n"), strings.TrimSpace(discord.Escape(long.String())); got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("the pieces joined differ from the escaped text at byte %d:\ngot  %q\nwant %q", i, got[max(0, i-40):min(len(got), i+40)], want[max(0, i-40):min(len(want), i+40)])
	}
	noMentions(t, msgs)

	longID := strings.Repeat("x", 101)
	err = h.a.Send(context.Background(), bot.Outbound{To: to, Reply: dialog.Reply{Text: "q", Buttons: []dialog.Button{{ID: longID, Label: "X"}}}})
	if err == nil || !strings.Contains(err.Error(), "100") {
		t.Errorf("got %v, want an error naming the 100-character limit", err)
	}
	if n := len(srv.Messages(dm)); n != len(msgs) {
		t.Errorf("a message with a bad button was sent anyway")
	}
}

// TestAckWhileRedisStalls: acknowledging does not wait for handling, so a stalled
// session store cannot make an interaction miss Discord's 3-second deadline. Redis is
// real and stalled by CLIENT PAUSE for longer than the deadline.
func TestAckWhileRedisStalls(t *testing.T) {
	t.Parallel()
	const stall = 4 * time.Second
	rds := redistest.Start(t)
	// The client waits out the stall instead of timing out after a second as
	// redisstore.NewClient's does, so the claim goes on once Redis answers again.
	rdb := redis.NewClient(&redis.Options{Addr: rds.Addr, ReadTimeout: 2 * stall})
	t.Cleanup(func() { rdb.Close() })
	svc := bottest.NewService(redisstore.New(rdb, redisstore.Options{}))
	h := start(t, discordtest.Config{}, func(c *discord.Config) { c.Handler = svc })
	op := h.srv.NewUser("op")
	dm := h.srv.DMChannel(op)
	ctx := context.Background()
	if err := rdb.Do(ctx, "CLIENT", "PAUSE", stall.Milliseconds(), "ALL").Err(); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	id := h.srv.Slash(op, dm, "return")
	in := h.srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return len(in.Responses) > 0 })
	if in.Responses[0].After > 3*time.Second || time.Since(paused) >= stall {
		t.Errorf("first response %+v came %v after Redis stalled for %v, want it within 3s, before Redis answers",
			in.Responses[0], time.Since(paused), stall)
	}
	msgs := h.srv.WaitMessages(t, dm, 2)
	if waited := time.Since(paused); waited < stall-time.Second {
		t.Errorf("the claim was answered %v after the pause, want after Redis answered again: the store did not stall", waited)
	}
	expectButtons(t, msgs[1], "receipt_date:today", "receipt_date:yesterday", "receipt_date:pickup")
}

// TestPanicRecovered: a panic while handling one event is answered with an apology and
// the adapter goes on with the next.
func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	svc := bottest.NewService(memstore.New())
	h := start(t, discordtest.Config{}, func(c *discord.Config) {
		c.Handler = bot.HandlerFunc(func(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
			if m.Text == "boom" {
				var p *policy.Policy
				_ = p.ReturnWindowDays // nil dereference: a bug somewhere below
			}
			return svc.Handle(ctx, m)
		})
	})
	pa := h.srv.NewUser("pa")
	dm := h.srv.DMChannel(pa)
	h.srv.SendDM(pa, "boom")
	h.srv.SendDM(pa, "hi")
	msgs := h.srv.WaitMessages(t, dm, 3)
	if msgs[0].Content != discord.Escape(bot.TryAgainText) {
		t.Errorf("got %q, want the apology", msgs[0].Content)
	}
	expectButtons(t, msgs[2], "receipt_date:today", "receipt_date:yesterday", "receipt_date:pickup")
}

// TestSilentGateway: a gateway that accepts the connection and then says nothing cannot
// hang the adapter: the connection times out, is retried, and Run stops when asked.
func TestSilentGateway(t *testing.T) {
	t.Parallel()
	var dials atomic.Int32
	var srv *httptest.Server
	up := websocket.Upgrader{}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/gateway") {
			fmt.Fprintf(w, `{"url":"ws%s/ws/"}`, strings.TrimPrefix(srv.URL, "http"))
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		dials.Add(1)
		defer c.Close()
		c.ReadMessage() // until the client gives up
	}))
	defer srv.Close()
	svc := &bot.Service{Engine: dialog.NewEngine(policy.Default()), Store: memstore.New()}
	a, err := discord.New(discord.Config{Token: "t", APIURL: srv.URL, Handler: svc, GatewayIdle: 100 * time.Millisecond,
		ReconnectMin: 10 * time.Millisecond, ReconnectMax: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	if !waittest.Until(waittest.Timeout, func() bool { return dials.Load() >= 2 }) {
		n := dials.Load()
		t.Errorf("got %d connection attempts, want the silent one given up and retried", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: got %v, want nil after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run hung on a silent gateway")
	}
}

// TestSendPhotos: photos are uploaded as files, at most ten per message, and the buttons
// stay with the text, last.
func TestSendPhotos(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{})
	staff := h.srv.AddTextChannel("staff")
	var photos []bot.Photo
	for i := range 12 {
		photos = append(photos, bot.Photo{Name: fmt.Sprintf("p%d.png", i), Data: []byte(fmt.Sprintf("\x89PNG\r\n\x1a\nphoto %d", i))})
	}
	err := h.a.Send(context.Background(), bot.Outbound{To: bot.Address{Platform: "discord", Chat: staff},
		Reply: dialog.Reply{Text: "Evidence", Buttons: []dialog.Button{{ID: "case:take", Label: "Take"}}}, Photos: photos})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := h.srv.Messages(staff)
	if len(msgs) != 2 || len(msgs[0].Files) != 10 || len(msgs[1].Files) != 2 || msgs[1].Content != "Evidence" {
		t.Fatalf("got %d messages (%v), want 10 photos, then the text with 2 photos", len(msgs), msgs)
	}
	expectButtons(t, msgs[1], "case:take")
	if f := msgs[1].Files[1]; f.Name != "p11.png" || string(f.Data) != string(photos[11].Data) {
		t.Errorf("got last file %q %q, want p11.png with its bytes", f.Name, f.Data)
	}
	if err := h.a.Send(context.Background(), bot.Outbound{To: bot.Address{Platform: "telegram", Chat: "1"}}); err == nil {
		t.Errorf("Send to a telegram address: got no error, want one")
	}
}

// TestNewRefusesBadConfig: mistakes in the configuration are errors before connecting.
func TestNewRefusesBadConfig(t *testing.T) {
	svc := &bot.Service{Engine: dialog.NewEngine(policy.Default()), Store: memstore.New()}
	tests := []struct {
		name string
		cfg  discord.Config
		want string
	}{
		{"no token", discord.Config{Handler: svc}, "token"},
		{"no handler", discord.Config{Token: "t"}, "handler"},
		{"bad URL", discord.Config{Token: "t", Handler: svc, APIURL: "discord.com"}, "API URL"},
		{"second /return", discord.Config{Token: "t", Handler: svc, Commands: []*discordgo.ApplicationCommand{{Name: "return"}}}, "twice"},
	}
	for _, tt := range tests {
		if _, err := discord.New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error about %s", tt.name, err, tt.want)
		}
	}
}

// TestExtraCommand: commands besides /return are registered with it and reach the handler
// as "/name" in the channel where they were used.
func TestExtraCommand(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{}, func(c *discord.Config) {
		c.Commands = []*discordgo.ApplicationCommand{{Name: "help", Description: "How the bot works"}}
	})
	var cmds []struct {
		Name string `json:"name"`
	}
	json.Unmarshal(h.srv.Commands(), &cmds)
	if len(cmds) != 2 || cmds[0].Name != "return" || cmds[1].Name != "help" {
		t.Fatalf("got commands %s, want return and help", h.srv.Commands())
	}
	wu := h.srv.NewUser("wu")
	dm := h.srv.DMChannel(wu)
	id := h.srv.Slash(wu, dm, "help")
	h.srv.WaitInteraction(t, id, func(in discordtest.Interaction) bool { return in.Deleted })
	h.srv.WaitMessages(t, dm, 2)
	if got := h.messages(); len(got) != 1 || got[0].Text != "/help" || got[0].From.Chat != dm {
		t.Errorf("got %+v, want /help from the DM", got)
	}
}

// TestShutdownHasADeadline: 40 DMs of one customer are queued while every send is
// answered 429. Shutdown must not wait for them all (40 sends of five 429s each): Run
// returns once the drain deadline has passed, cancelling the rest.
func TestShutdownHasADeadline(t *testing.T) {
	t.Parallel()
	h := start(t, discordtest.Config{}, func(c *discord.Config) { c.DrainTimeout = 200 * time.Millisecond })
	u := h.srv.NewUser("patient")
	h.srv.RateLimit("POST", "/channels/", 1000, time.Second)
	for range 40 {
		h.srv.SendDM(u, "hi")
	}
	waittest.For(t, "a send answered 429", func() bool {
		for _, r := range h.srv.Requests() {
			if r.Status == http.StatusTooManyRequests {
				return true
			}
		}
		return false
	})
	if err := h.wait(t, waittest.Timeout); err != nil {
		t.Fatalf("Run after shutdown with 40 DMs held under 429s: %v", err)
	}
}
