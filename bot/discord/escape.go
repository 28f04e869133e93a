package discord

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxContent is the longest message content Discord accepts, in UTF-16 code units (what
// its API counts; a rune count would let emoji-heavy text through too long).
const MaxContent = 2000

// zwsp is a zero-width space: inserted after "@" in "@everyone"/"@here" and after "<" of
// mention syntax ("<@id>", "<#id>", "<t:...>"), it stops Discord from parsing a mention
// while the text still reads the same. allowed_mentions already stops pings; this also
// stops the highlight and the lookup of ids a customer typed.
const zwsp = "\u200b"

// Escape makes plain text safe to send as Discord message content: markdown characters are
// backslash-escaped so a customer's "**water**" shows as typed, and mention syntax is
// broken with a zero-width space. Line-start markup (quotes, headings, lists) is escaped
// only at the start of a line, where Discord reads it.
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	rs := []rune(s)
	lineStart := true // only spaces since the start of the line
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\n':
			lineStart = true
			b.WriteRune(r)
			continue
		case strings.ContainsRune("\\*_~`|[]", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case lineStart && strings.ContainsRune(">#-+", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case lineStart && r >= '0' && r <= '9':
			// "1. item" would become an ordered list: escape the dot after the digits.
			j := i
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			b.WriteString(string(rs[i:j]))
			if j < len(rs) && rs[j] == '.' {
				b.WriteString(`\.`)
				j++
			}
			i = j - 1
		case r == '@' && (hasPrefixFold(rs[i+1:], "everyone") || hasPrefixFold(rs[i+1:], "here")):
			b.WriteString("@" + zwsp)
		case r == '<' && i+1 < len(rs) && strings.ContainsRune("@#:/ta", rs[i+1]):
			b.WriteString("<" + zwsp)
		default:
			b.WriteRune(r)
		}
		if r != ' ' && r != '\t' {
			lineStart = false
		}
	}
	return b.String()
}

func hasPrefixFold(rs []rune, prefix string) bool {
	if len(rs) < len(prefix) {
		return false
	}
	return strings.EqualFold(string(rs[:len(prefix)]), prefix)
}

// utf16Len is the length of s as Discord counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// splitEscaped escapes text and cuts it into pieces of at most limit UTF-16 units each,
// preferring to cut at a line break, then at a space. It splits the plain text and escapes
// each piece, so a cut never separates an escape from the character it escapes, and a
// piece that starts mid-line gets the line-start escapes it needs as a message of its own.
func splitEscaped(text string, limit int) []string {
	var out []string
	// Discord refuses whitespace-only content and trims the rest: trim it here, so
	// an empty reply sends nothing and the pieces are what Discord shows.
	text = strings.TrimRight(text, " \n")
	for text != "" {
		if e := Escape(text); utf16Len(e) <= limit {
			out = append(out, e)
			break
		}
		// The longest prefix, in whole runes, whose escaped form fits. Escaping never
		// shortens a prefix, so the fitting prefixes are an interval: binary search it.
		lo, hi := 0, len(text) // text[:lo] fits, text[:hi] does not
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			for mid > lo && !utf8.RuneStart(text[mid]) {
				mid--
			}
			if mid == lo {
				// no rune boundary strictly between lo and hi other than lo
				mid = lo + 1
				for mid < hi && !utf8.RuneStart(text[mid]) {
					mid++
				}
				if mid == hi {
					break
				}
			}
			if utf16Len(Escape(text[:mid])) <= limit {
				lo = mid
			} else {
				hi = mid
			}
		}
		cut := lo
		if cut == 0 { // cannot happen for limit >= 4; make progress regardless
			_, size := utf8.DecodeRuneInString(text)
			cut = size
		}
		if i := strings.LastIndexByte(text[:cut], '\n'); i > cut/2 {
			cut = i + 1
		} else if i := strings.LastIndexByte(text[:cut], ' '); i > cut/2 {
			cut = i + 1
		}
		piece := strings.TrimRight(text[:cut], " \n")
		if piece != "" {
			out = append(out, Escape(piece))
		}
		text = strings.TrimLeft(text[cut:], " \n")
	}
	return out
}
