package admin_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium; the test fails without it (.ci/run installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: apt-get install -y chromium (.ci/run does it)")
	return ""
}

// browser starts a headless chromium on a fresh profile and returns its context, and a
// function taking the console errors and dialogs it saw (a CSP refusal is one; a script alert, the other).
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	var mu sync.Mutex
	var problems []string
	note := func(s string) { mu.Lock(); problems = append(problems, s); mu.Unlock() }
	err := chromedp.Listen(bctx, func(ev any) {
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			if e.Entry != nil && e.Entry.Level == log.EntryLevelError {
				note("console: " + e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			note("exception: " + e.ExceptionDetails.Text)
		case *page.EventJavascriptDialogOpening:
			note("dialog: " + e.Message)
		}
	})
	if err != nil {
		t.Fatalf("listen to chromium: %v", err)
	}
	// taken returns what was reported since it was last called.
	taken := func() []string {
		mu.Lock()
		defer mu.Unlock()
		p := problems
		problems = nil
		return p
	}
	return bctx, taken
}

// shot saves a full-page PNG as SCREENSHOT_DIR/name.png when SCREENSHOT_DIR is set.
func shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		dir := os.Getenv("SCREENSHOT_DIR")
		if dir == "" {
			return nil
		}
		buf, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// run runs the steps, then reads what get returns.
func run[T any](t *testing.T, ctx context.Context, what string, get chromedp.Action[T], steps ...chromedp.Action[chromedp.Void]) T {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	v, err := chromedp.Run(ctx, get)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// TestBrowser drives the dashboard in a real chromium: refused without the token, log
// in, filter the list, open a claim, see the charts, log out. No page may log a console
// error (the CSP refusing something the page needs) or open a dialog (a script that ran).
func TestBrowser(t *testing.T) {
	s := newSite(t)
	ctx, problems := browser(t)
	base := s.srv.URL + "/admin/"

	// Without the token: the login form, and a wrong token is refused.
	url := run(t, ctx, "login page", chromedp.Location(),
		chromedp.Navigate(base+"figures"),
		chromedp.WaitVisible(chromedp.ID("token")),
		shot("1-login"))
	if !strings.HasSuffix(url, "/admin/login") {
		t.Fatalf("without the token: at %s, want the login page", url)
	}
	refusal := run(t, ctx, "wrong token", chromedp.Text(chromedp.CSS(".error")),
		chromedp.SendKeys(chromedp.ID("token"), "not-the-token"),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.CSS(".error")),
		shot("2-refused"))
	if !strings.Contains(refusal, "not right") {
		t.Fatalf("a wrong token: page says %q, want a refusal", refusal)
	}
	// The refused login is a 401, which the browser reports; nothing else may be.
	for _, p := range problems() {
		if !strings.Contains(p, "401") {
			t.Errorf("login pages: the browser reported %q", p)
		}
	}

	// Log in: the claims list.
	text := run(t, ctx, "log in", chromedp.Text(chromedp.ID("claims")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("claims")),
		shot("3-list"))
	if !strings.Contains(text, idEligible) || !strings.Contains(text, idEscalated) || !strings.Contains(text, idRepair) {
		t.Fatalf("list after login:\n%s\nwant the three recent claims", text)
	}

	// Filter by outcome.
	text = run(t, ctx, "filter", chromedp.Text(chromedp.ID("claims")),
		chromedp.SetValue(chromedp.ID("outcome"), "escalated"),
		chromedp.Click(chromedp.ID("apply")),
		chromedp.WaitReady(chromedp.CSS(`#outcome option[value="escalated"][selected]`)),
		shot("4-filtered"))
	if url, _ = chromedp.Run(ctx, chromedp.Location()); !strings.Contains(url, "outcome=escalated") {
		t.Errorf("filtered list at %s, want outcome=escalated in the address", url)
	}
	if !strings.Contains(text, idEscalated) || strings.Contains(text, idEligible) {
		t.Fatalf("filtered list:\n%s\nwant the escalated claim alone", text)
	}
	// The customer's markup shows as text.
	if !strings.Contains(text, `<script>alert("x")</script>`) {
		t.Errorf("list: want the hostile user name shown as text:\n%s", text)
	}

	// Open the claim.
	text = run(t, ctx, "open claim", chromedp.Text(chromedp.CSS("main")),
		chromedp.Click(chromedp.CSS(`a[href="/admin/claims/`+idEscalated+`"]`)),
		chromedp.WaitVisible(chromedp.ID("transcript")),
		shot("5-claim"))
	for _, want := range []string{"Claim " + idEscalated, "It broke.", "2 photos", "We will repair it.", "4 of 5", "Replaced under goodwill."} {
		if !strings.Contains(text, want) {
			t.Errorf("claim page lacks %q:\n%s", want, text)
		}
	}
	clauses := run(t, ctx, "decided claim", chromedp.Nodes(chromedp.CSSAll("blockquote.clause")),
		chromedp.Navigate(base+"claims/"+idEligible),
		chromedp.WaitVisible(chromedp.CSS("blockquote.clause")))
	if len(clauses) != 1 {
		t.Errorf("decided claim: %d quoted clauses, want 1", len(clauses))
	}

	// The figures: SVG charts drawn on the server.
	rects := run(t, ctx, "figures", chromedp.Nodes(chromedp.CSSAll("svg rect")),
		chromedp.Navigate(base+"figures"),
		chromedp.WaitVisible(chromedp.CSS("#per-day svg rect")),
		shot("6-figures"))
	funnelText, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("funnel")))
	if err != nil || len(rects) < 5 || !strings.Contains(funnelText, "receipt_date") {
		t.Errorf("figures: %d bars, funnel %q (%v); want the charts drawn", len(rects), funnelText, err)
	}

	// Log out: the dashboard asks for the token again.
	url = run(t, ctx, "log out", chromedp.Location(),
		chromedp.Click(chromedp.CSS(".logout button")),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.Navigate(base),
		chromedp.WaitVisible(chromedp.ID("token")))
	if !strings.HasSuffix(url, "/admin/login") {
		t.Fatalf("after logout: at %s, want the login page", url)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}
