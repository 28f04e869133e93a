package rediscases_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/casetest"
	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestStore runs the handoff.Store conformance suite on the test Redis (REDIS_TEST_URL,
// else a local one): the same suite handoff.MemoryStore passes.
func TestStore(t *testing.T) {
	rdb := redistest.Client(t)
	casetest.Run(t, func(t *testing.T) handoff.Store {
		return rediscases.New(rdb, rediscases.Options{Prefix: redistest.Prefix(t)})
	})
}

// TestClusterStore runs the suite on a Redis Cluster of three masters, where a command or
// transaction naming keys of two slots fails: the hash tags must be right.
func TestClusterStore(t *testing.T) {
	cluster := redistest.StartCluster(t, 3)
	rdb, err := redisstore.NewClient(cluster.URL())
	if err != nil {
		t.Fatalf("cluster client: %v", err)
	}
	t.Cleanup(func() { rdb.Close() })
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("NewClient(%s) = %T, want *redis.ClusterClient", cluster.URL(), rdb)
	}
	// Prefix's cleanup deletes from the shared server; the cluster's keys die with it.
	casetest.Run(t, func(t *testing.T) handoff.Store {
		return rediscases.New(rdb, rediscases.Options{Prefix: redistest.Prefix(t)})
	})
}

// TestDefaultPrefix: with no prefix the keys start with "rb:handoff:", where a deployment
// without REDIS_KEY_PREFIX has kept its cases.
func TestDefaultPrefix(t *testing.T) {
	rdb := redistest.Client(t)
	st := rediscases.New(rdb, rediscases.Options{})
	ctx := context.Background()
	c := casetest.NewCase("telegram", "layout-default", "layout-default")
	t.Cleanup(func() { st.Forget(context.Background(), c.Customer.Key()) })
	if _, _, err := st.Open(ctx, c); err != nil {
		t.Fatalf("Open: %v", err)
	}
	key := "rb:handoff:case:{" + c.ID + "}"
	if n, err := rdb.Exists(ctx, key).Result(); err != nil || n != 1 {
		t.Fatalf("EXISTS %s = %d, %v; want 1", key, n, err)
	}
}
