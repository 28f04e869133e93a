package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestEvictionPolicyWarned: at start, a Redis that evicts keys is warned about at WARN;
// noeviction is not; a Redis that refuses CONFIG is no failure.
func TestEvictionPolicyWarned(t *testing.T) {
	tests := []struct {
		name string
		args []string
		warn bool
	}{
		{"allkeys-lru", []string{"--maxmemory-policy", "allkeys-lru"}, true},
		{"volatile-ttl", []string{"--maxmemory-policy", "volatile-ttl"}, true},
		{"noeviction", []string{"--maxmemory-policy", "noeviction"}, false},
		{"CONFIG refused", []string{"--maxmemory-policy", "allkeys-lru", "--rename-command", "CONFIG", ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := redistest.Start(t, tt.args...)
			logs := &bottest.LogBuffer{}
			env := map[string]string{"REDIS_URL": r.URL(), "REDIS_KEY_PREFIX": redistest.Prefix(t)}
			store, closeStore, err := openStore(context.Background(), func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(logs, nil)))
			if err != nil {
				t.Fatalf("openStore: %v", err)
			}
			defer closeStore()
			if _, err := store.Load(context.Background(), "console:x"); err != nil {
				t.Errorf("the store does not work: %v", err)
			}
			got := strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "maxmemory-policy")
			if got != tt.warn {
				t.Errorf("got warning %v, want %v; log:\n%s", got, tt.warn, logs.String())
			}
		})
	}
}
