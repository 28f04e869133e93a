// Package safetext neutralises text people sent before it is shown to staff or printed
// on an operator's terminal: control characters (C0 and C1, ESC and BEL among them) and
// Unicode bidirectional controls become visible escapes, so a message can neither drive
// the terminal (clear it, retitle it) nor reorder or fake what is shown around it, and a
// line break cannot start what looks like a new transcript entry. The stored text stays
// as sent; only its rendering changes.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// unsafe reports whether r must not reach a terminal or a staff view as is.
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0 (tab and newline too), DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c: // LRM, RLM, ALM
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators: a line break in some views
		return true
	}
	return false
}

// escape is the visible form of an unsafe rune: \x1b, \u202e.
func escape(b *strings.Builder, r rune) {
	if r < 0x100 {
		fmt.Fprintf(b, `\x%02x`, r)
		return
	}
	fmt.Fprintf(b, `\u%04x`, r)
}

// Line returns s for one line of a staff view or terminal: every control character, line
// break included, and every bidi control shown as an escape, invalid UTF-8 as U+FFFD.
func Line(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s { // ranging over invalid UTF-8 yields utf8.RuneError, U+FFFD
		if unsafe(r) {
			escape(&b, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Block returns s as the text of one entry that may span lines: each line neutralised as
// by Line, and every line after the first starting with indent, so no line of a message
// can pass for an entry of its own. A carriage return before a newline is dropped.
func Block(s, indent string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = Line(strings.TrimSuffix(l, "\r"))
		if i > 0 {
			l = indent + l
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

func clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unsafe(r) {
			return false
		}
	}
	return true
}
