package handoff

import (
	"strings"
	"testing"
	"time"
)

// A long conversation keeps its end within one message.
func TestCustomerCopyKeepsTheEnd(t *testing.T) {
	c := &Case{ID: "abcdefgh", Lang: "en"}
	var es []Entry
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i := range 200 {
		es = append(es, Entry{At: at, Who: Customer, Text: strings.Repeat("x", 40) + string(rune('A'+i%26))})
	}
	es = append(es, Entry{At: at, Who: Customer, Text: "the last words"})
	got := customerCopy(c, es)
	if len(got) > maxCopy+200 || !strings.HasSuffix(got, "You: the last words") || !strings.Contains(got, "(earlier messages left out)") {
		t.Fatalf("copy of %d bytes ends %q, want at most about %d ending with the last words, marked cut", len(got), got[len(got)-40:], maxCopy)
	}
}
