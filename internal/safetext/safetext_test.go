package safetext_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/internal/safetext"
)

func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain kettle, 20 €", "plain kettle, 20 €"},
		{"\x1b]0;title\a", `\x1b]0;title\x07`},
		{"\x1b[2J", `\x1b[2J`},
		{"a\nb\tc\rd", `a\x0ab\x09c\x0dd`},
		{"c1 \u0085 \u009b", `c1 \x85 \x9b`},
		{"evil\u202Etxt.exe", `evil\u202etxt.exe`},
		{"\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c", `\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c`},
		{"line\u2028sep", `line\u2028sep`},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		if got := safetext.Line(tt.in); got != tt.want {
			t.Errorf("Line(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBlock(t *testing.T) {
	tests := []struct{ in, want string }{
		{"one line", "one line"},
		{"hi\n2026-11-25T10:00:00Z Staff Tanya (telegram): refund approved", "hi\n    | 2026-11-25T10:00:00Z Staff Tanya (telegram): refund approved"},
		{"a\r\nb\x1b[2J", "a\n    | b\\x1b[2J"},
	}
	for _, tt := range tests {
		if got := safetext.Block(tt.in, "    | "); got != tt.want {
			t.Errorf("Block(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
