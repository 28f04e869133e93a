package redisstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestSaveUnlessHeld: while a key Options.Holds names exists, the save stores nothing and
// says so; once it is gone the same session saves. Without Holds every call refuses.
func TestSaveUnlessHeld(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	holds := func(conv string) []string {
		return []string{prefix + "open:{" + conv + "}", prefix + "comment:{" + conv + "}"}
	}
	st := redisstore.New(rdb, redisstore.Options{Prefix: prefix, Holds: holds})
	for _, tt := range []struct {
		name string
		hold int // index into holds, or -1 for none
	}{
		{"nothing holds", -1},
		{"an open case", 0},
		{"a comment awaited", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conv := "telegram:" + tt.name
			if tt.hold >= 0 {
				if err := rdb.Set(ctx, holds(conv)[tt.hold], "x", 0).Err(); err != nil {
					t.Fatal(err)
				}
			}
			s := &dialog.Session{State: dialog.StatePackaging}
			err := st.SaveUnlessHeld(ctx, conv, s)
			if tt.hold < 0 {
				if err != nil || s.Version == 0 {
					t.Fatalf("SaveUnlessHeld = %v (version %d), want saved", err, s.Version)
				}
				return
			}
			if !errors.Is(err, dialog.ErrHeld) || s.Version != 0 {
				t.Fatalf("SaveUnlessHeld = %v (version %d), want ErrHeld and nothing saved", err, s.Version)
			}
			if n, _ := rdb.Exists(ctx, st.Key(conv)).Result(); n != 0 {
				t.Fatalf("held conversation's session was written")
			}
			rdb.Del(ctx, holds(conv)[tt.hold])
			if err := st.SaveUnlessHeld(ctx, conv, s); err != nil {
				t.Fatalf("SaveUnlessHeld once the hold is gone = %v", err)
			}
			if got, err := st.Load(ctx, conv); err != nil || got.State != dialog.StatePackaging {
				t.Fatalf("Load = %+v, %v; want the saved session", got, err)
			}
		})
	}
	unheld := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	if err := unheld.SaveUnlessHeld(ctx, "telegram:none", &dialog.Session{}); !errors.Is(err, dialog.ErrHeld) {
		t.Fatalf("SaveUnlessHeld without Holds = %v, want ErrHeld", err)
	}
}
