package handoff_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// commands records the names of the commands a client sends one at a time (a pipeline,
// such as the rolling log's background write, is not one of them), leaving out a
// connection's handshake.
type commands struct {
	mu    sync.Mutex
	names []string
}

func (c *commands) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *commands) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() != "hello" && cmd.Name() != "client" {
			c.mu.Lock()
			c.names = append(c.names, cmd.Name())
			c.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}
func (c *commands) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (c *commands) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.names
	c.names = nil
	return n
}

// TestCustomerMessageOneRoundTrip: with sessions and cases in Redis, as serve has them, a
// customer message with no case open waits for one command, the session's save, which
// checks the desk's holds in its script; the desk's own lookup is gone from the common
// path, and the rolling log is written behind the reply. An open case still takes the
// message to staff.
func TestCustomerMessageOneRoundTrip(t *testing.T) {
	rdb := redistest.Client(t)
	cmds := &commands{}
	rdb.AddHook(cmds)
	prefix := redistest.Prefix(t)
	cases := rediscases.New(rdb, rediscases.Options{Prefix: prefix})
	t.Cleanup(cases.Close)
	w := newWorld(t, cases, redisstore.New(rdb, redisstore.Options{Prefix: prefix, Holds: cases.HoldKeys}))
	w.send(customer(tgAnn, "hi")) // the first read of the conversation
	cmds.take()
	for _, text := range []string{"yesterday", "intact"} {
		w.send(customer(tgAnn, text))
		if got := cmds.take(); len(got) != 1 || got[0] != "evalsha" {
			t.Fatalf("%q cost the commands %q, want one: the session's save (evalsha)", text, got)
		}
	}
	c := w.escalate(tgAnn)
	w.desk.Wait()
	c, _ = w.cases.Get(context.Background(), c.ID)
	out := w.send(customer(tgAnn, "my kettle leaks"))
	if got := to(out, thread(t, c, "telegram")); len(got) != 1 || !strings.Contains(got[0].Text, "my kettle leaks") {
		t.Fatalf("with a case open the message went to %q, want the staff thread", texts(out))
	}
	if got := to(out, tgAnn); len(got) > 0 && !strings.Contains(got[0].Text, "staff") {
		t.Fatalf("with a case open the dialog answered %q", texts(got))
	}
}
