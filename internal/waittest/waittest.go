// Package waittest waits in tests for something another goroutine or process does: one
// helper instead of a hand-rolled polling loop in every test, each with its own timeout
// and message. It waits for an event to happen; it cannot show that something does not
// happen (for that, wait for a later event the fake records, or use testing/synctest).
package waittest

import (
	"testing"
	"time"
)

// Timeout is how long For waits: long enough for a loaded CI machine, short enough that a
// hung test fails with a message rather than at the go test deadline.
const Timeout = 10 * time.Second

// poll is how often For looks: often enough to add no noticeable time to a test.
const poll = 5 * time.Millisecond

// For waits until cond reports true and fails tb, naming what it waited for, if it does
// not within Timeout.
func For(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	if !Until(Timeout, cond) {
		tb.Fatalf("waited %s for %s", Timeout, what)
	}
}

// Until waits up to d for cond to report true and says whether it did. It serves tests
// that must report the failure themselves (from a goroutine, or with more detail).
func Until(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(poll)
	}
	return true
}
