package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestRun runs a short load on a private Redis, the full service (claims, outbox, funnel,
// desk) and the store alone: it must report work done without errors, measure a session and,
// with claims, a claim record, and leave the Redis as it found it.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		claim bool
	}{
		{"full", []string{"-duration", "300ms"}, true},
		{"store", []string{"-steps", "40", "-record=false", "-desk=false", "-funnel=false"}, false},
		{"client", []string{"-steps", "40", "-client"}, false},
		{"deliver", []string{"-duration", "300ms", "-deliver"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) { testRun(t, tc.args, tc.claim) })
	}
}

func testRun(t *testing.T, args []string, claim bool) {
	srv := redistest.Start(t)
	var out strings.Builder
	env := map[string]string{"REDIS_URL": srv.URL()}
	err := run(context.Background(), append([]string{"-workers", "1,3", "-json", "-claims", "2"}, args...),
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
		if (r.ClaimBytes > 0) != claim {
			t.Errorf("report %+v: claim size %d, want one: %v", r, r.ClaimBytes, claim)
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
