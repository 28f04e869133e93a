package telegram_test

import (
	"context"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// TestGroupsArePrivate: with GroupChats set, a group other than the desk is no
// conversation: what Alice and Zed say there is not handled and gets no answer, a command
// gets one pointer to a private chat, and the desk group is still read.
func TestGroupsArePrivate(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	store := memstore.New()
	cfg := fastConfig(srv)
	cfg.GroupChats = []string{"-100999"}
	h := start(t, srv, store, cfg, nil)
	lunch := models.Chat{ID: -100777, Type: models.ChatTypeSupergroup, Title: "Lunch"}
	alice := telegramtest.Customer{Chat: lunch, User: models.User{ID: 11, FirstName: "Alice"}}
	zed := telegramtest.Customer{Chat: lunch, User: models.User{ID: 12, FirstName: "Zed"}}
	desk := telegramtest.Customer{Chat: models.Chat{ID: -100999, Type: models.ChatTypeSupergroup, Title: "Desk"}, User: models.User{ID: 13, FirstName: "Sam"}}
	srv.Text(zed, "anyone up for lunch?")
	srv.Text(alice, "I want to return my kettle")
	srv.Text(zed, "yesterday")
	srv.Text(alice, "/start")
	srv.Text(desk, "/help")
	h.expect(desk.Chat.ID, 1)
	h.settled()
	msgs := srv.BotMessages(lunch.ID)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "private chat") || !strings.Contains(msgs[0].Text, "t.me/") {
		t.Fatalf("got %d bot messages in the group (%v), want one pointer to a private chat", len(msgs), msgs)
	}
	if s, err := store.Load(context.Background(), "telegram:-100777"); err != nil || s.State != "" {
		t.Errorf("group session: state %q, err %v; want none", s.State, err)
	}
}
