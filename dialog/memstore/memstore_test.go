package memstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) dialog.Store { return memstore.New() })
}

func TestBounded(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s := &memstore.Store{TTL: time.Hour, MaxSessions: 10, Now: func() time.Time { return now }}
	save := func(key string) {
		t.Helper()
		sess, err := s.Load(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		sess.State = "new"
		if err := s.Save(ctx, key, sess); err != nil {
			t.Fatal(err)
		}
	}
	stored := func(key string) bool {
		sess, err := s.Load(ctx, key)
		return err == nil && sess.Version != 0
	}
	for i := range 10 {
		save(fmt.Sprint("k", i))
		now = now.Add(time.Second)
	}
	save("k10") // the 11th: the oldest tenth (k0) goes
	tests := []struct {
		key  string
		want bool
	}{{"k0", false}, {"k1", true}, {"k10", true}}
	for _, tt := range tests {
		if got := stored(tt.key); got != tt.want {
			t.Errorf("over MaxSessions: %s stored = %v, want %v", tt.key, got, tt.want)
		}
	}
	now = now.Add(time.Hour)
	if stored("k10") {
		t.Error("a session past its TTL is still there")
	}
	// A save after expiry starts afresh at version 0, as after a Redis TTL.
	save("k10")
	if !stored("k10") {
		t.Error("a session saved after expiry is not there")
	}
}
