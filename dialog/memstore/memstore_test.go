package memstore_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) dialog.Store { return memstore.New() })
}
