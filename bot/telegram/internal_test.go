package telegram

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

func TestPacer(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := pacer{interval: time.Second, burst: 3}
	// Three at once, then one a second; waiting out a gap refills the burst.
	for i, tc := range []struct {
		at   time.Duration
		want time.Duration
	}{
		{0, 0}, {0, 0}, {0, 0}, {0, time.Second}, {0, 2 * time.Second},
		{10 * time.Second, 0}, {10 * time.Second, 0}, {10 * time.Second, 0}, {10 * time.Second, time.Second},
	} {
		if got := p.reserve(t0.Add(tc.at)); got != tc.want {
			t.Errorf("reservation %d at +%v: got wait %v, want %v", i, tc.at, got, tc.want)
		}
	}

	p = pacer{interval: time.Second, burst: 3}
	p.block(t0.Add(5 * time.Second))
	if got := p.reserve(t0); got != 5*time.Second {
		t.Errorf("after retry_after 5s: got wait %v, want 5s", got)
	}
	off := pacer{}
	if got := off.reserve(t0); got != 0 {
		t.Errorf("switched-off pacer: got wait %v, want 0", got)
	}
	off.block(t0.Add(2 * time.Second))
	if got := off.reserve(t0); got != 2*time.Second {
		t.Errorf("switched-off pacer after retry_after 2s: got wait %v, want 2s", got)
	}
	if got := off.reserve(t0.Add(3 * time.Second)); got != 0 {
		t.Errorf("switched-off pacer once retry_after passed: got wait %v, want 0", got)
	}
}

func TestLimiterGroupsAreSlower(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Config{ChatInterval: time.Second, ChatBurst: 3, GroupInterval: 3 * time.Second, GlobalRate: 30})
	l.now = func() time.Time { return t0 }
	l.chat(-100).reserve(t0)
	if got := l.chat(-100).reserve(t0); got != 3*time.Second {
		t.Errorf("second message to a group: got wait %v, want 3s", got)
	}
	l.chat(7).reserve(t0)
	if got := l.chat(7).reserve(t0); got != 0 {
		t.Errorf("second message to a private chat: got wait %v, want 0 (burst)", got)
	}
	var waits []time.Duration
	for range 32 {
		waits = append(waits, l.global.reserve(t0))
	}
	if waits[29] != 0 || waits[30] == 0 {
		t.Errorf("global pace: got waits %v, want 30 at once and then a wait", waits)
	}
}

func TestTrackerLowWaterMark(t *testing.T) {
	var tr tracker
	if got := tr.low(); got != 0 {
		t.Fatalf("fresh tracker: got low %d, want 0 (all unconfirmed updates)", got)
	}
	for _, id := range []int64{10, 11, 12} {
		if !tr.take(id) {
			t.Fatalf("take(%d): got false, want true", id)
		}
	}
	if tr.take(11) {
		t.Errorf("take(11) again while in flight: got true, want false")
	}
	tr.finish(12, true)
	tr.finish(11, true)
	if got := tr.low(); got != 10 {
		t.Errorf("10 still in flight: got low %d, want 10", got)
	}
	if tr.take(12) {
		t.Errorf("take(12) after it was handled: got true, want false")
	}
	tr.finish(10, false) // cut short: stays unconfirmed
	if got := tr.low(); got != 10 {
		t.Errorf("10 not handled: got low %d, want 10", got)
	}
	var tr2 tracker
	tr2.take(10)
	tr2.take(11)
	tr2.finish(11, true)
	tr2.finish(10, true)
	if got := tr2.low(); got != 12 {
		t.Errorf("all handled: got low %d, want 12", got)
	}
	if len(tr2.done) != 0 {
		t.Errorf("done set below the mark: got %v, want it pruned", tr2.done)
	}
	if tr2.take(11) {
		t.Errorf("take(11) below the mark: got true, want false")
	}
}

func TestRender(t *testing.T) {
	d := &policy.Decision{Clauses: []policy.Clause{{ID: "a", Text: "Goods <b>may</b> be returned & exchanged."}}}
	tests := []struct {
		name  string
		reply dialog.Reply
		want  string
	}{
		{"escapes", dialog.Reply{Text: `You mentioned "<b>water</b> & co".`}, "You mentioned &#34;&lt;b&gt;water&lt;/b&gt; &amp; co&#34;."},
		{"blockquotes clauses", dialog.Reply{Text: "Yes.\n\nOur policy says:\n\n“Goods <b>may</b> be returned & exchanged.”", Decision: d},
			"Yes.\n\nOur policy says:\n\n<blockquote>Goods &lt;b&gt;may&lt;/b&gt; be returned &amp; exchanged.</blockquote>"},
		{"clause text elsewhere is not quoted", dialog.Reply{Text: "Goods <b>may</b> be returned & exchanged.", Decision: d},
			"Goods &lt;b&gt;may&lt;/b&gt; be returned &amp; exchanged."},
	}
	for _, tc := range tests {
		got := render(tc.reply)
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: got %q, want [%q]", tc.name, got, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	long := strings.Repeat("word ", 1000) + "\n\n" + strings.Repeat("é", 5000)
	parts := split(long, maxChunk)
	if len(parts) < 3 {
		t.Fatalf("got %d parts, want at least 3", len(parts))
	}
	total := 0
	for i, p := range parts {
		n := utf8.RuneCountInString(p)
		if n > maxChunk || n == 0 || !utf8.ValidString(p) {
			t.Errorf("part %d: %d characters (valid UTF-8 %v), want 1..%d", i, n, utf8.ValidString(p), maxChunk)
		}
		total += strings.Count(p, "é")
	}
	if total != 5000 {
		t.Errorf("got %d é across parts, want 5000: nothing may be lost", total)
	}
	if got := split("short", maxChunk); len(got) != 1 || got[0] != "short" {
		t.Errorf("short text: got %q, want [short]", got)
	}
}

func TestKeyboard(t *testing.T) {
	kb, err := keyboard([]dialog.Button{{ID: "defect:yes", Label: "Yes"}, {ID: "defect:no", Label: "No"}})
	if err != nil || len(kb.InlineKeyboard) != 1 || len(kb.InlineKeyboard[0]) != 2 {
		t.Errorf("yes/no: got %+v, %v, want one row of two", kb, err)
	}
	kb, err = keyboard([]dialog.Button{
		{ID: "packaging:intact", Label: "Intact and complete"},
		{ID: "packaging:damaged", Label: "Damaged"},
		{ID: "packaging:incomplete", Label: "Parts missing"},
	})
	if err != nil || len(kb.InlineKeyboard) != 2 {
		t.Errorf("packaging: got %+v, %v, want two rows", kb, err)
	}
	if kb, err := keyboard(nil); kb != nil || err != nil {
		t.Errorf("no buttons: got %+v, %v, want nil, nil", kb, err)
	}
	for _, id := range []string{"", strings.Repeat("x", 65), "bad:\xff"} {
		if _, err := keyboard([]dialog.Button{{ID: id, Label: "L"}}); !errors.Is(err, ErrButtonID) {
			t.Errorf("id %q: got %v, want ErrButtonID", id, err)
		}
	}
	if _, err := keyboard([]dialog.Button{{ID: strings.Repeat("x", 64), Label: "L"}}); err != nil {
		t.Errorf("64-byte id: got %v, want accepted", err)
	}
}

func TestConvert(t *testing.T) {
	user := &models.User{ID: 7, FirstName: "Ann", LastName: "Lee", LanguageCode: "de"}
	chat := models.Chat{ID: 7, Type: models.ChatTypePrivate}
	group := models.Chat{ID: -1009, Type: models.ChatTypeSupergroup, IsForum: true}
	tests := []struct {
		name string
		u    models.Update
		want bot.Message
		skip bool
	}{
		{"text", models.Update{ID: 5, Message: &models.Message{Chat: chat, From: user, Text: "hi"}},
			bot.Message{ID: "5", From: bot.Address{Platform: "telegram", Chat: "7"}, User: "7", UserName: "Ann Lee", Lang: "de", Text: "hi"}, false},
		{"photo takes the largest size and the caption", models.Update{ID: 6, Message: &models.Message{Chat: chat, From: user, Caption: "cracked",
			Photo: []models.PhotoSize{{FileID: "big", Width: 800, Height: 600}, {FileID: "small", Width: 90, Height: 60}}}},
			bot.Message{ID: "6", From: bot.Address{Platform: "telegram", Chat: "7"}, User: "7", UserName: "Ann Lee", Lang: "de", Text: "cracked", Photos: []string{"big"}}, false},
		{"image sent as a file", models.Update{ID: 7, Message: &models.Message{Chat: chat, From: user, Document: &models.Document{FileID: "doc", MimeType: "image/png"}}},
			bot.Message{ID: "7", From: bot.Address{Platform: "telegram", Chat: "7"}, User: "7", UserName: "Ann Lee", Lang: "de", Photos: []string{"doc"}}, false},
		{"voice", models.Update{ID: 8, Message: &models.Message{Chat: chat, From: user, Voice: &models.Voice{FileID: "v"}}},
			bot.Message{ID: "8", From: bot.Address{Platform: "telegram", Chat: "7"}, User: "7", UserName: "Ann Lee", Lang: "de", Unsupported: "voice message"}, false},
		{"forum topic", models.Update{ID: 9, Message: &models.Message{Chat: group, From: user, Text: "x", IsTopicMessage: true, MessageThreadID: 3}},
			bot.Message{ID: "9", From: bot.Address{Platform: "telegram", Chat: "-1009", Thread: "3"}, User: "7", UserName: "Ann Lee", Lang: "de", Text: "x"}, false},
		{"command for another bot", models.Update{ID: 10, Message: &models.Message{Chat: group, From: user, Text: "/start@OtherBot"}}, bot.Message{}, true},
		{"command for this bot", models.Update{ID: 11, Message: &models.Message{Chat: group, From: user, Text: "/start@MyBot x"}},
			bot.Message{ID: "11", From: bot.Address{Platform: "telegram", Chat: "-1009"}, User: "7", UserName: "Ann Lee", Lang: "de", Text: "/start@MyBot x"}, false},
		{"service message", models.Update{ID: 12, Message: &models.Message{Chat: group, From: user, NewChatMembers: []models.User{*user}}}, bot.Message{}, true},
		{"another bot", models.Update{ID: 13, Message: &models.Message{Chat: group, From: &models.User{ID: 1, IsBot: true}, Text: "x"}}, bot.Message{}, true},
		{"edited message", models.Update{ID: 14, EditedMessage: &models.Message{Chat: chat, From: user, Text: "x"}}, bot.Message{}, true},
		{"button on an inaccessible message", models.Update{ID: 15, CallbackQuery: &models.CallbackQuery{ID: "q", From: *user, Data: "defect:no",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage, InaccessibleMessage: &models.InaccessibleMessage{Chat: chat, MessageID: 4}}}},
			bot.Message{ID: "15", From: bot.Address{Platform: "telegram", Chat: "7"}, User: "7", UserName: "Ann Lee", Lang: "de", Button: "defect:no"}, false},
	}
	for _, tc := range tests {
		in := convert(&tc.u, "MyBot")
		if in.skip != tc.skip {
			t.Errorf("%s: got skip %v, want %v", tc.name, in.skip, tc.skip)
			continue
		}
		if tc.skip {
			continue
		}
		if got, want := fmtMsg(in.msg), fmtMsg(tc.want); got != want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, got, want)
		}
	}
	q := convert(&models.Update{ID: 16, CallbackQuery: &models.CallbackQuery{ID: "q2", From: *user, Data: "x:y",
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &models.Message{ID: 44, Chat: group, IsTopicMessage: true, MessageThreadID: 3}}}}, "MyBot")
	if q.query != "q2" || q.pressed != 44 || q.msg.From.Thread != "3" {
		t.Errorf("button in a topic: got query %q pressed %d thread %q, want q2, 44, 3", q.query, q.pressed, q.msg.From.Thread)
	}
}

func fmtMsg(m bot.Message) string {
	return strings.Join([]string{m.ID, m.From.Key(), m.User, m.UserName, m.Lang, m.Text, m.Button, strings.Join(m.Photos, "+"), m.Unsupported}, "|")
}

func TestCheckSecret(t *testing.T) {
	for _, s := range []string{"", "has space", "ümlaut", strings.Repeat("a", 257)} {
		if checkSecret(s) == nil {
			t.Errorf("secret %q: got accepted, want refused", s)
		}
	}
	if err := checkSecret("Good_secret-123"); err != nil {
		t.Errorf("good secret: got %v, want accepted", err)
	}
}
