package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestHandleUnlessHeld: the dialog takes a message on the desk's short way only when it
// steps and saves it with no hold on the conversation; everything else comes back as
// ErrHeld with nothing saved, for the desk to handle the long way.
func TestHandleUnlessHeld(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	hold := func(conv string) []string { return []string{prefix + "hold:{" + conv + "}"} }
	st := redisstore.New(rdb, redisstore.Options{Prefix: prefix, Holds: hold})
	svc := bottest.NewService(st)
	seen := bot.Message{ID: "7", From: bot.Address{Platform: "telegram", Chat: "seen"}, Text: "hi"}
	if _, err := svc.Handle(ctx, seen); err != nil {
		t.Fatal(err)
	}
	escalated := bot.Address{Platform: "telegram", Chat: "escalated"}
	if err := st.Save(ctx, escalated.Key(), &dialog.Session{State: dialog.StateEscalated}); err != nil {
		t.Fatal(err)
	}
	held := bot.Address{Platform: "telegram", Chat: "held"}
	if err := rdb.Set(ctx, hold(held.Key())[0], "case", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		m        bot.Message
		wantHeld bool
	}{
		{"a new customer", bot.Message{ID: "1", From: bot.Address{Platform: "telegram", Chat: "new"}, Text: "hi"}, false},
		{"held by the desk", bot.Message{ID: "1", From: held, Text: "hi"}, true},
		{"escalated", bot.Message{ID: "1", From: escalated, Text: "hello?"}, true},
		{"seen before", seen, true},
		{"/status", bot.Message{ID: "1", From: bot.Address{Platform: "telegram", Chat: "status"}, Text: "/status"}, true},
		{"/forget", bot.Message{ID: "1", From: bot.Address{Platform: "telegram", Chat: "forget"}, Text: "/forget"}, true},
		{"forget confirmed", bot.Message{ID: "1", From: bot.Address{Platform: "telegram", Chat: "forget"}, Button: dialog.ForgetYes}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := st.Load(ctx, tt.m.From.Key())
			out, err := svc.HandleUnlessHeld(ctx, tt.m)
			after, _ := st.Load(ctx, tt.m.From.Key())
			if !tt.wantHeld {
				if err != nil || len(out) == 0 || after.Version == before.Version {
					t.Fatalf("HandleUnlessHeld = %d replies, %v (version %d → %d), want the step saved and answered", len(out), err, before.Version, after.Version)
				}
				return
			}
			if !errors.Is(err, dialog.ErrHeld) || len(out) != 0 || after.Version != before.Version {
				t.Fatalf("HandleUnlessHeld = %d replies, %v (version %d → %d), want ErrHeld, nothing said or saved", len(out), err, before.Version, after.Version)
			}
		})
	}
	// A store that cannot check holds leaves every message to the caller.
	mem := bottest.NewService(memstore.New())
	if _, err := mem.HandleUnlessHeld(ctx, bot.Message{ID: "1", From: bot.Address{Platform: "telegram", Chat: "1"}, Text: "hi"}); !errors.Is(err, dialog.ErrHeld) {
		t.Fatalf("HandleUnlessHeld on the memory store = %v, want ErrHeld", err)
	}
}
