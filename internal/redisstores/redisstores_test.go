package redisstores_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/redisstores"
)

// TestSessionsCheckTheDesksHolds: the session store Open returns refuses a held save of a
// conversation whose case the case store it returns has open: the two agree on the keys,
// also under a prefix with a hash tag of its own.
func TestSessionsCheckTheDesksHolds(t *testing.T) {
	for _, tagged := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain prefix", true: "tagged prefix"}[tagged], func(t *testing.T) {
			ctx := context.Background()
			rdb := redistest.Client(t)
			prefix := redistest.Prefix(t)
			if tagged {
				prefix += "load{7}:"
			}
			st := redisstores.Open(rdb, redisstores.Options{Sessions: redisstore.Options{Prefix: prefix}})
			t.Cleanup(func() { st.Close() })
			conv := bot.Address{Platform: "telegram", Chat: "42"}
			if err := st.Sessions.SaveUnlessHeld(ctx, conv.Key(), &dialog.Session{State: dialog.StatePackaging}); err != nil {
				t.Fatalf("SaveUnlessHeld with no case = %v", err)
			}
			c := &handoff.Case{ID: "k7q2m9xb", Status: handoff.Open, Customer: conv, User: "42", Opened: time.Now(), Notified: time.Now()}
			if _, _, err := st.Cases.Open(ctx, c); err != nil {
				t.Fatal(err)
			}
			s, err := st.Sessions.Load(ctx, conv.Key())
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Sessions.SaveUnlessHeld(ctx, conv.Key(), s); !errors.Is(err, dialog.ErrHeld) {
				t.Fatalf("SaveUnlessHeld with the case open = %v, want ErrHeld", err)
			}
		})
	}
}
