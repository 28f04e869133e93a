// Package claimstest holds the conformance suites every claims.Store and claims.Outbox
// passes, in the manner of slogtest: RunStore and RunOutbox, and a fake Clock.
package claimstest

import (
	"sync"
	"time"
)

// Clock is a fake clock that moves only when told; safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Epoch is where the suites' clocks start.
var Epoch = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
