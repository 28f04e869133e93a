// Package storetest is a conformance suite for dialog.Store implementations, in the manner
// of slogtest: every store runs the same tests, so the in-memory store and the Redis store
// behave alike where the dialog depends on it.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// Run tests the store that newStore returns. newStore is called once per subtest and must
// return a store with no sessions under the keys the tests use (the suite's keys carry
// t.Name(), so a shared server with other data is fine).
func Run(t *testing.T, newStore func(t *testing.T) dialog.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, st dialog.Store, key string)
	}{
		{"LoadMissing", testLoadMissing},
		{"RoundTrip", testRoundTrip},
		{"StaleSaveConflicts", testStaleSaveConflicts},
		{"FirstSaveConflictsWithExisting", testFirstSaveConflicts},
		{"Delete", testDelete},
		{"StaleSaveAfterRecreateConflicts", testStaleSaveAfterRecreate},
		{"KeysAreSeparate", testKeysAreSeparate},
		{"ConcurrentUpdatesLoseNothing", testConcurrentUpdates},
		{"ConflictKeepsVersion", testConflictKeepsVersion},
		{"NoSharedMemory", testNoSharedMemory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newStore(t), "storetest:"+t.Name())
		})
	}
}

func testLoadMissing(t *testing.T, st dialog.Store, key string) {
	s, err := st.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Load missing: %v", err)
	}
	if s == nil || s.Version != 0 || s.State != "" {
		t.Fatalf("Load missing = %+v, want a new session at version 0", s)
	}
}

// sample returns a session with every field set, so a store that drops one is caught.
func sample() *dialog.Session {
	yes, no := true, false
	return &dialog.Session{
		State: dialog.StateConfirm,
		Answers: dialog.Answers{
			Receipt: "2026-11-12", Packaging: policy.PackagingIntact, CarrierChecked: &no,
			Defect: &yes, Details: "Water got in — “quotes” and ünïcode 🙂",
			Exclusions: map[string]bool{"seals": true}, Photos: []string{"photo-1"},
		},
		Lang: "en", Outcome: policy.WarrantyRepair, DecidedAt: 1795000000,
		Resume: dialog.StateDefect, Reason: policy.ReasonAsked,
		Seen: []string{"1", "2"}, Updated: 1795000001,
	}
}

func testRoundTrip(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	s := sample()
	if err := st.Save(ctx, key, s); err != nil {
		t.Fatalf("Save new: %v", err)
	}
	if s.Version == 0 {
		t.Fatalf("Save left Version at 0")
	}
	got, err := st.Load(ctx, key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("Load after Save:\n got %+v\nwant %+v", got, s)
	}
	v := got.Version
	got.State = dialog.StateDecided
	if err := st.Save(ctx, key, got); err != nil {
		t.Fatalf("Save loaded session: %v", err)
	}
	if got.Version == v {
		t.Fatalf("Save did not change Version from %d", v)
	}
	again, err := st.Load(ctx, key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if again.State != dialog.StateDecided || again.Version != got.Version {
		t.Fatalf("Load = state %q version %d, want %q version %d", again.State, again.Version, dialog.StateDecided, got.Version)
	}
}

func testStaleSaveConflicts(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	if err := st.Save(ctx, key, &dialog.Session{State: dialog.StatePackaging}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	a, _ := st.Load(ctx, key)
	b, _ := st.Load(ctx, key)
	a.State = dialog.StateDefect
	if err := st.Save(ctx, key, a); err != nil {
		t.Fatalf("first Save: %v", err)
	}
	b.State = dialog.StateCarrierCheck
	err := st.Save(ctx, key, b)
	if !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("stale Save error = %v, want ErrConflict", err)
	}
	got, _ := st.Load(ctx, key)
	if got.State != dialog.StateDefect {
		t.Fatalf("after conflict state = %q, want %q (the stale write must not land)", got.State, dialog.StateDefect)
	}
}

func testFirstSaveConflicts(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	if err := st.Save(ctx, key, &dialog.Session{State: dialog.StatePackaging}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	err := st.Save(ctx, key, &dialog.Session{State: dialog.StateDefect})
	if !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("Save of a new session over an existing one: error = %v, want ErrConflict", err)
	}
}

func testDelete(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("Delete missing: %v", err)
	}
	if err := st.Save(ctx, key, sample()); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	s, err := st.Load(ctx, key)
	if err != nil || s.Version != 0 || s.State != "" {
		t.Fatalf("Load after Delete = %+v, %v; want a new session", s, err)
	}
	if err := st.Save(ctx, key, &dialog.Session{State: dialog.StateDefect}); err != nil {
		t.Fatalf("Save after Delete: %v", err)
	}
}

// testStaleSaveAfterRecreate: a copy loaded before the session was deleted and created
// anew must not overwrite the new one, however the versions are counted (the ABA problem).
func testStaleSaveAfterRecreate(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	if err := st.Save(ctx, key, &dialog.Session{State: dialog.StatePackaging}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	stale, err := st.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, key, &dialog.Session{State: dialog.StateDefect}); err != nil {
		t.Fatalf("Save after Delete: %v", err)
	}
	stale.State = dialog.StateCarrierCheck
	if err := st.Save(ctx, key, stale); !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("Save of a copy from before the Delete: error %v, want ErrConflict", err)
	}
	if got, _ := st.Load(ctx, key); got.State != dialog.StateDefect {
		t.Fatalf("state = %q, want %q: the stale copy overwrote the new session", got.State, dialog.StateDefect)
	}
}

func testKeysAreSeparate(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	if err := st.Save(ctx, key+":a", &dialog.Session{State: dialog.StatePackaging}); err != nil {
		t.Fatalf("Save a: %v", err)
	}
	if err := st.Save(ctx, key+":b", &dialog.Session{State: dialog.StateDefect}); err != nil {
		t.Fatalf("Save b: %v", err)
	}
	a, _ := st.Load(ctx, key+":a")
	b, _ := st.Load(ctx, key+":b")
	if a.State != dialog.StatePackaging || b.State != dialog.StateDefect {
		t.Fatalf("states = %q, %q; want %q, %q", a.State, b.State, dialog.StatePackaging, dialog.StateDefect)
	}
}

// testConcurrentUpdates has writers race load-modify-save loops on one key; with
// compare-and-set and retry on conflict, every writer's change must survive.
func testConcurrentUpdates(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	const writers, each = 8, 10
	raceWriters(t, []dialog.Store{st}, key, writers, each)
	s, err := st.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Seen) != writers*each {
		t.Fatalf("after %d updates the session holds %d; updates were lost", writers*each, len(s.Seen))
	}
}

// testConflictKeepsVersion checks that a refused Save leaves the caller's session as it
// was, so the caller can tell what it loaded.
func testConflictKeepsVersion(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	if err := st.Save(ctx, key, &dialog.Session{State: dialog.StatePackaging}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	stale := &dialog.Session{State: dialog.StateDefect}
	if err := st.Save(ctx, key, stale); !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("Save over existing: error = %v, want ErrConflict", err)
	}
	if stale.Version != 0 {
		t.Fatalf("refused Save changed Version to %d, want 0", stale.Version)
	}
}

// testNoSharedMemory checks that the store keeps its own copy: changing a session after
// saving or loading it changes nothing stored.
func testNoSharedMemory(t *testing.T, st dialog.Store, key string) {
	ctx := context.Background()
	s := sample()
	if err := st.Save(ctx, key, s); err != nil {
		t.Fatalf("Save: %v", err)
	}
	s.Answers.Photos[0] = "changed"
	s.Answers.Exclusions["seals"] = false
	s.Seen[0] = "changed"
	got, err := st.Load(ctx, key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got.Answers.Photos[0] = "changed again"
	again, err := st.Load(ctx, key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := sample()
	if again.Answers.Photos[0] != want.Answers.Photos[0] || !again.Answers.Exclusions["seals"] || again.Seen[0] != want.Seen[0] {
		t.Fatalf("stored session changed with the caller's copy: got photos %q, exclusions %v, seen %q",
			again.Answers.Photos, again.Answers.Exclusions, again.Seen)
	}
}

// RunShared tests stores that share their sessions, as bot instances sharing one Redis
// do: open returns two stores (two clients, two processes' worth of caches) that see
// the same data. A store whose instances cannot share (an in-memory one) passes the same
// instance twice.
func RunShared(t *testing.T, open func(t *testing.T) (a, b dialog.Store)) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, a, b dialog.Store, key string)
	}{
		{"WriteSeenByOther", testWriteSeenByOther},
		{"StaleInstanceConflicts", testStaleInstanceConflicts},
		{"ConcurrentInstancesLoseNothing", testConcurrentInstances},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := open(t)
			tt.run(t, a, b, "storetest:"+t.Name())
		})
	}
}

func testWriteSeenByOther(t *testing.T, a, b dialog.Store, key string) {
	ctx := context.Background()
	for i, st := range []string{dialog.StateReceiptDate, dialog.StatePackaging, dialog.StateDefect} {
		w, r := a, b
		if i%2 == 1 {
			w, r = b, a
		}
		s, err := w.Load(ctx, key)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		s.State = st
		for {
			err = w.Save(ctx, key, s)
			if !errors.Is(err, dialog.ErrConflict) {
				break
			}
			// A stale view: load again and redo the change, as bot.Service does.
			if s, err = w.Load(ctx, key); err != nil {
				t.Fatalf("Load: %v", err)
			}
			s.State = st
		}
		if err != nil {
			t.Fatalf("Save %s: %v", st, err)
		}
		got, err := r.Load(ctx, key)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		// The reader may hold a stale view, but then its Save must conflict.
		if got.State != st {
			got.State = "stale-write"
			if err := r.Save(ctx, key, got); !errors.Is(err, dialog.ErrConflict) {
				t.Fatalf("step %d: other instance loaded state %q, want %q, and its Save error = %v, want ErrConflict", i, got.State, st, err)
			}
		}
	}
}

func testStaleInstanceConflicts(t *testing.T, a, b dialog.Store, key string) {
	ctx := context.Background()
	if err := a.Save(ctx, key, &dialog.Session{State: dialog.StatePackaging}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	sa, err := a.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	sb.State = dialog.StateDefect
	if err := b.Save(ctx, key, sb); err != nil {
		t.Fatalf("Save b: %v", err)
	}
	sa.State = dialog.StateCarrierCheck
	if err := a.Save(ctx, key, sa); !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("stale Save on a: error = %v, want ErrConflict", err)
	}
	got, err := a.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != dialog.StateDefect {
		t.Fatalf("a loads state %q after the conflict, want %q", got.State, dialog.StateDefect)
	}
}

// testConcurrentInstances is testConcurrentUpdates with the writers split between the
// two instances.
func testConcurrentInstances(t *testing.T, a, b dialog.Store, key string) {
	ctx := context.Background()
	const writers, each = 8, 10
	raceWriters(t, []dialog.Store{a, b}, key, writers, each)
	seen := map[string]bool{}
	for _, st := range []dialog.Store{a, b} {
		s, err := st.Load(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range s.Seen {
			seen[id] = true
		}
	}
	if len(seen) != writers*each {
		t.Fatalf("after %d updates the session holds %d distinct ones; updates were lost", writers*each, len(seen))
	}
}

// raceWriters has writers race load-modify-save loops on key, writer w on
// stores[w%len(stores)], each adding its ids to Seen one save at a time and loading again
// on a conflict: with a working compare-and-set, every id survives.
func raceWriters(t *testing.T, stores []dialog.Store, key string, writers, each int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		st := stores[w%len(stores)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				for {
					s, err := st.Load(ctx, key)
					if err != nil {
						errs <- err
						return
					}
					s.Seen = append(s.Seen, fmt.Sprintf("w%d-%d", w, i))
					err = st.Save(ctx, key, s)
					if errors.Is(err, dialog.ErrConflict) {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
