package redistest

import (
	"context"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Trips records the round trips a client makes, for tests that hold code to a number of
// them: add it with rdb.AddHook(trips). A command sent alone is its name ("evalsha"); a
// pipeline is its commands' names joined by "+" ("zadd+pexpire"). The handshake of a new
// connection (HELLO, CLIENT) is left out.
type Trips struct {
	mu    sync.Mutex
	trips []string
}

// Take returns the round trips recorded since the last Take, oldest first, and forgets them.
func (tr *Trips) Take() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	t := tr.trips
	tr.trips = nil
	return t
}

func (tr *Trips) record(cmds []redis.Cmder) {
	names := make([]string, 0, len(cmds))
	for _, c := range cmds {
		if n := c.Name(); n != "hello" && n != "client" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return
	}
	tr.mu.Lock()
	tr.trips = append(tr.trips, strings.Join(names, "+"))
	tr.mu.Unlock()
}

// DialHook implements redis.Hook.
func (tr *Trips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (tr *Trips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		tr.record([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook.
func (tr *Trips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		tr.record(cmds)
		return next(ctx, cmds)
	}
}
