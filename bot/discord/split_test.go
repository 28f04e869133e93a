package discord

import (
	"strings"
	"testing"
)

// unescape undoes Escape, for checking that splitting loses nothing.
func unescape(s string) string {
	s = strings.ReplaceAll(s, zwsp, "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestSplitEscaped(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "hello *you*", 20, []string{`hello \*you\*`}},
		{"empty", "", 20, nil},
		{"only blanks", " \n \n", 20, nil},
		{"at line break", "first line\nsecond line", 15, []string{"first line", "second line"}},
		{"at space", "aaaa bbbb cccc dddd", 10, []string{"aaaa bbbb", "cccc dddd"}},
		{"escapes counted", "** ** ** **", 10, []string{`\*\* \*\*`, `\*\* \*\*`}},
		{"no space: hard cut", "abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"escape never split", "a*b*c*d*", 4, []string{`a\*b`, `\*c`, `\*d`, `\*`}},
		{"a piece starts a line", "xxxxxxxx #tag", 9, []string{"xxxxxxxx", `\#tag`}},
		{"emoji counts two", "😀😀😀😀", 4, []string{"😀😀", "😀😀"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitEscaped(tt.text, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("splitEscaped(%q, %d):\ngot  %q\nwant %q", tt.text, tt.limit, got, tt.want)
			}
			for _, p := range got {
				if n := utf16Len(p); n > tt.limit {
					t.Errorf("piece %q is %d units, limit %d", p, n, tt.limit)
				}
			}
		})
	}
}

func FuzzSplitEscaped(f *testing.F) {
	f.Add("Line 1 has **bold** and _x_ 😀.\n> quote @everyone <@1>", 7)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 4 || limit > 3000 || !strings.EqualFold(text, strings.ToValidUTF8(text, "")) {
			return // not an input the function is given
		}
		pieces := splitEscaped(text, limit)
		var plain []string
		for _, p := range pieces {
			if n := utf16Len(p); n > limit {
				t.Fatalf("piece %q is %d units, limit %d", p, n, limit)
			}
			plain = append(plain, unescape(p))
		}
		// Only blanks at the cuts may go.
		squash := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, zwsp, "")), "") }
		if got, want := squash(strings.Join(plain, "")), squash(text); got != want {
			t.Fatalf("splitEscaped(%q, %d) lost text: %q", text, limit, pieces)
		}
	})
}
