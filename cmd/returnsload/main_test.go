package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestRun runs a short load on a private Redis: it must report work done without
// errors, measure a session, and leave the Redis as it found it.
func TestRun(t *testing.T) {
	srv := redistest.Start(t)
	var out strings.Builder
	env := map[string]string{"REDIS_URL": srv.URL()}
	err := run(context.Background(), []string{"-workers", "1,3", "-duration", "300ms", "-json", "-claims", "2"},
		func(k string) string { return env[k] }, &out)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d report lines, want 2:\n%s", len(lines), out.String())
	}
	for i, want := range []int{1, 3} {
		var r report
		if err := json.Unmarshal([]byte(lines[i]), &r); err != nil {
			t.Fatalf("line %q: %v", lines[i], err)
		}
		if r.Workers != want || r.Steps == 0 || r.Errors != 0 || r.StepsPerSec <= 0 || r.SessionBytes <= 0 || r.P50Micros > r.P99Micros {
			t.Errorf("report %+v: want %d workers, steps done, no errors, a session size, p50 <= p99", r, want)
		}
	}
	n, err := srv.Client(t).DBSize(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d keys left in Redis after the run, want 0", n)
	}
}

func TestRunBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-workers", "0"}, {"-workers", "x"}} {
		if err := run(context.Background(), args, func(string) string { return "" }, &strings.Builder{}); err == nil {
			t.Errorf("run %v succeeded, want an error", args)
		}
	}
}
