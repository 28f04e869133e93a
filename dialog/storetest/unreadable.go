package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
)

// Spoil puts a value under a conversation key that the store cannot decode, by whatever
// means its backend has (a raw write to Redis), as a newer schema, a manual edit or
// corruption would.
type Spoil func(t *testing.T, key string)

// RunUnreadable tests how a store treats a stored value it cannot decode: a Load reports
// it once with an error wrapping dialog.ErrUnreadable and naming the key, and the
// conversation can then start afresh. open returns two stores sharing their data (the same
// one twice if they cannot share) and a Spoil for them. A store that can only ever hold
// what it encoded itself (memstore) has no such value to run this on.
func RunUnreadable(t *testing.T, open func(t *testing.T) (a, b dialog.Store, spoil Spoil)) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, a, b dialog.Store, spoil Spoil, key string)
	}{
		{"ReportedThenFresh", testUnreadableThenFresh},
		{"ReportedOnceByConcurrentLoads", testUnreadableOnce},
		{"OtherKeysUnaffected", testUnreadableOthersFine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, spoil := open(t)
			tt.run(t, a, b, spoil, "storetest:"+t.Name())
		})
	}
}

func testUnreadableThenFresh(t *testing.T, a, _ dialog.Store, spoil Spoil, key string) {
	ctx := context.Background()
	spoil(t, key)
	_, err := a.Load(ctx, key)
	if !errors.Is(err, dialog.ErrUnreadable) {
		t.Fatalf("Load of an unreadable value: got error %v, want one wrapping dialog.ErrUnreadable", err)
	}
	if !strings.Contains(err.Error(), key) {
		t.Errorf("Load of an unreadable value: error %q does not name the key %s", err, key)
	}
	s, err := a.Load(ctx, key)
	if err != nil {
		t.Fatalf("second Load: got error %v, want a fresh session: the value must be set aside once", err)
	}
	if s.Version != 0 || s.State != "" {
		t.Fatalf("second Load = %+v, want a new session at version 0", s)
	}
	s.State = dialog.StateReceiptDate
	if err := a.Save(ctx, key, s); err != nil {
		t.Fatalf("Save of the fresh session: %v", err)
	}
	got, err := a.Load(ctx, key)
	if err != nil || got.State != dialog.StateReceiptDate {
		t.Fatalf("Load after the fresh start = %+v, %v; want state %s", got, err, dialog.StateReceiptDate)
	}
}

// testUnreadableOnce loads an unreadable value from several goroutines on both stores at
// once: exactly one Load reports it, so it is logged once, and the others see no session.
func testUnreadableOnce(t *testing.T, a, b dialog.Store, spoil Spoil, key string) {
	ctx := context.Background()
	spoil(t, key)
	const loaders = 8
	var wg sync.WaitGroup
	errs := make(chan error, loaders)
	for i := range loaders {
		st := []dialog.Store{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.Load(ctx, key)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	unreadable := 0
	for err := range errs {
		switch {
		case errors.Is(err, dialog.ErrUnreadable):
			unreadable++
		case err != nil:
			t.Errorf("concurrent Load: %v", err)
		}
	}
	if unreadable != 1 {
		t.Fatalf("got %d of %d concurrent Loads reporting the unreadable value, want exactly 1", unreadable, loaders)
	}
}

func testUnreadableOthersFine(t *testing.T, a, b dialog.Store, spoil Spoil, key string) {
	ctx := context.Background()
	other := key + ":other"
	s := &dialog.Session{State: dialog.StatePackaging}
	if err := a.Save(ctx, other, s); err != nil {
		t.Fatal(err)
	}
	spoil(t, key)
	if _, err := b.Load(ctx, key); !errors.Is(err, dialog.ErrUnreadable) {
		t.Fatalf("Load of the unreadable key: got %v, want dialog.ErrUnreadable", err)
	}
	got, err := b.Load(ctx, other)
	if err != nil || got.State != dialog.StatePackaging {
		t.Fatalf("Load of another key = %+v, %v; want state %s", got, err, dialog.StatePackaging)
	}
}
