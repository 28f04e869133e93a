package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
	"github.com/returnsbot/returnsbot/policy"
)

func telegramEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runServeTelegram runs serve in the background and returns a function that stops it and
// returns its error.
func runServeTelegram(t *testing.T, getenv func(string) string) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, getenv, slog.New(slog.DiscardHandler)) }()
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop within 15s of cancel")
			return nil
		}
	}
}

func TestServeTelegramPolling(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL,
		"TELEGRAM_CHAT_INTERVAL": "10ms", "TELEGRAM_GROUP_INTERVAL": "off", "TELEGRAM_GLOBAL_RATE": "100",
	}))
	customer := telegramtest.Private(77, "Pat", "")
	srv.Text(customer, "/start")
	msgs := srv.WaitBotMessages(t, 77, 2, 10*time.Second)
	if !strings.HasPrefix(msgs[0].Text, "Hello!") {
		t.Errorf("first reply: got %q, want the greeting", msgs[0].Text)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if n := srv.Pending(); n != 0 {
		t.Errorf("unconfirmed updates after a clean stop: got %d, want 0", n)
	}
}

func TestServeTelegramWebhook(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	addr := freeAddr(t)
	hook := "http://" + addr + "/hooks/telegram"
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "LISTEN_ADDR": addr,
		"TELEGRAM_WEBHOOK_URL": hook, "TELEGRAM_WEBHOOK_SECRET": "wiring-secret",
	}))
	srv.Text(telegramtest.Private(78, "Kim", ""), "/start")
	srv.WaitBotMessages(t, 78, 2, 10*time.Second)
	if url, secret := srv.Webhook(); url != hook || secret != "wiring-secret" {
		t.Errorf("setWebhook: got %q, %q, want %q, wiring-secret", url, secret, hook)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

func TestServeTelegramConfigErrors(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"webhook without listen address", map[string]string{"TELEGRAM_WEBHOOK_URL": "https://bot.example/tg", "TELEGRAM_WEBHOOK_SECRET": "s"}, "LISTEN_ADDR"},
		{"webhook without secret", map[string]string{"TELEGRAM_WEBHOOK_URL": "https://bot.example/tg", "LISTEN_ADDR": "127.0.0.1:0"}, "TELEGRAM_WEBHOOK_SECRET"},
		{"relative webhook URL", map[string]string{"TELEGRAM_WEBHOOK_URL": "/tg", "TELEGRAM_WEBHOOK_SECRET": "s", "LISTEN_ADDR": "127.0.0.1:0"}, "absolute"},
		{"wrong token", map[string]string{"TELEGRAM_TOKEN": "1:wrong"}, "getMe"},
		{"bad chat interval", map[string]string{"TELEGRAM_CHAT_INTERVAL": "fast"}, "TELEGRAM_CHAT_INTERVAL"},
		{"negative group interval", map[string]string{"TELEGRAM_GROUP_INTERVAL": "-1s"}, "TELEGRAM_GROUP_INTERVAL"},
		{"zero global rate", map[string]string{"TELEGRAM_GLOBAL_RATE": "0"}, "TELEGRAM_GLOBAL_RATE"},
		{"inbound rate not a number", map[string]string{"INBOUND_RATE": "lots"}, "INBOUND_RATE"},
		{"negative inbound rate", map[string]string{"INBOUND_RATE": "-3"}, "INBOUND_RATE"},
	}
	for _, tc := range tests {
		env := map[string]string{"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL}
		for k, v := range tc.env {
			env[k] = v
		}
		err := serve(context.Background(), telegramEnv(env), slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), env["TELEGRAM_TOKEN"]) {
			t.Errorf("%s: error shows the token: %v", tc.name, err)
		}
	}
}

// tgProc is a returnsbot serve process.
type tgProc struct {
	cmd    *exec.Cmd
	stderr *bottest.LogBuffer
	exited chan error
}

func startTelegramProc(t *testing.T, bin string, env []string) *tgProc {
	t.Helper()
	p := &tgProc{cmd: exec.Command(bin, "serve"), stderr: &bottest.LogBuffer{}, exited: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() { p.cmd.Process.Kill() })
	return p
}

// TestTelegramKill9 runs the real binary on Redis, kills it with SIGKILL while customers
// are mid-claim and messages keep coming, and starts it again: every message must be
// handled exactly once and in order, which the final sessions show, and the customers
// must get the replies a bot that never crashed would have sent.
func TestTelegramKill9(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "returnsbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := telegramtest.NewServer(t, "")
	prefix := redistest.Prefix(t)
	env := []string{
		"TELEGRAM_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + srv.URL,
		"REDIS_URL=" + redistest.URL(t), "REDIS_KEY_PREFIX=" + prefix,
		"TELEGRAM_CHAT_INTERVAL=off", "TELEGRAM_GROUP_INTERVAL=off", "TELEGRAM_GLOBAL_RATE=off",
		"INBOUND_RATE=off", "LOG_LEVEL=warn",
	}
	// /back and /restart make a repeated or lost message change the outcome.
	inputs := []string{"/start", "yesterday", "damaged", "yes", "/back", "no", "/restart", "today", "intact", "no"}
	const chats = 8

	// What a bot that never crashed answers to each input, in order.
	oracle := &bot.Service{Engine: dialog.NewEngine(policy.Default()), Store: memstore.New()}
	want := oracleReplies(t, oracle, inputs)
	wantSess, _ := oracle.Store.Load(context.Background(), "telegram:1")

	total := func() int {
		n := 0
		for i := range chats {
			n += len(srv.BotMessages(int64(5000 + i)))
		}
		return n
	}
	first := startTelegramProc(t, bin, env)
	// deleteWebhook comes just before the first poll (a poll is recorded when it returns).
	if !waittest.Until(30*time.Second, func() bool { return len(srv.Calls("deleteWebhook")) > 0 }) {
		t.Fatalf("first process never polled\n%s", first.stderr)
	}
	pushed := make(chan struct{})
	go func() {
		defer close(pushed)
		for _, in := range inputs {
			for i := range chats {
				srv.Text(telegramtest.Private(int64(5000+i), "C", ""), in)
				time.Sleep(2 * time.Millisecond)
			}
		}
	}()
	waittest.Until(30*time.Second, func() bool { return total() >= 30 })
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	killedAt := total()
	second := startTelegramProc(t, bin, env)
	<-pushed
	if !srv.WaitFor(30*time.Second, func() bool { return srv.PendingLocked() == 0 }) {
		t.Fatalf("unconfirmed updates 30s after restart: %d\n%s", srv.Pending(), second.stderr)
	}
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-second.exited:
		if err != nil {
			t.Errorf("second process after SIGTERM: %v\n%s", err, second.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("second process did not stop within 20s of SIGTERM")
	}
	t.Logf("killed after %d of the bot's messages; %d sent in all", killedAt, total())

	store := redisstore.New(redistest.Client(t), redisstore.Options{Prefix: prefix, CacheSize: -1})
	missing, repeats, restored := 0, 0, 0
	for i := range chats {
		chat := int64(5000 + i)
		sess, err := store.Load(context.Background(), "telegram:"+strconv.FormatInt(chat, 10))
		if err != nil {
			t.Fatal(err)
		}
		if sess.State != wantSess.State || sess.Outcome != wantSess.Outcome || sess.Answers.Receipt != wantSess.Answers.Receipt ||
			sess.Answers.Packaging != wantSess.Answers.Packaging {
			t.Errorf("chat %d session: got state %q outcome %q answers %+v, want %q %q %+v (every message handled once, in order)",
				chat, sess.State, sess.Outcome, sess.Answers, wantSess.State, wantSess.Outcome, wantSess.Answers)
		}
		var got []string
		for _, m := range srv.BotMessages(chat) {
			got = append(got, m.Text)
		}
		n, r, l, err := matchTranscript(got, want)
		if err != nil {
			t.Errorf("chat %d: %v\ngot %q", chat, err, got)
		}
		missing += n
		repeats += r
		restored += l
	}
	// An update whose session was saved before the kill is delivered again, and being the
	// last one handled in its chat, is answered with where the conversation stands: no
	// chat is left without its next question.
	t.Logf("repeats after the kill: %d of %d chats, %d of them in place of lost replies", repeats, chats, restored)
	if missing > 0 {
		t.Errorf("%d chats lost the replies of an update handled at the kill, with no repeat", missing)
	}
	for _, p := range []*tgProc{first, second} {
		if strings.Contains(p.stderr.String(), telegramtest.Token) {
			t.Errorf("the token appears in the process log")
		}
	}
}

// matchTranscript checks that got is the replies of want, input by input, in order and
// none twice. The input being handled when the process was killed may have its replies
// cut short or missing, followed by a repeat: the redelivered update, the last one
// handled in its chat, answered with where the conversation stands. It returns how many
// inputs lost replies without a repeat, how many repeats it saw, and how many of those
// stood in for lost replies (the others follow replies that went out).
func matchTranscript(got []string, want [][]string) (missing, repeats, restored int, err error) {
	isRepeat := func(i int) bool { return i < len(got) && strings.HasPrefix(got[i], repeatNote) }
	matches := func(pos int, group []string) bool {
		return pos+len(group) <= len(got) && equalStrings(got[pos:pos+len(group)], group)
	}
	pos := 0
	for i, group := range want {
		whole := matches(pos, group)
		if whole {
			pos += len(group)
			// A repeat after whole replies is theirs only if the next input's replies follow
			// it; otherwise it stands in for the next input's lost replies.
			if isRepeat(pos) && (i+1 == len(want) || matches(pos+1, want[i+1])) {
				pos++
				repeats++
			}
		} else {
			for k := len(group) - 1; k > 0; k-- { // the first replies went out before the kill
				if pos+k <= len(got) && equalStrings(got[pos:pos+k], group[:k]) {
					pos += k
					break
				}
			}
		}
		if !whole {
			if isRepeat(pos) { // the update was delivered again and repeated
				pos++
				repeats++
				restored++
			} else {
				missing++
			}
		}
		if missing+repeats > 1 {
			return missing, repeats, restored, fmt.Errorf("replies of input %d not where expected (message %d); want %q", i, pos, group)
		}
	}
	if pos != len(got) {
		return missing, repeats, restored, fmt.Errorf("%d unexpected messages at the end: %q", len(got)-pos, got[pos:])
	}
	return missing, repeats, restored, nil
}

// repeatNote starts the answer to a redelivered update whose replies may have been lost.
const repeatNote = "In case my last message did not reach you"

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if sameReply(a[i]) != sameReply(b[i]) {
			return false
		}
	}
	return true
}

// sameReply is a reply as the transcripts compare it: claim ids are random (the oracle's
// differ from the bot's), and Telegram renders the quoted clauses as a blockquote, which
// takes the blank line before the paragraph naming the claim.
func sameReply(s string) string {
	return claimIDs.ReplaceAllString(strings.ReplaceAll(s, "\n\n", "\n"), "R-XXXXXX")
}

func TestMatchTranscript(t *testing.T) {
	want := [][]string{{"hello", "q1"}, {"q2"}, {"q3"}}
	rep := repeatNote + ".\n\nq2"
	tests := []struct {
		got              []string
		missing, repeats int
		ok               bool
	}{
		{[]string{"hello", "q1", "q2", "q3"}, 0, 0, true},
		{[]string{"hello", "q1", "q3"}, 1, 0, true},
		{[]string{"hello", "q2", "q3"}, 1, 0, true},
		{[]string{"hello", "q1", "q2", "q2", "q3"}, 0, 0, false},
		{[]string{"q2", "q3"}, 1, 0, true},
		{[]string{"q3"}, 2, 0, false},
		{[]string{"hello", "q1", "q3", "q2"}, 2, 0, false},
		{[]string{"hello", "q1", rep, "q2", "q3"}, 0, 1, true}, // lost, then repeated
		{[]string{"hello", "q1", "q2", rep, "q3"}, 0, 1, true}, // sent, then repeated
		{[]string{"hello", rep, "q2", "q3"}, 0, 1, true},       // cut short, then repeated
		{[]string{"hello", "q1", rep, "q3"}, 0, 1, true},       // q2 lost, then repeated
		{[]string{"hello", "q1", rep, "q2", rep, "q3"}, 0, 2, false},
		{[]string{"hello", "q1", rep, rep, "q3"}, 0, 2, false},
		{[]string{"hello", "q1", rep}, 1, 1, false},
	}
	for _, tc := range tests {
		missing, repeats, _, err := matchTranscript(tc.got, want)
		if (err == nil) != tc.ok || (tc.ok && (missing != tc.missing || repeats != tc.repeats)) {
			t.Errorf("matchTranscript(%q): got %d missing, %d repeats, %v; want %d, %d, ok=%v",
				tc.got, missing, repeats, err, tc.missing, tc.repeats, tc.ok)
		}
	}
}

// buildBinary builds returnsbot into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "returnsbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// stopProc sends SIGTERM and waits for a clean exit.
func stopProc(t *testing.T, p *tgProc, within time.Duration) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("process after SIGTERM: %v\n%s", err, p.stderr)
		}
	case <-time.After(within):
		t.Fatalf("process did not stop within %v of SIGTERM\n%s", within, p.stderr)
	}
}

// TestTelegramSIGTERMKeepsReplies runs the real binary with the default pacing: 5 chats
// send 30 messages each at once, more than the drain deadline can answer, and SIGTERM
// comes mid-way. The updates whose replies were cut short must stay unconfirmed, so
// after a restart every chat has every reply (the one cut short may be repeated).
func TestTelegramSIGTERMKeepsReplies(t *testing.T) {
	bin := buildBinary(t)
	srv := telegramtest.NewServer(t, "")
	prefix := redistest.Prefix(t)
	env := []string{
		"TELEGRAM_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + srv.URL,
		"REDIS_URL=" + redistest.URL(t), "REDIS_KEY_PREFIX=" + prefix,
		"INBOUND_RATE=off", "LOG_LEVEL=warn",
	}
	base := []string{"/start", "yesterday", "damaged", "yes", "/back", "no", "/restart", "today", "intact", "no"}
	var inputs []string
	for range 3 {
		inputs = append(inputs, base...)
	}
	const chats = 5
	oracle := &bot.Service{Engine: dialog.NewEngine(policy.Default()), Store: memstore.New()}
	want := oracleReplies(t, oracle, inputs)
	first := startTelegramProc(t, bin, env)
	waittest.For(t, "the first process to poll", func() bool { return len(srv.Calls("deleteWebhook")) > 0 })
	for _, in := range inputs {
		for i := range chats {
			srv.Text(telegramtest.Private(int64(6000+i), "C", ""), in)
		}
	}
	// SIGTERM once every chat is answering: with one message a second per chat, the
	// 10s drain cannot send the rest.
	waittest.For(t, "every chat's first replies", func() bool {
		for i := range chats {
			if len(srv.BotMessages(int64(6000+i))) < 3 {
				return false
			}
		}
		return true
	})
	stopProc(t, first, 20*time.Second)
	if srv.Pending() == 0 {
		t.Fatalf("every update confirmed at SIGTERM: the test needs a backlog the drain cannot answer")
	}
	t.Logf("unconfirmed after SIGTERM: %d of %d", srv.Pending(), chats*len(inputs))
	second := startTelegramProc(t, bin, env)
	if !srv.WaitFor(2*time.Minute, func() bool { return srv.PendingLocked() == 0 }) {
		t.Fatalf("unconfirmed updates 2 minutes after restart: %d\n%s", srv.Pending(), second.stderr)
	}
	stopProc(t, second, 20*time.Second)
	for i := range chats {
		chat := int64(6000 + i)
		var got []string
		for _, m := range srv.BotMessages(chat) {
			got = append(got, m.Text)
		}
		missing, _, _, err := matchTranscript(got, want)
		if err != nil || missing > 0 {
			t.Errorf("chat %d: %d inputs lost their replies (%v)\ngot %q", chat, missing, err, got)
		}
	}
}

// TestTelegramFloodDoesNotStallOthers runs the real binary with the default pacing and
// limits: one chat sends 1000 messages at once, three others write a moment later. The
// three must be answered while the flooder has had only a handful of replies (before,
// they waited for the flooder's backlog: 15 minutes), the flooder gets one slow-down
// reply, and every update is confirmed.
func TestTelegramFloodDoesNotStallOthers(t *testing.T) {
	bin := buildBinary(t)
	srv := telegramtest.NewServer(t, "")
	p := startTelegramProc(t, bin, []string{"TELEGRAM_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + srv.URL, "LOG_LEVEL=warn"})
	waittest.For(t, "the process to poll", func() bool { return len(srv.Calls("deleteWebhook")) > 0 })
	flooder := telegramtest.Private(7000, "Flood", "")
	for range 1000 {
		srv.Text(flooder, "hello")
	}
	waittest.For(t, "the flooder's first reply", func() bool { return len(srv.BotMessages(7000)) > 0 })
	quiet := []int64{7001, 7002, 7003}
	for _, id := range quiet {
		srv.Text(telegramtest.Private(id, "Quiet", ""), "/start")
	}
	answered := srv.WaitFor(30*time.Second, func() bool {
		for _, id := range quiet {
			if len(srv.BotMessagesLocked(id)) == 0 {
				return false
			}
		}
		return true
	})
	flood := srv.BotMessages(7000)
	if !answered {
		t.Fatalf("quiet customers unanswered after 30s while one floods; %d updates unconfirmed, flooder got %d replies", srv.Pending(), len(flood))
	}
	if len(flood) >= 20 {
		t.Errorf("flooder's replies before the others were answered: got %d, want a handful (the limit's burst and one slow-down)", len(flood))
	}
	if !srv.WaitFor(30*time.Second, func() bool { return srv.PendingLocked() == 0 }) {
		t.Errorf("unconfirmed updates: got %d, want 0 (the excess is dropped on purpose and confirmed)", srv.Pending())
	}
	stopProc(t, p, 20*time.Second)
	slow := 0
	for _, m := range srv.BotMessages(7000) {
		if m.Text == bot.SlowDownText("en") {
			slow++
		}
	}
	if slow != 1 {
		t.Errorf("slow-down replies to the flooder: got %d, want 1", slow)
	}
}

// oracleReplies is what a bot that never crashed answers to each input of one chat, in
// order, with the quotation marks Telegram's HTML rendering drops taken out.
func oracleReplies(t *testing.T, oracle *bot.Service, inputs []string) [][]string {
	t.Helper()
	var want [][]string
	for i, in := range inputs {
		out, err := oracle.Handle(context.Background(), bot.Message{ID: strconv.Itoa(i), From: bot.Address{Platform: "telegram", Chat: "1"}, Text: in})
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, o := range out {
			texts = append(texts, strings.NewReplacer("“", "", "”", "").Replace(o.Text))
		}
		want = append(want, texts)
	}
	return want
}
