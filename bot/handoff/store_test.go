package handoff_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/casetest"
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

// redisClient connects to the test Redis server: REDIS_TEST_ADDR, by default the local
// one. A test that needs Redis fails when it is down; it never skips.
func redisClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	addr := os.Getenv("REDIS_TEST_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		t.Fatalf("Redis at %s is needed for this test and is unreachable: %v (start redis-server or set REDIS_TEST_ADDR)", addr, err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}
