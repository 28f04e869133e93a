package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/loadgen"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/dialog/storetest"
	"github.com/returnsbot/returnsbot/policy"
)

func TestConformance(t *testing.T) {
	rdb := redistest.Client(t)
	storetest.Run(t, func(t *testing.T) dialog.Store {
		return redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t)})
	})
}

func TestConformanceWithoutCache(t *testing.T) {
	rdb := redistest.Client(t)
	storetest.Run(t, func(t *testing.T) dialog.Store {
		return redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t), CacheSize: -1})
	})
}

// TestConformanceAutoPipeline runs the suite with writes autopipelined; its concurrent
// cases take the pipelined path.
func TestConformanceAutoPipeline(t *testing.T) {
	rdb := redistest.Client(t)
	storetest.Run(t, func(t *testing.T) dialog.Store {
		return redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t), AutoPipeline: true})
	})
	storetest.RunShared(t, func(t *testing.T) (dialog.Store, dialog.Store) {
		prefix := redistest.Prefix(t)
		return redisstore.New(redistest.Client(t), redisstore.Options{Prefix: prefix, AutoPipeline: true}),
			redisstore.New(redistest.Client(t), redisstore.Options{Prefix: prefix, AutoPipeline: true})
	})
}

// TestScriptCacheFlushed checks that writes survive Redis forgetting the script (as it
// does on restart), on the direct and the pipelined path: go-redis falls back from
// EVALSHA to EVAL on NOSCRIPT.
func TestScriptCacheFlushed(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	st := redisstore.New(rdb, redisstore.Options{AutoPipeline: true})
	step := loadgen.StoreStep(st, dialog.NewEngine(policy.Default()), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	for round := range 3 {
		if err := rdb.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		res, err := loadgen.Run(ctx, loadgen.Config{Workers: 8, ConversationsPerWorker: 2, Steps: 200, Prefix: "telegram:"}, step)
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors > 0 || res.Steps != 200 {
			t.Fatalf("round %d after SCRIPT FLUSH: %d steps, %d errors (first %v), want 200 and none", round, res.Steps, res.Errors, res.FirstError)
		}
	}
}

// TestReplayedWriteIsIdempotent replays a compare-and-set, as go-redis does when the
// reply to the first try was lost: the replay must succeed without writing again, and a
// different write from the same version must conflict.
func TestReplayedWriteIsIdempotent(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	st := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	ctx := context.Background()
	s := &dialog.Session{State: dialog.StatePackaging}
	if err := st.Save(ctx, "telegram:1", s); err != nil {
		t.Fatal(err)
	}
	key, from := []string{st.Key("telegram:1")}, redisstore.FormatVersion(s.Version)
	write := func(version int64, state string) any {
		t.Helper()
		val := redisstore.Encode(version, []byte(`{"s":"`+state+`","a":{}}`))
		res, err := redisstore.CASScript.Run(ctx, rdb, key, from, redisstore.FormatVersion(version), val, 60000).Result()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if got := write(12345, dialog.StateDefect); got != int64(1) {
		t.Fatalf("first write = %v, want 1", got)
	}
	if got := write(12345, dialog.StateDefect); got != int64(1) {
		t.Fatalf("replayed write = %v, want 1 (already done)", got)
	}
	if got, ok := write(67890, dialog.StateCarrierCheck).(string); !ok || !strings.Contains(got, `"s":"defect"`) {
		t.Fatalf("other write from the same version = %v, want a conflict returning the defect session", got)
	}
	loaded, err := redisstore.New(rdb, redisstore.Options{Prefix: prefix}).Load(ctx, "telegram:1")
	if err != nil {
		t.Fatal(err)
	}
	if loaded.State != dialog.StateDefect || loaded.Version != 12345 {
		t.Fatalf("stored state %q version %d, want %q 12345", loaded.State, loaded.Version, dialog.StateDefect)
	}
}

// TestConformanceShared runs the shared-store suite on two Stores with their own clients
// and caches, as two bot processes have.
func TestConformanceShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (dialog.Store, dialog.Store) {
		prefix := redistest.Prefix(t)
		return redisstore.New(redistest.Client(t), redisstore.Options{Prefix: prefix}),
			redisstore.New(redistest.Client(t), redisstore.Options{Prefix: prefix})
	})
}

// TestCluster runs the suite on a local three-master Redis Cluster, and checks that the
// conversations of the suite spread over the masters while each stays in one slot.
func TestCluster(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	rdb, err := redisstore.NewClient(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("NewClient(%s) = %T, want *redis.ClusterClient", c.URL(), rdb)
	}
	prefix := redistest.Prefix(t)
	storetest.Run(t, func(t *testing.T) dialog.Store {
		return redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	})
	storetest.Run(t, func(t *testing.T) dialog.Store {
		return redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t), AutoPipeline: true})
	})
	storetest.RunShared(t, func(t *testing.T) (dialog.Store, dialog.Store) {
		other, err := redisstore.NewClient(c.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		return redisstore.New(rdb, redisstore.Options{Prefix: prefix}), redisstore.New(other, redisstore.Options{Prefix: prefix})
	})
	// Setting an unreadable value aside renames it within the conversation's slot.
	storetest.RunUnreadable(t, func(t *testing.T) (dialog.Store, dialog.Store, storetest.Spoil) {
		st := redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t)})
		return st, st, func(t *testing.T, key string) {
			t.Helper()
			if err := rdb.Set(context.Background(), st.Key(key), "2:abc:{}", time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})

	ctx := context.Background()
	st := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	masters := map[string]bool{}
	for _, conv := range []string{"telegram:1", "telegram:2", "discord:3:4", "console:alice", "console:bob", "telegram:-1001"} {
		s := &dialog.Session{State: dialog.StatePackaging}
		if err := st.Save(ctx, conv, s); err != nil {
			t.Fatalf("Save %s: %v", conv, err)
		}
		key := st.Key(conv)
		slot, err := rdb.ClusterKeySlot(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := rdb.ClusterKeySlot(ctx, "{"+conv+"}").Result(); slot != want {
			t.Errorf("key %q in slot %d, want the slot of its hash tag {%s}, %d", key, slot, conv, want)
		}
		for _, s := range c.Servers {
			n, err := redis.NewClient(&redis.Options{Addr: s.Addr}).Exists(ctx, key).Result()
			if err == nil && n == 1 {
				masters[s.Addr] = true
			}
		}
	}
	if len(masters) < 2 {
		t.Errorf("6 conversations stored on %d master(s), want them spread over 2 or more", len(masters))
	}
	// The keys that hold a conversation are checked in the save's script: in its slot.
	held := redisstore.New(rdb, redisstore.Options{Prefix: prefix, Holds: func(conv string) []string {
		return []string{prefix + "handoff:open:{" + conv + "}", prefix + "handoff:comment:{" + conv + "}"}
	}})
	for _, conv := range []string{"telegram:1", "discord:3:4", "telegram:-1001"} {
		s, err := held.Load(ctx, conv)
		if err != nil {
			t.Fatal(err)
		}
		if err := held.SaveUnlessHeld(ctx, conv, s); err != nil {
			t.Errorf("SaveUnlessHeld %s on the cluster: %v", conv, err)
		}
	}
}

// TestOneRoundTripPerStep checks the promise of the package: after the first read of a
// conversation, a dialog step costs Redis one command, the compare-and-set.
func TestOneRoundTripPerStep(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	trips := &redistest.Trips{}
	rdb.AddHook(trips)
	st := redisstore.New(rdb, redisstore.Options{})
	eng := dialog.NewEngine(policy.Default())
	step := loadgen.StoreStep(st, eng, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	if err := step(ctx, "console:alice", loadgen.Claim[0]); err != nil {
		t.Fatal(err)
	}
	trips.Take()
	for _, in := range loadgen.Claim[1:] {
		if err := step(ctx, "console:alice", in); err != nil {
			t.Fatal(err)
		}
	}
	steps := int64(len(loadgen.Claim) - 1)
	if got := trips.Take(); len(got) != int(steps) {
		t.Fatalf("%d steps after the first cost the round trips %q, want %d", steps, got, steps)
	}
}

// TestStaleAfterDeleteConflicts is the ABA case: an instance holding a session from
// before another deleted and re-created it must not overwrite the new one, even if a
// version counter would have come back to the same number.
func TestStaleAfterDeleteConflicts(t *testing.T) {
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	a := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	b := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	ctx := context.Background()
	const key = "telegram:7"
	if err := a.Save(ctx, key, &dialog.Session{State: dialog.StatePackaging}); err != nil {
		t.Fatal(err)
	}
	stale, err := a.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(ctx, key, &dialog.Session{State: dialog.StateReceiptDate}); err != nil {
		t.Fatal(err)
	}
	stale.State = dialog.StateDecided
	if err := a.Save(ctx, key, stale); !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("Save of a session loaded before Delete: error = %v, want ErrConflict", err)
	}
	got, err := b.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != dialog.StateReceiptDate {
		t.Fatalf("state = %q, want %q", got.State, dialog.StateReceiptDate)
	}
}

func TestTTL(t *testing.T) {
	rdb := redistest.Client(t)
	st := redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t), TTL: time.Hour})
	ctx := context.Background()
	if err := st.Save(ctx, "telegram:1", &dialog.Session{State: dialog.StatePackaging}); err != nil {
		t.Fatal(err)
	}
	ttl, err := rdb.PTTL(ctx, st.Key("telegram:1")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("PTTL = %v, want just under 1h", ttl)
	}
}

// TestUnreadableValues checks that a value the store did not write, or one of another
// schema, is an error that says so and wraps dialog.ErrUnreadable, never a silently reset
// conversation or a "store unavailable"; the value is kept, renamed, for 7 days.
func TestUnreadableValues(t *testing.T) {
	rdb := redistest.Client(t)
	st := redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t)})
	ctx := context.Background()
	for _, tt := range []struct{ name, val, want string }{
		{"garbage", "hello", "no schema"},
		{"future schema", "2:abc:{}", `schema "2"`},
		{"bad version", "1:!!:{}", "bad version"},
		{"bad json", "1:abc:{", "stored session unreadable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conv := "console:" + tt.name
			if err := rdb.Set(ctx, st.Key(conv), tt.val, time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			before := time.Now().Unix()
			_, err := st.Load(ctx, conv)
			after := time.Now().Unix()
			if !errors.Is(err, redisstore.ErrCorrupt) || !errors.Is(err, dialog.ErrUnreadable) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), conv) {
				t.Fatalf("Load of %q: error = %v, want ErrCorrupt and dialog.ErrUnreadable saying %q and naming %s", tt.val, err, tt.want, conv)
			}
			if strings.Contains(err.Error(), tt.val) && tt.val != "hello" {
				t.Errorf("error %q carries the stored value", err)
			}
			var aside string
			for unix := before; unix <= after; unix++ {
				if n, _ := rdb.Exists(ctx, st.UnreadableKey(conv, unix)).Result(); n == 1 {
					aside = st.UnreadableKey(conv, unix)
				}
			}
			if aside == "" {
				t.Fatalf("no %s key holds the unreadable value", st.UnreadableKey(conv, before))
			}
			if got, _ := rdb.Get(ctx, aside).Result(); got != tt.val {
				t.Errorf("%s holds %q, want the unreadable value %q", aside, got, tt.val)
			}
			if ttl, _ := rdb.PTTL(ctx, aside).Result(); ttl <= 7*24*time.Hour-time.Minute || ttl > 7*24*time.Hour {
				t.Errorf("PTTL of %s = %v, want just under 7 days", aside, ttl)
			}
			if n, _ := rdb.Exists(ctx, st.Key(conv)).Result(); n != 0 {
				t.Errorf("the session key %s still exists after the value was set aside", st.Key(conv))
			}
		})
	}
}

func TestConformanceUnreadable(t *testing.T) {
	for _, opt := range []redisstore.Options{{}, {CacheSize: -1}, {AutoPipeline: true}} {
		t.Run(fmt.Sprintf("cache=%d,autopipeline=%v", opt.CacheSize, opt.AutoPipeline), func(t *testing.T) {
			storetest.RunUnreadable(t, func(t *testing.T) (dialog.Store, dialog.Store, storetest.Spoil) {
				opt.Prefix = redistest.Prefix(t)
				a, b := redisstore.New(redistest.Client(t), opt), redisstore.New(redistest.Client(t), opt)
				rdb := redistest.Client(t)
				return a, b, func(t *testing.T, key string) {
					t.Helper()
					if err := rdb.Set(context.Background(), a.Key(key), "2:abc:{\"future\":1}", time.Minute).Err(); err != nil {
						t.Fatal(err)
					}
				}
			})
		})
	}
}

// TestSessionSize checks the memory budget of a session: a whole claim, decided, with
// its answers, in 512 bytes of Redis memory.
func TestSessionSize(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	st := redisstore.New(rdb, redisstore.Options{})
	eng := dialog.NewEngine(policy.Default())
	step := loadgen.StoreStep(st, eng, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	const conv = "telegram:1234567890"
	for _, in := range loadgen.Claim {
		if err := step(ctx, conv, in); err != nil {
			t.Fatal(err)
		}
	}
	s, err := st.Load(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome == "" {
		t.Fatalf("the claim was not decided: state %q", s.State)
	}
	// A full ring of Telegram update ids, as bot.Service records them.
	for id := 987654321; id < 987654321+8; id++ {
		s.MarkSeen(strconv.Itoa(id))
	}
	if err := st.Save(ctx, conv, s); err != nil {
		t.Fatal(err)
	}
	n, err := rdb.MemoryUsage(ctx, st.Key(conv)).Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("decided session: MEMORY USAGE %d bytes", n)
	if n > 512 {
		t.Fatalf("MEMORY USAGE of a decided session = %d bytes, want at most 512", n)
	}
}

// TestStoppedRedis checks that a stopped Redis fails a step quickly with an error saying
// what failed, and that once Redis is back the conversation goes on where it was.
func TestStoppedRedis(t *testing.T) {
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	rdb := srv.Client(t)
	st := redisstore.New(rdb, redisstore.Options{})
	eng := dialog.NewEngine(policy.Default())
	step := loadgen.StoreStep(st, eng, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	const conv = "telegram:5"
	for _, in := range loadgen.Claim[:3] {
		if err := step(ctx, conv, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping with Redis up: %v", err)
	}
	srv.Kill()
	if err := st.Ping(ctx); err == nil || !strings.Contains(err.Error(), "ping session store") {
		t.Fatalf("Ping with Redis stopped: %v, want an error saying the ping failed", err)
	}
	done := make(chan error, 1)
	go func() { done <- step(ctx, conv, loadgen.Claim[3]) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "save session "+conv) {
			t.Fatalf("step with Redis stopped: error = %v, want one saying save session %s failed", err, conv)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("step with Redis stopped did not return within 15s")
	}
	srv.Restart()
	for _, in := range loadgen.Claim[3:7] { // through the read-back
		if err := step(ctx, conv, in); err != nil {
			t.Fatalf("step after restart: %v", err)
		}
	}
	s, err := st.Load(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome == "" || s.Answers.Packaging != policy.PackagingIntact || s.Answers.Details == "" {
		t.Fatalf("after the restart the session is %+v, want the claim decided with every answer kept", s)
	}
}

// TestPipelinedWritesSurviveRestart kills Redis under concurrent, pipelined load: steps
// fail quickly while it is down, and succeed again once it is back.
func TestPipelinedWritesSurviveRestart(t *testing.T) {
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	st := redisstore.New(srv.Client(t), redisstore.Options{AutoPipeline: true})
	step := loadgen.StoreStep(st, dialog.NewEngine(policy.Default()), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	cfg := loadgen.Config{Workers: 8, ConversationsPerWorker: 2, Steps: 400, Prefix: "telegram:"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run := func(phase string) loadgen.Result {
		t.Helper()
		res, err := loadgen.Run(ctx, cfg, step)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v", phase, res)
		return res
	}
	if res := run("before"); res.Errors != 0 {
		t.Fatalf("before the restart: %d errors, first %v", res.Errors, res.FirstError)
	}
	srv.Kill()
	cfg.Steps = 40
	if res := run("down"); res.Steps != 0 || res.Errors != 40 || ctx.Err() != nil {
		t.Fatalf("with Redis down: %d steps succeeded, %d failed (context %v); want all 40 to fail, quickly", res.Steps, res.Errors, ctx.Err())
	}
	srv.Restart()
	// After many failed dials go-redis fails fast and probes Redis once a second, so the
	// first steps after the restart may still fail: customers are told to try again.
	back := time.Now()
	for step(ctx, "telegram:probe", loadgen.Claim[0]) != nil {
		if time.Since(back) > 10*time.Second {
			t.Fatal("steps still fail 10s after Redis is back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("steps succeed again %v after Redis is back", time.Since(back).Round(time.Millisecond))
	cfg.Steps = 400
	if res := run("after"); res.Errors != 0 {
		t.Fatalf("after the restart: %d errors, first %v", res.Errors, res.FirstError)
	}
	// Every conversation reads back whole, from Redis rather than the store's memory.
	fresh := redisstore.New(srv.Client(t), redisstore.Options{CacheSize: -1})
	for w := range cfg.Workers {
		for c := range cfg.ConversationsPerWorker {
			conv := loadgen.Conversation(cfg, w, c)
			if s, err := fresh.Load(ctx, conv); err != nil || s.Version == 0 || s.State == "" {
				t.Fatalf("conversation %s after the restart: %+v, %v; want a stored session", conv, s, err)
			}
		}
	}
}
