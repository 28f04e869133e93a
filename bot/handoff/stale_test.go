package handoff_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestStaleCopyNeverReopensCase: two instances share one Redis, each with its session
// cache. The customer escalated through instance B, so B holds a copy of the escalated
// session; then the case ends behind B's back. The customer's next message at B is
// answered by the dialog and opens no new case.
func TestStaleCopyNeverReopensCase(t *testing.T) {
	for _, tt := range []struct {
		name string
		// end ends the case without instance B: through A, or by erasing Redis keys.
		end func(t *testing.T, w *world, c *handoff.Case, sessionPrefix, casePrefix string)
	}{
		{"closed through the other instance", func(t *testing.T, w *world, c *handoff.Case, _, _ string) {
			w.send(press(thread(t, c, "telegram"), tgStaff, handoff.ButtonID(handoff.ActClose, c.ID)))
		}},
		{"returnsbot forget while running", func(t *testing.T, w *world, c *handoff.Case, sessionPrefix, casePrefix string) {
			// What "returnsbot forget" does, from its own process: its own stores.
			rdb := redisClient(t)
			convs, err := rediscases.New(rdb, rediscases.Options{Prefix: casePrefix}).Forget(context.Background(), tgAnn.Key())
			if err != nil {
				t.Fatal(err)
			}
			sessions := redisstore.New(rdb, redisstore.Options{Prefix: sessionPrefix})
			for _, conv := range convs {
				if err := sessions.Delete(context.Background(), conv); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"keys vanished (Redis restart without AOF, eviction)", func(t *testing.T, w *world, c *handoff.Case, sessionPrefix, casePrefix string) {
			for _, prefix := range []string{sessionPrefix, casePrefix} {
				if _, err := redisstore.DeleteKeys(context.Background(), redisClient(t), prefix+"*"); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rdb := redisClient(t)
			sessionPrefix, casePrefix := redistest.Prefix(t), redistest.Prefix(t)
			w := newWorld(t, rediscases.New(rdb, rediscases.Options{Prefix: casePrefix}), redisstore.New(rdb, redisstore.Options{Prefix: sessionPrefix}))
			// Instance B: its own stores (and session cache) on the same Redis.
			w.sessions, w.cases = redisstore.New(redisClient(t), redisstore.Options{Prefix: sessionPrefix}), rediscases.New(redisClient(t), rediscases.Options{Prefix: casePrefix})
			b := w.newDesk()
			ctx := context.Background()
			for _, text := range []string{"hi", "person"} {
				if _, err := w.sendAll(b, customer(tgAnn, text)); err != nil {
					t.Fatal(err)
				}
			}
			c, err := w.cases.OpenFor(ctx, tgAnn.Key())
			if err != nil {
				t.Fatalf("no case after escalating at B: %v", err)
			}

			tt.end(t, w, c, sessionPrefix, casePrefix)

			out, err := w.sendAll(b, customer(tgAnn, "hello again"))
			if err != nil {
				t.Fatalf("customer's next message at B: %v", err)
			}
			if got := to(out, tgAnn); len(got) == 0 || !strings.Contains(got[0].Text, "Hello! I can help") {
				t.Errorf("customer got %q, want the dialog's greeting", texts(got))
			}
			if reopened, err := w.cases.OpenFor(ctx, tgAnn.Key()); !errors.Is(err, handoff.ErrNotFound) {
				t.Errorf("the customer's next message at B opened case %+v (err %v), want none", reopened, err)
			}
			s, err := redisstore.New(rdb, redisstore.Options{Prefix: sessionPrefix, CacheSize: -1}).Load(ctx, tgAnn.Key())
			if err != nil || s.State == dialog.StateEscalated {
				t.Errorf("stored session = %+v, %v; want the dialog going on, not escalated", s, err)
			}
		})
	}
}
