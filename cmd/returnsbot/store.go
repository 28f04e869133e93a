package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// openStore returns the session store REDIS_URL names, or an in-memory one, and a function
// that releases it.
func openStore(ctx context.Context, getenv func(string) string, logger *slog.Logger) (dialog.Store, func(), error) {
	if url := getenv("REDIS_URL"); url != "" {
		return nil, nil, fmt.Errorf("REDIS_URL is set, but this build has no Redis store yet")
	}
	return memstore.New(), func() {}, nil
}
