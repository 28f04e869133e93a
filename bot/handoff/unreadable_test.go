package handoff_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
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

// TestUnreadableSessionOfAHeldConversation: the short way (sessions in Redis checking the
// desk's holds) reads the session first; when it finds it unreadable and the conversation
// held by an open case, the apology still reaches the customer, once, and the message
// still reaches staff.
func TestUnreadableSessionOfAHeldConversation(t *testing.T) {
	rdb := redisClient(t)
	prefix := redistest.Prefix(t)
	cases := rediscases.New(rdb, rediscases.Options{Prefix: prefix})
	t.Cleanup(cases.Close)
	// No cache: the session is read from Redis on every message, as by another instance.
	sessions := redisstore.New(rdb, redisstore.Options{Prefix: prefix, CacheSize: -1, Holds: cases.HoldKeys})
	w := newWorld(t, cases, sessions)
	c := w.escalate(tgAnn)
	w.desk.Wait()
	c, _ = w.cases.Get(context.Background(), c.ID)
	if err := rdb.Set(context.Background(), sessions.Key(tgAnn.Key()), `2:zz:{"s":"new schema"}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	out := w.send(customer(tgAnn, "still there?"))
	got := to(out, tgAnn)
	if len(got) != 1 || !strings.Contains(got[0].Text, "could not read") {
		t.Fatalf("customer got %q, want the apology once", texts(got))
	}
	if relayed := to(out, thread(t, c, "telegram")); len(relayed) != 1 || !strings.Contains(relayed[0].Text, "still there?") {
		t.Fatalf("staff thread got %q, want the message relayed", texts(relayed))
	}
}
