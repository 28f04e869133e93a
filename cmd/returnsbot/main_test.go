package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
)

// With no arguments and no platform configured, the bot is a console chat on a memory
// store: a newcomer's first command works with nothing installed.
func TestNoArgumentsStartsConsoleChat(t *testing.T) {
	out, _, err := runBot(t, env(), "yesterday\n1\n2\n1\n") // the last 1 accepts the read-back
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{"returnsbot console", "When did you receive", "[1] Intact and complete", "Does the product have a defect", "Good news"} {
		if !strings.Contains(out, want) {
			t.Errorf("console chat output lacks %q:\n%s", want, out)
		}
	}
}

func TestConsoleFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"console", "--now", "next tuesday"}, "console --now"},
		{[]string{"console", "--lang", "xx"}, `no translation for "xx"`},
		{[]string{"console", "--bogus"}, "flag provided but not defined"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"policy"}, "usage: returnsbot policy"},
	}
	for _, tt := range tests {
		_, _, err := runBot(t, env(), "", tt.args...)
		if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %q: error %v, want a usage error containing %q", tt.args, err, tt.want)
		}
	}
}

func TestNowAcceptsRFC3339(t *testing.T) {
	out, _, err := runBot(t, env(), `{"user":"a","text":"hi"}`+"\n"+`{"user":"a","text":"today"}`+"\n"+
		`{"user":"a","text":"ok"}`+"\n"+`{"user":"a","text":"no"}`+"\n"+`{"user":"a","text":"yes"}`+"\n", "console", "--json", "--now", "2026-03-01T23:30:00+02:00")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"receipt_date":"2026-03-01"`) {
		t.Fatalf("decision should count 1 March 2026 as today:\n%s", out)
	}
}

func TestPolicyCommands(t *testing.T) {
	out, _, err := runBot(t, env(), "", "policy", "check", "../../testdata/policies/shop-30-days.policy")
	if err != nil || !strings.Contains(out, "ok: return window 30 days, warranty 24 months, 2 exclusions") {
		t.Fatalf("policy check: %v\n%s", err, out)
	}
	def, _, err := runBot(t, env(), "", "policy", "default")
	if err != nil || !strings.Contains(def, "return_window_days: 14") || !strings.Contains(def, "\n---\nRefund policy") {
		t.Fatalf("policy default: %v\n%.200s", err, def)
	}
	bad := filepath.Join(t.TempDir(), "bad.policy")
	if err := os.WriteFile(bad, []byte(strings.Replace(def, "clause warranty:", "clause guarantee:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = runBot(t, env(), "", "policy", "check", bad)
	if err == nil || !strings.Contains(err.Error(), "clause warranty is missing") {
		t.Fatalf("policy check of a broken file: error %v, want the missing clause named", err)
	}
	withContact := filepath.Join(t.TempDir(), "contact.policy")
	if err := os.WriteFile(withContact, []byte("contact: help@example.com\n"+def), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = runBot(t, env(), "", "policy", "check", withContact)
	if err != nil || !strings.Contains(out, "contact: help@example.com\n") {
		t.Fatalf("policy check should show the contact: %v\n%s", err, out)
	}
}

// A shop's POLICY_FILE changes the decisions without touching Go code.
func TestPolicyFileFromEnvironment(t *testing.T) {
	in := `{"user":"a","text":"hi"}` + "\n" + `{"user":"a","text":"20 days ago"}` + "\n" +
		`{"user":"a","text":"fine"}` + "\n" + `{"user":"a","text":"no"}` + "\n" + `{"user":"a","text":"yes"}` + "\n"
	out, _, err := runBot(t, env("POLICY_FILE", "../../testdata/policies/shop-30-days.policy"), in, "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"outcome":"return_eligible"`) || !strings.Contains(out, "You may send back anything you bought within 30 days") {
		t.Fatalf("with the 30-day policy, 20 days after receipt should be eligible and quote the shop's words:\n%s", out)
	}
	def, _, _ := runBot(t, env(), in, "console", "--json", "--now", "2026-11-25")
	if !strings.Contains(def, `"outcome":"return_expired"`) {
		t.Fatalf("with the default 14-day policy, 20 days should be expired:\n%s", def)
	}
	_, _, err = runBot(t, env("POLICY_FILE", "/nonexistent/policy"), in, "console", "--json")
	if err == nil || !strings.Contains(err.Error(), "POLICY_FILE") {
		t.Fatalf("missing POLICY_FILE: error %v, want it named", err)
	}
}

func TestDiagramCommand(t *testing.T) {
	out, _, err := runBot(t, env(), "", "diagram")
	if err != nil || out != dialog.Diagram() {
		t.Fatalf("diagram: %v\n%s", err, out)
	}
	// A shop's own questions are states of its machine, so they are in its diagram.
	shop, _, err := runBot(t, env("POLICY_FILE", shopQuestionsPolicy), "", "diagram")
	if err != nil || !strings.Contains(shop, "order_number") || strings.Contains(out, "order_number") {
		t.Fatalf("diagram with POLICY_FILE %s: %v; want order_number in it, and only in it:\n%s", shopQuestionsPolicy, err, shop)
	}
}

func TestServeNeedsAPlatform(t *testing.T) {
	_, _, err := runBot(t, env(), "", "serve")
	if err == nil || !strings.Contains(err.Error(), "no platform configured") {
		t.Fatalf("serve without tokens: error %v, want a clear refusal", err)
	}
}
