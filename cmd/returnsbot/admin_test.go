package main

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// TestServeAdminOnly: `serve` with LISTEN_ADDR and no platform serves the HTTP endpoints
// alone; with ADMIN_TOKEN the dashboard reads the claims and the funnel a console run
// left in Redis, refuses requests without the token, and its CSV export is
// `returnsbot claims export`'s.
func TestServeAdminOnly(t *testing.T) {
	const tok = "admin-token-0123456789"
	vars := []string{"REDIS_URL", redistest.URL(t), "REDIS_KEY_PREFIX", redistest.Prefix(t)}
	out, stderr, err := runBot(t, env(vars...), claimInputs("olga"), "console", "--json")
	if err != nil {
		t.Fatalf("console: %v\n%s", err, stderr)
	}
	id := decisions(t, out)["olga"].Claim
	export, stderr, err := runBot(t, env(vars...), "", "claims", "export")
	if err != nil || !strings.Contains(export, id) {
		t.Fatalf("claims export: %v\n%s\n%s", err, export, stderr)
	}

	addr := freeAddr(t)
	stop := runServeTelegram(t, env(append(vars, "LISTEN_ADDR", addr, "ADMIN_TOKEN", tok)...))
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waittest.For(t, "the listener", func() bool { c, _ := get("http://" + addr + "/healthz"); return c != 0 })
	fetch := func(path string, bearer string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		path, bearer string
		status       int
		want         string
	}{
		{"/healthz", "", http.StatusOK, "ok"},
		{"/metrics", "", http.StatusOK, "returnsbot_messages_total"},
		{"/admin/", "", http.StatusSeeOther, ""},
		{"/admin/", "wrong-token-0123456789", http.StatusUnauthorized, ""},
		{"/admin/?q=" + id, tok, http.StatusOK, id},
		{"/admin/claims/" + id, tok, http.StatusOK, "Return eligible"},
		{"/admin/figures", tok, http.StatusOK, ">receipt_date<"},
		{"/admin/export.csv", tok, http.StatusOK, export},
	}
	for _, tt := range tests {
		code, body := fetch(tt.path, tt.bearer)
		if code != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: %d, want %d with %.200q in:\n%.2000s", tt.path, code, tt.status, tt.want, body)
		}
	}
	if _, body := fetch("/admin/export.csv", tok); body != export {
		t.Errorf("dashboard export differs from claims export:\n%s\nwant:\n%s", body, export)
	}
}

func TestAdminTokenChecked(t *testing.T) {
	_, _, err := runBot(t, env("ADMIN_TOKEN", "short", "LISTEN_ADDR", "127.0.0.1:0"), "", "serve")
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "ADMIN_TOKEN") {
		t.Fatalf("a short ADMIN_TOKEN: %v, want a usage error naming it", err)
	}
}
