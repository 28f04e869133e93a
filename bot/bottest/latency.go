package bottest

import (
	"slices"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog/redisstore/loadgen"
)

// Fake is what ReplyLatencies needs of a fake platform server (telegramtest,
// discordtest): a customer's message sent, and the count of the bot's replies to a chat
// read while the fake's state is locked inside WaitFor.
type Fake struct {
	// Send sends the message of chat number i (0 to chats-1).
	Send func(i int)
	// Replies returns how many messages the bot has sent to chat i; WaitFor calls it.
	Replies func(i int) int
	// WaitFor waits until cond, called with the fake's state locked, holds, or timeout
	// passes (false).
	WaitFor func(timeout time.Duration, cond func() bool) bool
}

// ReplyLatencies measures what customers wait for the bot's answer, end to end: chats
// customers at once, each sending a message, waiting for the reply and sending the next,
// perChat messages each. Each message must draw one reply. It returns the latencies,
// sorted, from a message sent to its reply seen on the fake; one goroutine watches every
// chat, so the measurement adds no herd of waiters to the load.
func ReplyLatencies(tb testing.TB, f Fake, chats, perChat int, timeout time.Duration) []time.Duration {
	tb.Helper()
	want := make([]int, chats)
	sent := make([]time.Time, chats)
	left := make([]int, chats)
	f.WaitFor(timeout, func() bool {
		for i := range want {
			want[i] = f.Replies(i) + 1
		}
		return true
	})
	out := make([]time.Duration, 0, chats*perChat)
	waiting := make([]int, 0, chats)
	for i := range chats {
		left[i] = perChat
		sent[i] = time.Now()
		f.Send(i)
		waiting = append(waiting, i)
	}
	var ready []int
	for len(waiting) > 0 {
		ready = ready[:0]
		ok := f.WaitFor(timeout, func() bool {
			now := time.Now()
			waiting = slices.DeleteFunc(waiting, func(i int) bool {
				n := f.Replies(i)
				if n < want[i] {
					return false
				}
				out = append(out, now.Sub(sent[i]))
				want[i] = n + 1
				ready = append(ready, i)
				return true
			})
			return len(ready) > 0
		})
		if !ok {
			tb.Fatalf("%d of %d chats waited %v for a reply", len(waiting), chats, timeout)
		}
		for _, i := range ready {
			if left[i]--; left[i] > 0 {
				sent[i] = time.Now()
				f.Send(i)
				waiting = append(waiting, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

// ReportLatencies reports the p50 and p99 of sorted latencies in milliseconds, and the
// messages a second that took elapsed.
func ReportLatencies(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(loadgen.Percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(loadgen.Percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
}

// PerChat spreads b.N messages over chats, at least min each.
func PerChat(n, chats, min int) int { return max(min, (n+chats-1)/chats) }
