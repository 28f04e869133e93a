package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/policy"
	"github.com/returnsbot/returnsbot/webhook/webhooktest"
)

// claimInputs takes user through a return claim (received yesterday, intact, no defect)
// to its decision, as console JSON lines.
func claimInputs(user string) string {
	var b strings.Builder
	for _, f := range []string{`"text":"hi"`, `"text":"yesterday"`, `"button":"packaging:intact"`, `"text":"no"`, `"text":"yes"`} {
		b.WriteString(`{"user":"` + user + `",` + f + "}\n")
	}
	return b.String()
}

// decisions returns the decisions in console JSON output, by user.
func decisions(t *testing.T, out string) map[string]policyDecision {
	t.Helper()
	got := map[string]policyDecision{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var o struct {
			User     string          `json:"user"`
			Text     string          `json:"text"`
			Decision *policyDecision `json:"decision"`
		}
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		if o.Decision != nil {
			if !strings.Contains(o.Text, o.Decision.Claim) {
				t.Errorf("decision text %q does not name its claim %q", o.Text, o.Decision.Claim)
			}
			got[o.User] = *o.Decision
		}
	}
	return got
}

type policyDecision struct {
	Outcome policy.Outcome `json:"outcome"`
	Claim   string         `json:"claim"`
}

// TestConsoleDeliversWebhooks: at end of input the console delivers claim.decided,
// signed, to WEBHOOK_URL, before it exits.
func TestConsoleDeliversWebhooks(t *testing.T) {
	rcv := webhooktest.NewReceiver(t, "s3cret")
	out, stderr, err := runBot(t, env("WEBHOOK_URL", rcv.URL, "WEBHOOK_SECRET", "s3cret"), claimInputs("alice"), "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	d := decisions(t, out)["alice"]
	if !claimIDs.MatchString(d.Claim) {
		t.Fatalf("decision.claim = %q, want an id like R-7K2Q9M", d.Claim)
	}
	got := rcv.Accepted()
	if len(got) != 1 || got[0].Type != claims.ClaimDecided || string(got[0].Claim.ID) != d.Claim || got[0].Claim.Outcome != policy.ReturnEligible {
		t.Fatalf("receiver accepted %+v, want one claim.decided of %s", got, d.Claim)
	}
	if bad := rcv.Refused(); len(bad) != 0 {
		t.Fatalf("receiver refused %q", bad)
	}
	if got[0].Claim.Answers["packaging"] != "intact" || got[0].Claim.PolicyVersion == "" {
		t.Errorf("event claim %+v: want the answers and a policy version", got[0].Claim)
	}
}

func TestWebhookSettings(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"url without secret", []string{"WEBHOOK_URL", "http://127.0.0.1:1/hook"}, "WEBHOOK_SECRET"},
		{"not a url", []string{"WEBHOOK_URL", "ftp://x", "WEBHOOK_SECRET", "s"}, "WEBHOOK_URL"},
		{"bad retention", []string{"CLAIM_RETENTION", "forever"}, "CLAIM_RETENTION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runBot(t, env(tt.env...), "", "console", "--json")
			if _, ok := err.(usageError); !ok || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want a one-line usage error (exit 2) starting with %s", err, tt.want)
			}
		})
	}
}

// TestClaimsExportRoundTrip: claims made through the console on Redis come back from
// `claims export`, CSV parsed back and JSON alike, bounded by --since and --until.
func TestClaimsExportRoundTrip(t *testing.T) {
	srv := redistest.Start(t)
	e := env("REDIS_URL", srv.URL(), "REDIS_KEY_PREFIX", "export:")
	out, stderr, err := runBot(t, e, claimInputs("ann")+claimInputs("ben"), "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatalf("console: %v\n%s", err, stderr)
	}
	made := decisions(t, out)
	if len(made) != 2 {
		t.Fatalf("decisions %v, want ann's and ben's", made)
	}
	csvOut, _, err := runBot(t, e, "", "claims", "export", "--format", "csv")
	if err != nil {
		t.Fatalf("export csv: %v", err)
	}
	recs, err := claims.ReadCSV(strings.NewReader(csvOut))
	if err != nil {
		t.Fatalf("ReadCSV: %v\n%s", err, csvOut)
	}
	var jsonRecs []claims.Record
	jsonOut, _, err := runBot(t, e, "", "claims", "export", "--format", "json")
	if err != nil {
		t.Fatalf("export json: %v", err)
	}
	if err := json.Unmarshal([]byte(jsonOut), &jsonRecs); err != nil {
		t.Fatalf("json export: %v\n%s", err, jsonOut)
	}
	if len(recs) != 2 || len(jsonRecs) != 2 {
		t.Fatalf("exported %d (csv) and %d (json) claims, want 2", len(recs), len(jsonRecs))
	}
	for i, r := range recs {
		user := r.User
		if made[user].Claim != string(r.ID) || r.Outcome != made[user].Outcome || r.Answers["packaging"] != "intact" || r.Answers["receipt_date"] != "2026-11-24" {
			t.Errorf("csv row %d: %+v, want %s's claim %s with its answers", i, r, user, made[user].Claim)
		}
		if j := jsonRecs[i]; j.ID != r.ID || j.PolicyVersion != r.PolicyVersion || !j.Created.Equal(r.Created) || j.Answers["defect"] != r.Answers["defect"] {
			t.Errorf("json row %d %+v differs from csv row %+v", i, j, r)
		}
	}
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"--since", "2026-11-25", "--until", "2026-11-25"}, 2},
		{[]string{"--since", "2026-11-26"}, 0},
		{[]string{"--until", "2026-11-24"}, 0},
	} {
		out, _, err := runBot(t, e, "", append([]string{"claims", "export", "--format", "json"}, tt.args...)...)
		var rs []claims.Record
		if err != nil || json.Unmarshal([]byte(out), &rs) != nil || len(rs) != tt.want {
			t.Errorf("export %v: %d claims (%v), want %d:\n%s", tt.args, len(rs), err, tt.want, out)
		}
	}
	// forget erases the claims and says so; a second time there is nothing stored.
	out, _, err = runBot(t, e, "", "forget", "console:ann")
	if err != nil || !strings.Contains(out, "erased 1 claim(s)") {
		t.Fatalf("forget: %v\n%s", err, out)
	}
	out, _, err = runBot(t, e, "", "forget", "console:ann")
	if err != nil || !strings.Contains(out, "nothing stored") {
		t.Fatalf("forget again: %v\n%s, want nothing stored", err, out)
	}
	csvOut, _, _ = runBot(t, e, "", "claims", "export")
	if recs, err := claims.ReadCSV(strings.NewReader(csvOut)); err != nil || len(recs) != 1 || recs[0].User != "ben" {
		t.Fatalf("after forget: %+v (%v), want ben's claim only", recs, err)
	}
}

// testKillBeforeDelivery kills the console (SIGKILL) after it stated a decision and before
// it delivered the event (the receiver is down meanwhile); a new process delivers it.
func testKillBeforeDelivery(t *testing.T, bin string) {
	srv := redistest.Start(t)
	rcv := webhooktest.NewReceiver(t, "s3cret")
	rcv.SetAnswer(func(claims.Event, int) int { return http.StatusServiceUnavailable })
	hook := []string{"REDIS_URL=" + srv.URL(), "WEBHOOK_URL=" + rcv.URL, "WEBHOOK_SECRET=s3cret"}
	p := startConsole(t, bin, hook...)
	var claim string
	for _, in := range redisClaim[:7] {
		for _, line := range p.send("kim", in) {
			var o struct {
				Decision *policyDecision `json:"decision"`
			}
			if json.Unmarshal([]byte(line), &o) == nil && o.Decision != nil {
				claim = o.Decision.Claim
			}
		}
	}
	if claim == "" {
		t.Fatal("no decision stated")
	}
	p.kill()
	if n := len(rcv.Accepted()); n != 0 {
		t.Fatalf("receiver accepted %d events while down", n)
	}
	rcv.SetAnswer(func(claims.Event, int) int { return http.StatusNoContent })
	p = startConsole(t, bin, hook...)
	if err := p.stdin.Close(); err != nil { // end of input: deliver and exit
		t.Fatal(err)
	}
	got := rcv.WaitAccepted(t, 1, 30*time.Second)
	if got[0].Type != claims.ClaimDecided || string(got[0].Claim.ID) != claim {
		t.Fatalf("delivered %+v, want claim.decided of %s", got[0], claim)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("console after delivering: %v\n%s", err, p.log)
	}
}

// TestNoWebhookNoEvents: without WEBHOOK_URL a claim is recorded but no event is queued,
// as nothing would deliver it (a Redis outbox would fill to its bound and then fail every
// claim); with it, the event waits in the outbox for the deliverer.
func TestNoWebhookNoEvents(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		vars   []string
		events int64
	}{
		{"no webhook", nil, 0},
		// The console delivers at end of input; an endpoint that never answers 2xx keeps the event.
		{"webhook", []string{"WEBHOOK_URL", "http://127.0.0.1:1/hook", "WEBHOOK_SECRET", "s3cret"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := redistest.Start(t)
			rdb := srv.Client(t)
			getenv := env(append([]string{"REDIS_URL", srv.URL()}, tc.vars...)...)
			out, stderr, err := runBot(t, getenv, claimInputs("alice"), "console", "--json", "--now", "2026-11-25")
			if err != nil {
				t.Fatalf("run: %v\n%s", err, stderr)
			}
			if len(decisions(t, out)) != 1 {
				t.Fatalf("no decision in %s", out)
			}
			if keys, err := rdb.Keys(ctx, "*{claim:*").Result(); err != nil || len(keys) != 1 {
				t.Fatalf("claim records %q, %v; want one", keys, err)
			}
			n, err := rdb.HLen(ctx, "rb:{outbox}:events").Result()
			if err != nil || n != tc.events {
				t.Errorf("events in the outbox: %d, %v; want %d", n, err, tc.events)
			}
		})
	}
}
