package handoff_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestUnreadableSessionThroughTheDesk: the Desk reads the session before the dialog does
// (to find an escalation without a case), so it is the Desk that meets an unreadable one:
// the customer still gets the apology and a fresh start, and it is logged once.
func TestUnreadableSessionThroughTheDesk(t *testing.T) {
	rdb := redisClient(t)
	sessions := redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t)})
	w := newWorld(t, handoff.NewMemoryStore(), sessions)
	if err := rdb.Set(context.Background(), sessions.Key(tgAnn.Key()), `2:zz:{"s":"new schema"}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	m := customer(tgAnn, "hi")
	m.Lang = "de"
	out := w.send(m)
	got := to(out, tgAnn)
	if len(got) < 2 || !strings.Contains(got[0].Text, "Gespräch") || !strings.Contains(got[1].Text, "Hallo") {
		t.Fatalf("customer got %q, want the apology in German and then the greeting", texts(got))
	}
	if n := strings.Count(w.logs.String(), "level=ERROR"); n != 1 || !strings.Contains(w.logs.String(), tgAnn.Key()) {
		t.Errorf("got %d ERROR lines, want 1 naming %s:\n%s", n, tgAnn.Key(), w.logs)
	}
}
