package admin_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/claims"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (s *site) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (s *site) login(t *testing.T, tok string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+"/admin/login", strings.NewReader(url.Values{"token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "returnsbot_admin" {
			return c
		}
	}
	return nil
}

func TestAccess(t *testing.T) {
	s := newSite(t)
	ok := s.login(t, token)
	c := sessionCookie(ok)
	if ok.StatusCode != http.StatusSeeOther || c == nil {
		t.Fatalf("login with the token: status %d, cookie %v; want 303 and a session cookie", ok.StatusCode, c)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/admin/" || strings.Contains(c.Value, token) {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, not Secure on plain HTTP, path /admin/, no token in it", c)
	}
	if tls := sessionCookie(s.login(t, token, "X-Forwarded-Proto", "https")); tls == nil || !tls.Secure {
		t.Errorf("cookie behind a TLS proxy %+v: want Secure", tls)
	}
	tampered := c.Value[:len(c.Value)-2] + "xx"
	tests := []struct {
		name     string
		path     string
		header   []string
		status   int
		location string
	}{
		{"no credentials", "/admin/", nil, http.StatusSeeOther, "/admin/login"},
		{"no credentials, a claim", "/admin/claims/" + idEligible, nil, http.StatusSeeOther, "/admin/login"},
		{"no credentials, export", "/admin/export.csv", nil, http.StatusSeeOther, "/admin/login"},
		{"wrong bearer", "/admin/", []string{"Authorization", "Bearer nope"}, http.StatusUnauthorized, ""},
		{"token without Bearer", "/admin/", []string{"Authorization", token}, http.StatusUnauthorized, ""},
		{"bearer", "/admin/", []string{"Authorization", "Bearer " + token}, http.StatusOK, ""},
		{"cookie", "/admin/figures", []string{"Cookie", c.Name + "=" + c.Value}, http.StatusOK, ""},
		{"a proxy's Basic and the cookie", "/admin/", []string{"Authorization", "Basic eDp5", "Cookie", c.Name + "=" + c.Value}, http.StatusOK, ""},
		{"wrong bearer and the cookie", "/admin/", []string{"Authorization", "Bearer nope", "Cookie", c.Name + "=" + c.Value}, http.StatusUnauthorized, ""},
		{"tampered cookie", "/admin/", []string{"Cookie", c.Name + "=" + tampered}, http.StatusSeeOther, "/admin/login"},
		{"forged expiry", "/admin/", []string{"Cookie", c.Name + "=99999999999." + strings.SplitN(c.Value, ".", 2)[1]}, http.StatusSeeOther, "/admin/login"},
		{"login page is open", "/admin/login", nil, http.StatusOK, ""},
		{"style sheet is open", "/admin/static/style.css", nil, http.StatusOK, ""},
		{"unknown page", "/admin/nothing", []string{"Authorization", "Bearer " + token}, http.StatusNotFound, ""},
		{"unknown page without credentials", "/admin/nothing", nil, http.StatusSeeOther, "/admin/login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := s.get(t, tt.path, tt.header...)
			if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
				t.Errorf("GET %s: %d to %q, want %d to %q", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP %q: want default-src 'none' and nothing inline", csp)
			}
		})
	}
	if resp := s.login(t, "wrong"); resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil {
		t.Errorf("login with a wrong token: %d, cookie %v; want 401 and none", resp.StatusCode, sessionCookie(resp))
	}
	// A form on another site posting the token (login CSRF) is refused.
	if resp := s.login(t, token, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden || sessionCookie(resp) != nil {
		t.Errorf("cross-site login: %d, want 403 and no cookie", resp.StatusCode)
	}
	if resp := s.login(t, token, "Origin", "https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login from another origin: %d, want 403", resp.StatusCode)
	}
}

// TestEscaped: customer and staff texts are escaped on every page; no page has a script.
func TestEscaped(t *testing.T) {
	s := newSite(t)
	auth := []string{"Authorization", "Bearer " + token}
	for _, path := range []string{"/admin/", "/admin/claims/" + idEscalated, "/admin/figures", "/admin/login"} {
		_, body := s.get(t, path, auth...)
		if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
			t.Errorf("%s holds the customer's markup unescaped:\n%s", path, body)
		}
		if path == "/admin/claims/"+idEscalated && strings.Count(body, "&lt;script&gt;") < 4 {
			t.Errorf("%s: want the user name, answer, note, comment and transcript shown escaped:\n%s", path, body)
		}
	}
}

func TestList(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		query     string
		want, not []string
	}{
		{"", []string{idEligible, idEscalated, idRepair}, []string{idOld}},
		{"?outcome=escalated", []string{idEscalated}, []string{idEligible, idRepair}},
		{"?state=decided&platform=telegram", []string{idEligible}, []string{idEscalated, idRepair}},
		{"?lang=fr", []string{idRepair}, []string{idEligible, idEscalated}},
		{"?since=2026-11-24&until=2026-11-24", []string{idEscalated}, []string{idEligible, idRepair}},
		{"?since=2026-08-01&until=2026-09-30", []string{idOld}, []string{idEligible}},
		{"?q=ord-7731", []string{idEligible}, []string{idEscalated, idRepair}},
		{"?q=" + strings.ToLower(idOld), []string{idOld}, []string{idEligible}}, // an id finds its claim beyond the dates
		{"?since=yesterday", []string{idEligible, "From: want 2026-11-23"}, []string{idOld}},
	}
	for _, tt := range tests {
		_, body := s.get(t, "/admin/"+tt.query, "Authorization", "Bearer "+token)
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("list %s lacks %q", tt.query, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("list %s shows %q", tt.query, n)
			}
		}
	}
}

func TestClaimPage(t *testing.T) {
	s := newSite(t)
	_, body := s.get(t, "/admin/claims/"+idEscalated, "Authorization", "Bearer "+token)
	for _, want := range []string{
		"Escalated", "customer asked for a person", "Warranty repair</strong> by Stan (discord)", "Replaced under goodwill.",
		"v1@0123456789ab", "closed (resolved)", "after 12m", "4 of 5", "quick &lt;script&gt;",
		"It broke.", "2 photos", "We will repair it.", "closed: resolved", "defect_details",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("claim page lacks %q:\n%s", want, body)
		}
	}
	_, body = s.get(t, "/admin/claims/"+idEligible, "Authorization", "Bearer "+token)
	for _, want := range []string{"Goods may be returned within 14 days of receipt.", "clause return-14", "ORD-7731", "Return eligible"} {
		if !strings.Contains(body, want) {
			t.Errorf("claim page lacks %q:\n%s", want, body)
		}
	}
	if resp, _ := s.get(t, "/admin/claims/R-NOSUCH", "Authorization", "Bearer "+token); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown claim: %d, want 404", resp.StatusCode)
	}
}

func TestFigures(t *testing.T) {
	s := newSite(t)
	_, body := s.get(t, "/admin/figures", "Authorization", "Bearer "+token)
	for _, want := range []string{
		"<svg", "3 claims.", "1 of 3 claims went to staff (33.3%)", "median 12m",
		"1 rating, mean 4.00 of 5", ">receipt_date<", "3 asked, 1 answered", ">confirm_summary<",
		"2026-11-24 Escalated: 1", // a column's tooltip
	} {
		if !strings.Contains(body, want) {
			t.Errorf("figures lack %q:\n%s", want, body)
		}
	}
}

// TestExport: the button's CSV is `returnsbot claims export`'s, byte for byte.
func TestExport(t *testing.T) {
	s := newSite(t)
	resp, body := s.get(t, "/admin/export.csv?since=2026-11-01", "Authorization", "Bearer "+token)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	since, _ := claims.ParseDay("2026-11-01", false)
	rs, _, err := claims.All(context.Background(), s.claims, claims.Query{Since: since}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	claims.WriteCSV(&want, rs)
	if body != want.String() || len(rs) != 3 {
		t.Errorf("export:\n%s\nwant (%d claims):\n%s", body, len(rs), want.String())
	}
	if resp, _ := s.get(t, "/admin/export.csv?since=nope", "Authorization", "Bearer "+token); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad since: %d, want 400", resp.StatusCode)
	}
}
