package rediscases_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestReadsKeysOfEarlierLayout writes a case as handoff.RedisStore (the store before this
// package) left it in a deployment, key by key and byte by byte, and reads it back through
// the store on the deployment's prefix: cases open at an upgrade keep working without a
// migration.
func TestReadsKeysOfEarlierLayout(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t) // REDIS_KEY_PREFIX
	old := prefix + "handoff:"    // what cmd/returnsbot gave handoff.NewRedisStore
	const (
		id     = "k7q2m9xa"
		caseJS = `{"id":"k7q2m9xa","status":"open","customer":{"p":"telegram","c":"100"},"user":"100","name":"Ann Customer","lang":"en","reason":"asked","claim":"R-7K2Q9M","opened":"2026-11-25T10:00:00Z","threads":[{"p":"discord","c":"desk","t":"t1"}],"notified":"2026-11-25T10:00:00Z"}`
		logJS  = `{"at":"2026-11-25T10:00:01Z","who":"customer","text":"my kettle broke"}`
		recJS  = `{"at":"2026-11-25T09:59:00Z","who":"bot","text":"hello"}`
	)
	notified := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	pipe := rdb.Pipeline()
	pipe.Set(ctx, old+"case:{"+id+"}", caseJS, time.Hour)
	pipe.RPush(ctx, old+"case:{"+id+"}:log", logJS)
	pipe.Set(ctx, old+"open:{telegram:100}", id, time.Hour)
	pipe.Set(ctx, old+"thread:{discord:desk:t1}", id, time.Hour)
	pipe.RPush(ctx, old+"recent:{telegram:200}", recJS)
	pipe.SAdd(ctx, old+"who:{telegram:100}", "case:"+id)
	pipe.ZAdd(ctx, old+"{due}", redis.Z{Score: float64(notified.UnixMilli()), Member: id})
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("write the earlier layout: %v", err)
	}

	st := rediscases.New(rdb, rediscases.Options{Prefix: prefix})
	want := &handoff.Case{
		ID: id, Status: handoff.Open, Customer: bot.Address{Platform: "telegram", Chat: "100"},
		User: "100", Name: "Ann Customer", Lang: "en", Reason: "asked", Claim: "R-7K2Q9M",
		Opened: notified, Notified: notified,
		Threads: []bot.Address{{Platform: "discord", Chat: "desk", Thread: "t1"}},
	}
	for _, tt := range []struct {
		name string
		get  func() (*handoff.Case, error)
	}{
		{"Get", func() (*handoff.Case, error) { return st.Get(ctx, id) }},
		{"OpenFor", func() (*handoff.Case, error) { return st.OpenFor(ctx, "telegram:100") }},
		{"ByThread", func() (*handoff.Case, error) { return st.ByThread(ctx, "discord:desk:t1") }},
	} {
		got, err := tt.get()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %+v\nwant %+v", tt.name, got, want)
		}
	}
	if es, err := st.Transcript(ctx, id); err != nil || len(es) != 1 || es[0].Text != "my kettle broke" {
		t.Fatalf("Transcript = %+v, %v; want the one stored entry", es, err)
	}
	if es, err := st.Recent(ctx, "telegram:200"); err != nil || len(es) != 1 || es[0].Text != "hello" {
		t.Fatalf("Recent = %+v, %v; want the one stored entry", es, err)
	}
	if due, err := st.Due(ctx, notified); err != nil || !slices.Equal(due, []string{id}) {
		t.Fatalf("Due = %v, %v; want [%s]", due, err, id)
	}
	// A change through the new store lands on the same keys.
	if _, err := handoff.Claim(ctx, st, id, handoff.Staff{Platform: "discord", User: "7"}, notified); err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if due, err := st.Due(ctx, notified); err != nil || len(due) != 0 {
		t.Fatalf("Due after Claim = %v, %v; want none", due, err)
	}
	if convs, err := st.Forget(ctx, "telegram:100"); err != nil || !slices.Equal(convs, []string{"telegram:100"}) {
		t.Fatalf("Forget = %v, %v; want [telegram:100]", convs, err)
	}
	for _, k := range []string{old + "case:{" + id + "}", old + "case:{" + id + "}:log", old + "open:{telegram:100}", old + "thread:{discord:desk:t1}", old + "who:{telegram:100}"} {
		if n, err := rdb.Exists(ctx, k).Result(); err != nil || n != 0 {
			t.Fatalf("EXISTS %s after Forget = %d, %v; want 0", k, n, err)
		}
	}
}

// TestKeyNames names every key a case's life writes, so a change of layout (which would
// strand the cases of running deployments) fails here first.
func TestKeyNames(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	st := rediscases.New(rdb, rediscases.Options{Prefix: prefix})
	c := &handoff.Case{
		ID: "k7q2m9xb", Status: handoff.Open, Customer: bot.Address{Platform: "discord", Chat: "dm-9"},
		User: "9", Opened: time.Now(), Notified: time.Now(),
	}
	if err := st.Record(ctx, "discord:dm-9", "discord:9", handoff.Entry{At: time.Now(), Who: handoff.Customer, Text: "hi"}); err != nil {
		t.Fatalf("Record: %v", err)
	}
	if _, _, err := st.Open(ctx, c); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := st.Append(ctx, c.ID, handoff.Entry{At: time.Now(), Who: handoff.Customer, Text: "hi"}); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if _, err := st.Update(ctx, c.ID, func(c *handoff.Case) error {
		c.Threads = []bot.Address{{Platform: "telegram", Chat: "-100", Thread: "7"}}
		return nil
	}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := st.Flush(ctx); err != nil { // the rolling log is written in the background
		t.Fatalf("Flush: %v", err)
	}
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatalf("KEYS: %v", err)
	}
	slices.Sort(keys)
	p := prefix + "handoff:"
	want := []string{
		p + "case:{k7q2m9xb}",
		p + "case:{k7q2m9xb}:log",
		p + "open:{discord:dm-9}",
		p + "recent:{discord:dm-9}",
		p + "thread:{telegram:-100:7}",
		p + "who:{discord:9}",
		p + "who:{discord:dm-9}",
		p + "{due}",
		p + "{idle}",
	}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("keys written:\n got %q\nwant %q", keys, want)
	}
}
