// Package casetest is a conformance suite for handoff.Store implementations, in the manner
// of slogtest: the memory and the Redis store run the same tests, so the Desk can rely on
// the same behaviour from both.
package casetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
)

// Run tests the store that newStore returns, once per subtest. The store must hold no
// cases; on a shared server give each one its own key prefix.
func Run(t *testing.T, newStore func(t *testing.T) handoff.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, st handoff.Store)
	}{
		{"OpenAndGet", testOpenAndGet},
		{"OpenTwiceKeepsTheFirst", testOpenTwice},
		{"OpenAfterEndOpensNew", testOpenAfterEnd},
		{"GetMissing", testGetMissing},
		{"ByThread", testByThread},
		{"UpdateErrorSavesNothing", testUpdateErrorSavesNothing},
		{"ConcurrentUpdatesLoseNothing", testConcurrentUpdates},
		{"ExclusiveClaim", testExclusiveClaim},
		{"ExclusiveEnd", testExclusiveEnd},
		{"TranscriptBounded", testTranscriptBounded},
		{"RecentBounded", testRecentBounded},
		{"ClosedKeepsTranscript", testClosedKeepsTranscript},
		{"Due", testDue},
		{"Idle", testIdle},
		{"AwaitComment", testAwaitComment},
		{"Arrival", testArrival},
		{"Forget", testForget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newStore(t)) })
	}
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// NewCase returns an open case of the customer chat, with a fresh id.
func NewCase(platform, chat, user string) *handoff.Case {
	return &handoff.Case{
		ID: handoff.NewID(), Status: handoff.Open,
		Customer: bot.Address{Platform: platform, Chat: chat}, User: user, Name: "Ann Customer",
		Reason: "asked", Opened: t0, Notified: t0,
	}
}

func mustOpen(t *testing.T, st handoff.Store, c *handoff.Case) *handoff.Case {
	t.Helper()
	got, created, err := st.Open(context.Background(), c)
	if err != nil {
		t.Fatalf("Open(%s): %v", c.ID, err)
	}
	if !created {
		t.Fatalf("Open(%s) found case %s already open, want a new case", c.ID, got.ID)
	}
	return got
}

func testOpenAndGet(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	c := NewCase("telegram", "100", "100")
	c.Threads = []bot.Address{{Platform: "discord", Chat: "desk", Thread: "t1"}}
	mustOpen(t, st, c)
	got, err := st.Get(ctx, c.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("Get after Open:\n got %+v\nwant %+v", got, c)
	}
	open, err := st.OpenFor(ctx, c.Customer.Key())
	if err != nil || open.ID != c.ID {
		t.Fatalf("OpenFor = %v, %v; want case %s", open, err, c.ID)
	}
	if _, err := st.OpenFor(ctx, "telegram:101"); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("OpenFor other customer: error = %v, want ErrNotFound", err)
	}
}

func testOpenTwice(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	first := mustOpen(t, st, NewCase("telegram", "100", "100"))
	got, created, err := st.Open(ctx, NewCase("telegram", "100", "100"))
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if created || got.ID != first.ID {
		t.Fatalf("second Open = case %s created %v, want the first case %s, not created", got.ID, created, first.ID)
	}
	// Many instances opening at once agree on one case.
	var wg sync.WaitGroup
	ids := make(chan string, 16)
	for range 16 {
		wg.Go(func() {
			got, _, err := st.Open(ctx, NewCase("discord", "dm-7", "7"))
			if err != nil {
				t.Errorf("concurrent Open: %v", err)
				return
			}
			ids <- got.ID
		})
	}
	wg.Wait()
	close(ids)
	distinct := map[string]bool{}
	for id := range ids {
		distinct[id] = true
	}
	if len(distinct) != 1 {
		t.Fatalf("concurrent Opens of one conversation returned %d cases, want 1", len(distinct))
	}
}

func testOpenAfterEnd(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	first := mustOpen(t, st, NewCase("telegram", "100", "100"))
	if _, err := handoff.End(ctx, st, first.ID, handoff.Closed, staff("1"), t0); err != nil {
		t.Fatalf("End: %v", err)
	}
	if _, err := st.OpenFor(ctx, first.Customer.Key()); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("OpenFor after End: error = %v, want ErrNotFound", err)
	}
	second := mustOpen(t, st, NewCase("telegram", "100", "100"))
	if second.ID == first.ID {
		t.Fatalf("Open after End returned the ended case %s", first.ID)
	}
}

func testGetMissing(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	if _, err := st.Get(ctx, "nosuchcase"); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("Get missing: error = %v, want ErrNotFound", err)
	}
	_, err := st.Update(ctx, "nosuchcase", func(*handoff.Case) error { return nil })
	if !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("Update missing: error = %v, want ErrNotFound", err)
	}
}

func testByThread(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	c := mustOpen(t, st, NewCase("telegram", "100", "100"))
	tg := bot.Address{Platform: "telegram", Chat: "-100", Thread: "55"}
	dc := bot.Address{Platform: "discord", Chat: "desk", Thread: "999"}
	if _, err := st.ByThread(ctx, tg.Key()); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("ByThread before threads: error = %v, want ErrNotFound", err)
	}
	if _, err := st.Update(ctx, c.ID, func(c *handoff.Case) error {
		c.Threads = append(c.Threads, tg, dc)
		return nil
	}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	for _, th := range []bot.Address{tg, dc} {
		got, err := st.ByThread(ctx, th.Key())
		if err != nil || got.ID != c.ID {
			t.Fatalf("ByThread(%s) = %v, %v; want case %s", th, got, err, c.ID)
		}
	}
	if _, err := st.ByThread(ctx, "telegram:-100:56"); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("ByThread of another topic: error = %v, want ErrNotFound", err)
	}
}

func testUpdateErrorSavesNothing(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	c := mustOpen(t, st, NewCase("telegram", "100", "100"))
	boom := errors.New("boom")
	got, err := st.Update(ctx, c.ID, func(c *handoff.Case) error {
		c.Name = "changed"
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want the error fn returned", err)
	}
	if got == nil || got.ID != c.ID {
		t.Fatalf("Update returned %+v with fn's error, want the case", got)
	}
	again, _ := st.Get(ctx, c.ID)
	if again.Name != c.Name {
		t.Fatalf("after a failed Update Name = %q, want %q", again.Name, c.Name)
	}
}

func testConcurrentUpdates(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	c := mustOpen(t, st, NewCase("telegram", "100", "100"))
	const n = 24
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := st.Update(ctx, c.ID, func(c *handoff.Case) error {
				k, _ := strconv.Atoi(c.Name)
				c.Name = strconv.Itoa(k + 1)
				return nil
			})
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		})
	}
	wg.Wait()
	got, _ := st.Get(ctx, c.ID)
	// Name started as "Ann Customer", which Atoi reads as 0.
	if got.Name != strconv.Itoa(n) {
		t.Fatalf("after %d concurrent increments Name = %q, want %d", n, got.Name, n)
	}
}

func staff(user string) handoff.Staff {
	return handoff.Staff{Platform: "discord", User: user, Name: "Staff " + user}
}

func testExclusiveClaim(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	c := mustOpen(t, st, NewCase("telegram", "100", "100"))
	const n = 32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = handoff.Claim(ctx, st, c.ID, staff(strconv.Itoa(i)), t0)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("staff %d and %d both claimed the case", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, handoff.ErrClaimed):
			t.Fatalf("losing claim error = %v, want ErrClaimed", err)
		}
	}
	if winner < 0 {
		t.Fatalf("no claim of %d won", n)
	}
	got, _ := st.Get(ctx, c.ID)
	if got.Claimed == nil || got.Claimed.User != strconv.Itoa(winner) {
		t.Fatalf("case claimed by %+v, want the winner %d", got.Claimed, winner)
	}
	if _, err := handoff.Claim(ctx, st, c.ID, staff(strconv.Itoa(winner)), t0); !errors.Is(err, handoff.ErrYours) {
		t.Fatalf("winner claiming again: error = %v, want ErrYours", err)
	}
	// A claimed case is the claimer's to end.
	other := staff(strconv.Itoa((winner + 1) % n))
	if _, err := handoff.End(ctx, st, c.ID, handoff.Closed, other, t0); !errors.Is(err, handoff.ErrClaimed) {
		t.Fatalf("End by a non-claimer: error = %v, want ErrClaimed", err)
	}
}

func testExclusiveEnd(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	c := mustOpen(t, st, NewCase("telegram", "100", "100"))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			status := handoff.Closed
			if i%2 == 0 {
				status = handoff.Returned
			}
			_, errs[i] = handoff.End(ctx, st, c.ID, status, staff("1"), t0)
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, handoff.ErrEnded):
			t.Fatalf("losing End error = %v, want ErrEnded", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent Ends succeeded, want 1", wins)
	}
	if _, err := handoff.Claim(ctx, st, c.ID, staff("2"), t0); !errors.Is(err, handoff.ErrEnded) {
		t.Fatalf("Claim of an ended case: error = %v, want ErrEnded", err)
	}
}

func entries(from, n int, who handoff.Who) []handoff.Entry {
	es := make([]handoff.Entry, n)
	for i := range es {
		es[i] = handoff.Entry{At: t0.Add(time.Duration(from+i) * time.Second), Who: who, Text: fmt.Sprintf("line %d", from+i)}
	}
	return es
}

func testTranscriptBounded(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	c := mustOpen(t, st, NewCase("telegram", "100", "100"))
	if err := st.Append(ctx, c.ID, entries(0, 10, handoff.Customer)...); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := st.Append(ctx, c.ID, entries(10, handoff.TranscriptLimit, handoff.StaffWho)...); err != nil {
		t.Fatalf("Append: %v", err)
	}
	got, err := st.Transcript(ctx, c.ID)
	if err != nil {
		t.Fatalf("Transcript: %v", err)
	}
	if len(got) != handoff.TranscriptLimit {
		t.Fatalf("Transcript has %d entries, want the last %d", len(got), handoff.TranscriptLimit)
	}
	want := entries(10, 1, handoff.StaffWho)[0]
	if !reflect.DeepEqual(got[0], want) {
		t.Fatalf("oldest entry kept = %+v, want %+v", got[0], want)
	}
}

func testRecentBounded(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	if err := st.Record(ctx, "telegram:100", "telegram:100", entries(0, handoff.RecentLimit+3, handoff.Bot)...); err != nil {
		t.Fatalf("Record: %v", err)
	}
	got, err := st.Recent(ctx, "telegram:100")
	if err != nil {
		t.Fatalf("Recent: %v", err)
	}
	if len(got) != handoff.RecentLimit || got[0].Text != "line 3" {
		t.Fatalf("Recent = %d entries from %q, want %d from %q", len(got), first(got), handoff.RecentLimit, "line 3")
	}
	other, _ := st.Recent(ctx, "telegram:101")
	if len(other) != 0 {
		t.Fatalf("Recent of another conversation = %d entries, want 0", len(other))
	}
}

func first(es []handoff.Entry) string {
	if len(es) == 0 {
		return ""
	}
	return es[0].Text
}

func testClosedKeepsTranscript(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	c := mustOpen(t, st, NewCase("telegram", "100", "100"))
	if err := st.Append(ctx, c.ID, entries(0, 3, handoff.Customer)...); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if _, err := handoff.End(ctx, st, c.ID, handoff.Closed, staff("1"), t0.Add(time.Hour)); err != nil {
		t.Fatalf("End: %v", err)
	}
	got, err := st.Get(ctx, c.ID)
	if err != nil {
		t.Fatalf("Get closed case: %v", err)
	}
	if got.Status != handoff.Closed || !got.Ended.Equal(t0.Add(time.Hour)) || got.EndedBy == nil {
		t.Fatalf("closed case = status %q ended %v by %v, want closed at %v", got.Status, got.Ended, got.EndedBy, t0.Add(time.Hour))
	}
	es, err := st.Transcript(ctx, c.ID)
	if err != nil || len(es) != 3 {
		t.Fatalf("Transcript of closed case = %d entries, %v; want 3", len(es), err)
	}
}

func testDue(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	a := mustOpen(t, st, NewCase("telegram", "100", "100"))
	b := NewCase("discord", "dm-2", "2")
	b.Notified = t0.Add(time.Minute)
	mustOpen(t, st, b)
	check := func(before time.Time, want ...string) {
		t.Helper()
		got, err := st.Due(ctx, before)
		if err != nil {
			t.Fatalf("Due: %v", err)
		}
		if len(got) == 0 {
			got = nil
		}
		if len(want) == 0 {
			want = nil
		}
		if !sameSet(got, want) {
			t.Fatalf("Due(%v) = %v, want %v", before.Format(time.TimeOnly), got, want)
		}
	}
	check(t0.Add(-time.Second))
	check(t0, a.ID)
	check(t0.Add(time.Hour), a.ID, b.ID)
	if _, err := st.Update(ctx, a.ID, func(c *handoff.Case) error { c.Notified = t0.Add(2 * time.Hour); return nil }); err != nil {
		t.Fatalf("Update: %v", err)
	}
	check(t0.Add(time.Hour), b.ID)
	if _, err := handoff.Claim(ctx, st, b.ID, staff("1"), t0); err != nil {
		t.Fatalf("Claim: %v", err)
	}
	check(t0.Add(3*time.Hour), a.ID)
	if _, err := handoff.End(ctx, st, a.ID, handoff.Closed, staff("1"), t0); err != nil {
		t.Fatalf("End: %v", err)
	}
	check(t0.Add(3 * time.Hour))
}

func testIdle(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	a := mustOpen(t, st, NewCase("telegram", "100", "100"))
	b := NewCase("discord", "dm-2", "2")
	b.Opened = t0.Add(time.Minute)
	mustOpen(t, st, b)
	check := func(before time.Time, limit int, want ...string) {
		t.Helper()
		got, err := st.Idle(ctx, before, limit)
		if err != nil {
			t.Fatalf("Idle: %v", err)
		}
		if len(got) == 0 {
			got = nil
		}
		if len(want) == 0 {
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Idle(%v, %d) = %v, want %v", before.Format(time.TimeOnly), limit, got, want)
		}
	}
	check(t0.Add(-time.Second), 10)
	check(t0, 10, a.ID)
	check(t0.Add(time.Hour), 10, a.ID, b.ID)
	check(t0.Add(time.Hour), 1, a.ID)
	// A message makes a active again: b is now the idler.
	if _, err := st.Update(ctx, a.ID, func(c *handoff.Case) error { c.Active = t0.Add(2 * time.Hour); return nil }); err != nil {
		t.Fatalf("Update: %v", err)
	}
	check(t0.Add(time.Hour), 10, b.ID)
	check(t0.Add(3*time.Hour), 10, b.ID, a.ID)
	if _, err := handoff.End(ctx, st, b.ID, handoff.Closed, staff("1"), t0); err != nil {
		t.Fatalf("End: %v", err)
	}
	check(t0.Add(3*time.Hour), 10, a.ID)
}

func testAwaitComment(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	if id, err := st.TakeComment(ctx, "telegram:1"); id != "" || err != nil {
		t.Fatalf("TakeComment with none awaited = %q, %v", id, err)
	}
	if err := st.AwaitComment(ctx, "telegram:1", "abcdefgh", time.Minute); err != nil {
		t.Fatalf("AwaitComment: %v", err)
	}
	if id, err := st.TakeComment(ctx, "telegram:2"); id != "" || err != nil {
		t.Fatalf("TakeComment of another conversation = %q, %v", id, err)
	}
	if id, err := st.TakeComment(ctx, "telegram:1"); id != "abcdefgh" || err != nil {
		t.Fatalf("TakeComment = %q, %v; want abcdefgh", id, err)
	}
	if id, err := st.TakeComment(ctx, "telegram:1"); id != "" || err != nil {
		t.Fatalf("TakeComment taken twice = %q, %v; want none the second time", id, err)
	}
	if err := st.AwaitComment(ctx, "telegram:1", "abcdefgh", -time.Second); err != nil {
		t.Fatalf("AwaitComment: %v", err)
	}
	if id, err := st.TakeComment(ctx, "telegram:1"); id != "" || err != nil {
		t.Fatalf("TakeComment of a lapsed one = %q, %v; want none", id, err)
	}
}

// testArrival: Arrival finds the open case and leaves the awaited comment; with no open
// case it takes the comment only when asked to, once; an ended case is no open case.
func testArrival(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	conv := "telegram:7"
	if c, id, err := st.Arrival(ctx, conv, true); c != nil || id != "" || !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("Arrival with nothing stored = %v, %q, %v; want ErrNotFound", c, id, err)
	}
	if err := st.AwaitComment(ctx, conv, "abcdefgh", time.Minute); err != nil {
		t.Fatalf("AwaitComment: %v", err)
	}
	if _, id, err := st.Arrival(ctx, conv, false); id != "" || !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("Arrival without take = %q, %v; want no comment, ErrNotFound", id, err)
	}
	c := NewCase("telegram", "7", "7")
	if _, _, err := st.Open(ctx, c); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got, id, err := st.Arrival(ctx, conv, true); err != nil || got == nil || got.ID != c.ID || id != "" {
		t.Fatalf("Arrival with an open case = %v, %q, %v; want the case and no comment", got, id, err)
	}
	if _, err := handoff.End(ctx, st, c.ID, handoff.Closed, handoff.Staff{Platform: "telegram", User: "s"}, t0); err != nil {
		t.Fatalf("End: %v", err)
	}
	if got, id, err := st.Arrival(ctx, conv, true); got != nil || id != "abcdefgh" || !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("Arrival after the close = %v, %q, %v; want the comment, ErrNotFound", got, id, err)
	}
	if _, id, err := st.Arrival(ctx, conv, true); id != "" || !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("Arrival taken twice = %q, %v; want no comment the second time", id, err)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func testForget(t *testing.T, st handoff.Store) {
	ctx := context.Background()
	// A Discord customer: the conversation key (the DM channel) differs from the user id.
	gone := NewCase("discord", "dm-9", "9")
	gone.Threads = []bot.Address{{Platform: "telegram", Chat: "-100", Thread: "7"}}
	mustOpen(t, st, gone)
	if _, err := handoff.End(ctx, st, gone.ID, handoff.Closed, staff("1"), t0); err != nil {
		t.Fatalf("End: %v", err)
	}
	again := mustOpen(t, st, NewCase("discord", "dm-9", "9"))
	if err := st.Append(ctx, gone.ID, entries(0, 2, handoff.Customer)...); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := st.Record(ctx, "discord:dm-9", "discord:9", entries(0, 2, handoff.Customer)...); err != nil {
		t.Fatalf("Record: %v", err)
	}
	kept := mustOpen(t, st, NewCase("telegram", "100", "100"))
	if err := st.Record(ctx, "telegram:100", "telegram:100", entries(0, 2, handoff.Customer)...); err != nil {
		t.Fatalf("Record: %v", err)
	}

	convs, err := st.Forget(ctx, "discord:9")
	if err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if !reflect.DeepEqual(convs, []string{"discord:dm-9"}) {
		t.Fatalf("Forget returned conversations %v, want [discord:dm-9]", convs)
	}
	for _, id := range []string{gone.ID, again.ID} {
		if _, err := st.Get(ctx, id); !errors.Is(err, handoff.ErrNotFound) {
			t.Fatalf("Get(%s) after Forget: error = %v, want ErrNotFound", id, err)
		}
	}
	if es, _ := st.Transcript(ctx, gone.ID); len(es) != 0 {
		t.Fatalf("transcript after Forget has %d entries, want 0", len(es))
	}
	if es, _ := st.Recent(ctx, "discord:dm-9"); len(es) != 0 {
		t.Fatalf("rolling log after Forget has %d entries, want 0", len(es))
	}
	if _, err := st.OpenFor(ctx, "discord:dm-9"); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("OpenFor after Forget: error = %v, want ErrNotFound", err)
	}
	if _, err := st.ByThread(ctx, gone.Threads[0].Key()); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("ByThread after Forget: error = %v, want ErrNotFound", err)
	}
	if due, _ := st.Due(ctx, t0.Add(time.Hour)); !sameSet(due, []string{kept.ID}) {
		t.Fatalf("Due after Forget = %v, want only the other customer's %s", due, kept.ID)
	}
	if _, err := st.Get(ctx, kept.ID); err != nil {
		t.Fatalf("another customer's case after Forget: %v", err)
	}
	if es, _ := st.Recent(ctx, "telegram:100"); len(es) != 2 {
		t.Fatalf("another customer's log after Forget has %d entries, want 2", len(es))
	}

	// Forgetting by conversation key works too, and forgetting nobody is no error.
	if convs, err := st.Forget(ctx, "telegram:100"); err != nil || !reflect.DeepEqual(convs, []string{"telegram:100"}) {
		t.Fatalf("Forget by conversation = %v, %v; want [telegram:100]", convs, err)
	}
	if _, err := st.Get(ctx, kept.ID); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("Get after Forget by conversation: error = %v, want ErrNotFound", err)
	}
	if convs, err := st.Forget(ctx, "telegram:nobody"); err != nil || len(convs) != 0 {
		t.Fatalf("Forget of nobody = %v, %v; want nothing, no error", convs, err)
	}
}
