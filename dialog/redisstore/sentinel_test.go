package redisstore_test

import (
	"context"
	"net"
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

// TestSentinel runs the suite through a Sentinel, then kills the master mid-claim: once
// the Sentinel has promoted the replica, the claim goes on where it was.
func TestSentinel(t *testing.T) {
	master := redistest.Start(t)
	_, port, _ := net.SplitHostPort(master.Addr)
	replica := redistest.Start(t, "--replicaof", "127.0.0.1", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitFor(ctx, t, "replica in sync", func() bool {
		info, err := replica.Client(t).Info(ctx, "replication").Result()
		return err == nil && strings.Contains(info, "master_link_status:up")
	})
	sentinel := redistest.StartSentinel(t, master, "rbmaster")
	waitFor(ctx, t, "Sentinel to see the replica", func() bool {
		r, err := redis.NewSentinelClient(&redis.Options{Addr: sentinel.Addr}).Replicas(ctx, "rbmaster").Result()
		return err == nil && len(r) == 1
	})

	rdb, err := redisstore.NewClient(redistest.SentinelURL("rbmaster", sentinel))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	storetest.Run(t, func(t *testing.T) dialog.Store {
		return redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t)})
	})

	// The bot's configuration: writes are autopipelined when concurrent.
	st := redisstore.New(rdb, redisstore.Options{AutoPipeline: true})
	step := loadgen.StoreStep(st, dialog.NewEngine(policy.Default()), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	const conv = "telegram:99"
	for _, in := range loadgen.Claim[:3] {
		if err := step(ctx, conv, in); err != nil {
			t.Fatal(err)
		}
	}
	// Replication is asynchronous: make sure the replica has the claim before the crash.
	if err := master.Client(t).Do(ctx, "WAIT", 1, 5000).Err(); err != nil {
		t.Fatal(err)
	}
	master.Kill()
	var failures int
	for _, in := range loadgen.Claim[3:7] { // through the read-back
		// While the Sentinel fails over, steps fail and the customer is told to try
		// again; the test tries again as a customer would.
		for err := step(ctx, conv, in); err != nil; err = step(ctx, conv, in) {
			failures++
			if ctx.Err() != nil {
				t.Fatalf("no failover within 30s: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	s, err := st.Load(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome == "" || s.Answers.Receipt != "2026-06-01" || s.Answers.Packaging != policy.PackagingIntact {
		t.Fatalf("after failover the session is %+v, want the claim decided with the answers given before", s)
	}
	t.Logf("%d failed tries during the failover", failures)
}

func waitFor(ctx context.Context, t *testing.T, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		if ctx.Err() != nil {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
