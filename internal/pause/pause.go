// Package pause is the one context-aware wait of the bot: between retries, polls and
// reconnects, in the runtime, the adapters, the stores and the webhook deliverer.
package pause

import (
	"context"
	"time"
)

// For waits d, or until ctx is done, and then returns ctx's error.
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
