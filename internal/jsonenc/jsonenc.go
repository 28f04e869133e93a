// Package jsonenc writes JSON by hand where encoding/json's reflection showed in a
// profile of the bot (a session on every dialog step, a rolling-log entry on every
// customer message). What it writes is what json.Marshal writes, byte for byte: the
// tests of its callers and FuzzAppendString hold it to that.
package jsonenc

import "unicode/utf8"

// safeASCII is true for the ASCII bytes encoding/json copies into a string unescaped with
// its default HTML escaping: all but control characters, '"', '\\', '<', '>' and '&'.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

const hex = "0123456789abcdef"

// AppendString appends s as encoding/json encodes a string (its appendString with
// escapeHTML set). Customer text passes through it into stored sessions and transcripts,
// so every divergence would be a value that reads back differently.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				// Other control characters, and '<', '>' and '&' lest the JSON be
				// embedded in HTML.
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// LINE and PARAGRAPH SEPARATOR are valid JSON but break JavaScript (JSONP), so
		// encoding/json escapes them.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
