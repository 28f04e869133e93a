package handoff_test

import (
	"context"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// commands records the names of the commands a client sends one at a time (a pipeline,
// such as the rolling log's background write, is not one of them), leaving out a
// connection's handshake.
// TestCustomerMessageOneRoundTrip: with sessions and cases in Redis, as serve has them, a
// customer message with no case open waits for one command, the session's save, which
// checks the desk's holds in its script; the desk's own lookup is gone from the common
// path, and the rolling log is written behind the reply. An open case still takes the
// message to staff.
func TestCustomerMessageOneRoundTrip(t *testing.T) {
	rdb := redistest.Client(t)
	trips := &redistest.Trips{}
	rdb.AddHook(trips)
	prefix := redistest.Prefix(t)
	cases := rediscases.New(rdb, rediscases.Options{Prefix: prefix})
	t.Cleanup(cases.Close)
	w := newWorld(t, cases, redisstore.New(rdb, redisstore.Options{Prefix: prefix, Holds: cases.HoldKeys}))
	ctx := context.Background()
	w.send(customer(tgAnn, "hi")) // the first read of the conversation
	if err := cases.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	trips.Take()
	for _, text := range []string{"yesterday", "intact"} {
		w.send(customer(tgAnn, text))
		if err := cases.Flush(ctx); err != nil { // the rolling log, written behind the reply
			t.Fatal(err)
		}
		if got := trips.Take(); len(got) != 2 || got[0] != "evalsha" || !strings.HasPrefix(got[1], "rpush+") {
			t.Fatalf("%q cost the round trips %q, want the session's save (evalsha) and the log's pipeline (rpush+...)", text, got)
		}
	}
	c := w.escalate(tgAnn)
	w.desk.Wait()
	c, _ = w.cases.Get(ctx, c.ID)
	out := w.send(customer(tgAnn, "my kettle leaks"))
	if got := to(out, thread(t, c, "telegram")); len(got) != 1 || !strings.Contains(got[0].Text, "my kettle leaks") {
		t.Fatalf("with a case open the message went to %q, want the staff thread", texts(out))
	}
	if got := to(out, tgAnn); len(got) > 0 && !strings.Contains(got[0].Text, "staff") {
		t.Fatalf("with a case open the dialog answered %q", texts(got))
	}
}
