package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/policy"
)

var update = flag.Bool("update", false, "rewrite the golden console transcripts")

// env returns a getenv that sees only vars, so a developer's own environment (a REDIS_URL,
// a TELEGRAM_TOKEN) cannot change what a test runs.
func env(vars ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) string { return m[k] }
}

func runBot(t *testing.T, getenv func(string) string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

// TestConsoleTranscripts replays each testdata/transcripts/NAME.in.jsonl through
// `returnsbot console --json --now 2026-11-25` and compares the output with
// NAME.golden.jsonl (go test ./cmd/returnsbot -update rewrites them), then checks every
// output line against the protocol of CONTRACT.md.
func TestConsoleTranscripts(t *testing.T) {
	inputs, err := filepath.Glob("../../testdata/transcripts/*.in.jsonl")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no transcripts found: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".in.jsonl")
		t.Run(name, func(t *testing.T) {
			input, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := runBot(t, env(), string(input), "console", "--json", "--now", "2026-11-25")
			if err != nil {
				t.Fatalf("console: %v", err)
			}
			golden := strings.TrimSuffix(in, ".in.jsonl") + ".golden.jsonl"
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (run with -update and review the diff):\n%s", golden, firstDiff(out, string(want)))
			}
			checkProtocol(t, out)
		})
	}
}

// checkProtocol checks each output line has the shape CONTRACT.md promises.
func checkProtocol(t *testing.T, out string) {
	t.Helper()
	text := policy.Default().Text
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %q", i+1, line)
		}
		if _, ok := m["error"]; ok {
			continue
		}
		for _, key := range []string{"user", "text", "buttons", "awaiting", "decision"} {
			if _, ok := m[key]; !ok {
				t.Errorf("line %d lacks %q: %s", i+1, key, line)
			}
		}
		var msg struct {
			Text     string
			Decision *struct {
				Outcome string
				Clauses []struct{ ID, Text string }
			}
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Decision == nil {
			continue
		}
		if !isOutcome(msg.Decision.Outcome) {
			t.Errorf("line %d: outcome %q is not one of the contract's", i+1, msg.Decision.Outcome)
		}
		for _, c := range msg.Decision.Clauses {
			if !strings.Contains(text, c.Text) || !strings.Contains(msg.Text, c.Text) {
				t.Errorf("line %d: clause %s is not quoted word for word in both the policy and the message", i+1, c.ID)
			}
		}
	}
}

func isOutcome(s string) bool {
	for _, o := range policy.Outcomes {
		if string(o) == s {
			return true
		}
	}
	return false
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
