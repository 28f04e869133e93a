package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestParseHTML(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"plain", "plain", true},
		{"<b>bold</b> &amp; &lt;tag&gt; &quot;q&quot; &#34;n&#34;", `bold & <tag> "q" "n"`, true},
		{"<blockquote>clause</blockquote>", "clause", true},
		{"a < b", "", false},
		{"fish & chips", "", false},
		{"<b>unclosed", "", false},
		{"<b><i>crossed</b></i>", "", false},
		{"<script>x</script>", "", false},
		{"&nbsp;", "", false},
	}
	for _, tc := range tests {
		got, err := parseHTML(tc.raw)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseHTML(%q): got %q, %v, want %q, ok=%v", tc.raw, got, err, tc.want, tc.ok)
		}
	}
}

// call makes a Bot API call with URL parameters and decodes the result.
func call(t *testing.T, s *Server, token, method, query string) (ok bool, code int, result json.RawMessage) {
	t.Helper()
	resp, err := http.Post(s.URL+"/bot"+token+"/"+method+"?"+query, "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		OK        bool            `json:"ok"`
		ErrorCode int             `json:"error_code"`
		Result    json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.OK, r.ErrorCode, r.Result
}

func TestGetUpdatesOffset(t *testing.T) {
	s := NewServer(t, "")
	c := Private(1, "A", "")
	first := s.Text(c, "one")
	s.Text(c, "two")

	ids := func(raw json.RawMessage) []int64 {
		var us []struct {
			ID int64 `json:"update_id"`
		}
		json.Unmarshal(raw, &us)
		var out []int64
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	_, _, res := call(t, s, Token, "getUpdates", "")
	if got := ids(res); len(got) != 2 {
		t.Fatalf("getUpdates without offset: got %v, want both updates", got)
	}
	_, _, res = call(t, s, Token, "getUpdates", "offset="+itoa(first))
	if got := ids(res); len(got) != 2 {
		t.Errorf("offset = first id: got %v, want both (nothing confirmed)", got)
	}
	_, _, res = call(t, s, Token, "getUpdates", "offset="+itoa(first+1))
	if got := ids(res); len(got) != 1 || got[0] != first+1 {
		t.Errorf("offset = first+1: got %v, want [%d]", got, first+1)
	}
	if s.Pending() != 1 {
		t.Errorf("pending after confirming the first: got %d, want 1", s.Pending())
	}
	if ok, code, _ := call(t, s, "1:bad", "getMe", ""); ok || code != 401 {
		t.Errorf("wrong token: got ok=%v code=%d, want 401", ok, code)
	}
	s.Fail("getMe", TooManyRequests(3))
	if ok, code, _ := call(t, s, Token, "getMe", ""); ok || code != 429 {
		t.Errorf("queued failure: got ok=%v code=%d, want 429", ok, code)
	}
	if ok, _, _ := call(t, s, Token, "getMe", ""); !ok {
		t.Errorf("after the failure: got an error, want getMe to succeed")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestWithTheRealClient drives the calls the adapter does not make itself (copyMessage,
// editMessageText, forum topics) through go-telegram/bot, so the fake stays true to the
// library's encoding for the staff handoff and future users.
func TestWithTheRealClient(t *testing.T) {
	s := NewServer(t, "")
	ctx := context.Background()
	api, err := tgbot.New(Token, tgbot.WithServerURL(s.URL), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	me, err := api.GetMe(ctx)
	if err != nil || me.Username != BotUser.Username {
		t.Fatalf("getMe: got %+v, %v, want %s", me, err, BotUser.Username)
	}
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Yes", CallbackData: "q:yes"}}}}
	sent, err := api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 5, Text: "<b>Hi</b> &amp; bye", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatalf("sendMessage: %v", err)
	}
	if _, err := api.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: 5, MessageID: sent.ID, Text: "Edited"}); err != nil {
		t.Fatalf("editMessageText: %v", err)
	}
	if _, err := api.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: 5, MessageID: sent.ID, Text: "Edited"}); err == nil || !strings.Contains(err.Error(), "not modified") {
		t.Errorf("editMessageText with the same text: got %v, want message is not modified", err)
	}
	topic, err := api.CreateForumTopic(ctx, &tgbot.CreateForumTopicParams{ChatID: -100, Name: "Case 1"})
	if err != nil || topic.MessageThreadID == 0 {
		t.Fatalf("createForumTopic: got %+v, %v", topic, err)
	}
	copied, err := api.CopyMessage(ctx, &tgbot.CopyMessageParams{ChatID: -100, MessageThreadID: topic.MessageThreadID, FromChatID: 5, MessageID: sent.ID})
	if err != nil {
		t.Fatalf("copyMessage: %v", err)
	}
	if _, err := api.CloseForumTopic(ctx, &tgbot.CloseForumTopicParams{ChatID: -100, MessageThreadID: topic.MessageThreadID}); err != nil {
		t.Errorf("closeForumTopic: %v", err)
	}
	msgs := s.BotMessages(5)
	if len(msgs) != 1 || msgs[0].Text != "Edited" || msgs[0].Keyboard != nil {
		t.Errorf("chat 5 after edit: got %+v, want one message reading Edited, keyboard gone", msgs)
	}
	group := s.BotMessages(-100)
	if len(group) != 1 || group[0].ID != copied.ID || group[0].Thread != topic.MessageThreadID || group[0].Text != "Edited" || group[0].CopiedFrom == "" {
		t.Errorf("copied message: got %+v, want the edited text in topic %d", group, topic.MessageThreadID)
	}
	_, err = api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 5, Text: "a < b", ParseMode: models.ParseModeHTML})
	if err == nil || !strings.Contains(err.Error(), "can't parse entities") {
		t.Errorf("unescaped HTML: got %v, want can't parse entities", err)
	}
}
