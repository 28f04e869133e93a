package storetest_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/storetest"
)

// The suite runs here against the in-memory store too, so a change to the suite is
// checked against the reference implementation in the same package.
func TestMemstore(t *testing.T) {
	storetest.Run(t, func(*testing.T) dialog.Store { return memstore.New() })
}

func TestMemstoreShared(t *testing.T) {
	storetest.RunShared(t, func(*testing.T) (dialog.Store, dialog.Store) {
		st := memstore.New()
		return st, st
	})
}
