package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

func TestCustomerForget(t *testing.T) {
	ctx := context.Background()
	svc, cs, ob := claimService(t)
	var forgotCases []string
	svc.ForgetCases = func(_ context.Context, who string) ([]string, error) {
		forgotCases = append(forgotCases, who)
		return nil, nil
	}
	decide(t, svc, "ida")
	ida := bot.Address{Platform: "test", Chat: "ida"}
	ask := func(text string) {
		t.Helper()
		out := handle(t, svc, bot.Message{From: ida, User: "ida", Text: text})
		if len(out) != 1 || len(out[0].Buttons) != 2 || out[0].Buttons[0].ID != dialog.ForgetYes || out[0].Buttons[1].ID != dialog.ForgetNo {
			t.Fatalf("%q: %+v, want the question with yes and no buttons", text, out)
		}
	}
	ask("/forget")
	if out := handle(t, svc, bot.Message{From: ida, User: "ida", Button: dialog.ForgetNo}); len(out) != 1 || !strings.Contains(out[0].Text, "erased nothing") {
		t.Fatalf("no: %+v", out)
	}
	if recs, _ := cs.ByUser(ctx, "test:ida", 10); len(recs) != 1 {
		t.Fatalf("after no: %d claims, want 1", len(recs))
	}
	ask("Delete my data!")
	if out := handle(t, svc, bot.Message{From: ida, User: "ida", Button: dialog.ForgetYes}); len(out) != 1 || !strings.Contains(out[0].Text, "erased your conversation") {
		t.Fatalf("yes: %+v", out)
	}
	if recs, _ := cs.ByUser(ctx, "test:ida", 10); len(recs) != 0 {
		t.Errorf("after yes: %d claims, want 0", len(recs))
	}
	if c, _ := ob.Counts(ctx); c.Pending != 0 {
		t.Errorf("after yes: %d webhook events pending, want 0", c.Pending)
	}
	if s, _ := svc.Store.Load(ctx, ida.Key()); s.Version != 0 {
		t.Errorf("after yes: session still stored (version %d)", s.Version)
	}
	if strings.Join(forgotCases, ",") != "test:ida" {
		t.Errorf("cases forgotten for %q, want test:ida", forgotCases)
	}
}
