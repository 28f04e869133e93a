package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/bot/console"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

func TestServeJSONSurvivesHugeLinesAndMissingNewline(t *testing.T) {
	huge := `{"user":"a","text":"` + strings.Repeat("x", 2<<20) + `"}`
	in := huge + "\n" + `{"user":"a","text":"hi"}` + "\n" + `{"user":"a","text":"yesterday"}` // no final newline
	var out bytes.Buffer
	if err := console.ServeJSON(context.Background(), bottest.NewService(memstore.New()), strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want error + greeting + question + next question:\n%s", len(lines), out.String())
	}
	if !strings.Contains(lines[0], `"error":"line longer than`) {
		t.Errorf("first line %q, want an error for the huge line", lines[0])
	}
	if !strings.Contains(lines[3], `"awaiting":"packaging"`) {
		t.Errorf("last line %q, want the packaging question: the input without a final newline must count", lines[3])
	}
}

func TestServeChatButtonsByNumber(t *testing.T) {
	var out bytes.Buffer
	in := "yesterday\n3\n9\nno\n1\n"
	if err := console.ServeChat(context.Background(), bottest.NewService(memstore.New()), "you", strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	// "3" presses "Parts missing"; "9" is no button, so it is read as text and re-asked;
	// "1" accepts the read-back.
	for _, want := range []string{"[3] Parts missing", "Did you check the parcel", "Please answer yes or no", "not covered"} {
		if !strings.Contains(s, want) {
			t.Errorf("chat lacks %q:\n%s", want, s)
		}
	}
}

// TestServeJSONRecoversPanic: a panic while handling one line is answered with the
// apology, in the protocol, and the next line is handled.
func TestServeJSONRecoversPanic(t *testing.T) {
	svc := bottest.NewService(memstore.New())
	h := bot.HandlerFunc(func(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
		if m.Text == "boom" {
			panic("handler bug")
		}
		return svc.Handle(ctx, m)
	})
	in := `{"user":"a","text":"boom"}` + "\n" + `{"user":"a","text":"hi"}` + "\n"
	var out bytes.Buffer
	if err := console.ServeJSON(context.Background(), h, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want the apology and the greeting's two:\n%s", len(lines), out.String())
	}
	var first console.Output
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Text != bot.TryAgainText || first.User != "a" {
		t.Errorf("first line: got %q (%v), want the try-again apology to a", lines[0], err)
	}
}
