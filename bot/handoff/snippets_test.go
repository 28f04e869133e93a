package handoff_test

import (
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

const snippetsFile = `# Canned replies of the staff desk.
[refund_sent]
Hello {name}, the refund for claim {claim} is on its way.

[refund_sent de]
Hallo {name}, die Erstattung für Vorgang {claim} ist unterwegs.

[deadline]
Please send the goods back by {last_return_day}.
`

func TestParseSnippets(t *testing.T) {
	s, err := handoff.ParseSnippets(snippetsFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Names(), "|"); got != "deadline|refund_sent (de)" {
		t.Fatalf("Names = %q", got)
	}
	for _, tt := range []struct{ lang, want string }{
		{"de", "Hallo {name}"}, {"de-AT", "Hallo {name}"}, {"fr", "Hello {name}"}, {"", "Hello {name}"},
	} {
		if got, ok := s.Text("refund_sent", tt.lang); !ok || !strings.HasPrefix(got, tt.want) {
			t.Errorf("Text(refund_sent, %q) = %q, %v; want %q...", tt.lang, got, ok, tt.want)
		}
	}
	for _, tt := range []struct{ file, want string }{
		{"[x]\nHi {customer}\n", "line 1: snippet x: unknown placeholder {customer}"},
		{"[x de]\nHallo\n", "snippet x has no default text"},
		{"hello\n[x]\nHi\n", "line 1: text before the first [NAME] header"},
		{"[X Y Z]\nHi\n", `line 1: want a header [NAME] or [NAME LANG]`},
		{"[x]\n\n[y]\nHi\n", "line 1: snippet x has no text"},
		{"[x]\nHi\n[x]\nHo\n", "line 3: snippet [x] is given twice"},
	} {
		if _, err := handoff.ParseSnippets(tt.file); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSnippets(%q) error %v, want %q", tt.file, err, tt.want)
		}
	}
}

// /s NAME sends the snippet, filled and in the customer's language, as the claimer's
// message; /s lists them; a snippet needing what the case lacks sends nothing.
func TestSnippetInThread(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	s, err := handoff.ParseSnippets(snippetsFile)
	if err != nil {
		t.Fatal(err)
	}
	w.desk.Snippets = s
	hi := customer(tgAnn, "hallo")
	hi.Lang = "de"
	w.send(hi)
	c := w.escalate(tgAnn)
	th := thread(t, c, "telegram")
	out := w.send(staffMsg(th, tgStaff, "/s refund_sent"))
	if got := texts(to(out, tgAnn)); got != "" {
		t.Fatalf("a snippet before the claim reached the customer: %q", got)
	}
	w.send(staffMsg(th, tgStaff, "/claim"))
	out = w.send(staffMsg(th, tgStaff, "/s refund_sent"))
	want := "Hallo Ann, die Erstattung für Vorgang " + c.Claim + " ist unterwegs."
	if got := texts(to(out, tgAnn)); got != want {
		t.Fatalf("the customer got %q, want %q", got, want)
	}
	if got := texts(to(out, thread(t, c, "discord"))); !strings.Contains(got, want) {
		t.Fatalf("the other desk got %q, want the snippet as sent", got)
	}
	out = w.send(staffMsg(th, tgStaff, "/s deadline"))
	if got := texts(out); !strings.Contains(got, "needs {last_return_day}") || len(to(out, tgAnn)) != 0 {
		t.Fatalf("a snippet missing its date got %q", got)
	}
	out = w.send(staffMsg(th, tgStaff, "/s"))
	if got := texts(to(out, th)); !strings.Contains(got, "deadline, refund_sent (de)") {
		t.Fatalf("/s listed %q", got)
	}
	out = w.send(staffMsg(th, tgStaff, "/s nope"))
	if got := texts(to(out, th)); !strings.Contains(got, "no snippet nope") {
		t.Fatalf("/s nope got %q", got)
	}
}
