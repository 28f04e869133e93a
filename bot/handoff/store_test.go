package handoff_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/casetest"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

func TestMemoryStore(t *testing.T) {
	casetest.Run(t, func(*testing.T) handoff.Store { return handoff.NewMemoryStore() })
}

func TestRedisStore(t *testing.T) {
	rdb := redisClient(t)
	casetest.Run(t, func(t *testing.T) handoff.Store {
		return handoff.NewRedisStore(rdb, casetest.Prefix(t, rdb))
	})
}

// redisClient returns a client of the test Redis (see redistest: REDIS_TEST_URL, else the
// local one). A test that needs Redis fails when it cannot have one; it never skips.
func redisClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	return redistest.Client(t)
}

// TestRedisClusterStore runs the suite on a Redis Cluster of three masters, where a
// command or transaction naming keys of two slots fails: the hash tags must be right.
func TestRedisClusterStore(t *testing.T) {
	cluster := redistest.StartCluster(t, 3)
	rdb, err := redisstore.NewClient(cluster.URL())
	if err != nil {
		t.Fatalf("cluster client: %v", err)
	}
	t.Cleanup(func() { rdb.Close() })
	casetest.Run(t, func(t *testing.T) handoff.Store {
		return handoff.NewRedisStore(rdb, casetest.Prefix(t, rdb))
	})
}
