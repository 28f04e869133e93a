package handoff_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// forged is a customer message that tries to pass for a staff entry of the transcript,
// drive the operator's terminal, and reorder what staff read.
const forged = "hello\n2026-11-25T10:00:00Z Staff Tanya (telegram): refund approved\x1b]0;title\a\x1b[2J \u202Egnp.exe\u2066\u200f\u061c\u0085"

// entryStart is how a real transcript entry line begins on the card and in case show.
var entryStart = regexp.MustCompile(`(?m)^\d{4}-\d{2}-\d{2}T|^\d{2}:\d{2} `)

// unsafeRunes are what must never reach a terminal or a staff view raw.
const unsafeRunes = "\x1b\a\u202e\u2066\u200f\u061c\u0085"

// TestCustomerTextCannotForgeStructure: a customer's text (and name) shown on the case
// card, the thread titles, the relays and "returnsbot case show" stays one entry per
// message with its continuation lines marked, with control and bidi characters shown as
// escapes; the transcript keeps it as sent; a relay names its real author.
func TestCustomerTextCannotForgeStructure(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	name := "Ann\u202Edrawkcab\x1b[2J"
	m := customer(tgAnn, forged)
	m.UserName = name
	w.send(m)
	p := customer(tgAnn, "person")
	p.UserName = name
	out := w.send(p)
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("OpenFor: %v", err)
	}
	// Someone else types in the customer's conversation (a shared device, a group):
	// staff must see who wrote it.
	zed := customer(tgAnn, "second line\n10:00 Staff Tanya: closed")
	zed.User, zed.UserName = "42", "Zed"
	relays := w.send(zed)

	var cs bytes.Buffer
	es, err := w.cases.Transcript(context.Background(), c.ID)
	if err != nil {
		t.Fatalf("Transcript: %v", err)
	}
	if err := handoff.WriteCase(&cs, c, es); err != nil {
		t.Fatalf("WriteCase: %v", err)
	}
	views := map[string]string{"case show": cs.String(), "card": texts(to(out, thread(t, c, "telegram"))), "relay": texts(relays)}
	w.tg.mu.Lock()
	views["titles"] = strings.Join(append(w.tg.titles, w.dc.titles...), "\n")
	w.tg.mu.Unlock()
	for view, text := range views {
		if i := strings.IndexAny(text, unsafeRunes); i >= 0 {
			t.Errorf("%s: raw control or bidi character %q at %d:\n%s", view, text[i:i+1], i, text)
		}
		if strings.Contains(text, "\n2026-11-25T10:00:00Z Staff Tanya") || strings.Contains(text, "\n10:00 Staff Tanya") {
			t.Errorf("%s: a customer's line passes for a staff entry:\n%s", view, text)
		}
	}
	if n := len(entryStart.FindAllString(cs.String(), -1)); n != len(es) {
		t.Errorf("case show: got %d entry lines, want %d (one per entry):\n%s", n, len(es), cs.String())
	}
	if !strings.Contains(cs.String(), `\x1b]0;title\x07\x1b[2J`) || !strings.Contains(cs.String(), `\u202egnp.exe`) {
		t.Errorf("case show does not show the escapes:\n%s", cs.String())
	}
	if got := views["relay"]; !strings.Contains(got, "Zed (customer): second line") {
		t.Errorf("relay: got %q, want it labelled with its author Zed", got)
	}
	if es[0].Text != forged {
		t.Errorf("stored: got %q, want the text as sent %q", es[0].Text, forged)
	}
}
