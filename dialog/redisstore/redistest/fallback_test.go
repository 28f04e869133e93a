package redistest

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestFallbackServer plays a machine where nothing answers on 127.0.0.1:6379: Client
// starts a server, every later Client shares it (as tests sharing 127.0.0.1:6379 would),
// and Prefix's cleanup finds it.
func TestFallbackServer(t *testing.T) {
	if os.Getenv("REDIS_TEST_URL") != "" {
		t.Setenv("REDIS_TEST_URL", "")
	}
	old := sharedAddr
	sharedAddr = "127.0.0.1:1"
	t.Cleanup(func() { sharedAddr = old })

	rdb := Client(t)
	ctx := context.Background()
	if addr := rdb.(*redis.Client).Options().Addr; addr == DefaultAddr || addr == sharedAddr {
		t.Fatalf("Client talks to %s, want a server of the test's own", addr)
	}
	other := Client(t)
	if a, b := rdb.(*redis.Client).Options().Addr, other.(*redis.Client).Options().Addr; a != b {
		t.Fatalf("two Clients talk to %s and %s, want one shared server", a, b)
	}
	var prefix string
	t.Run("writer", func(t *testing.T) {
		prefix = Prefix(t)
		if err := rdb.Set(ctx, prefix+"k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	})
	if n, err := rdb.Exists(ctx, prefix+"k").Result(); err != nil || n != 0 {
		t.Fatalf("after the test, %s exists: %d, %v; want it deleted", prefix+"k", n, err)
	}
}
