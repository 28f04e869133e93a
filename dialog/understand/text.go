package understand

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// token is one word of a text: its normalised form in tokens.norm and where it stands in
// the original text.
type token struct {
	a, b       int32 // the normalised word is norm[a:b]
	start, end int32 // the word's bytes in the original text
	brk        bool  // punctuation that ends a clause comes before this word
}

// tokens is a text split into words. Words are lower-cased, apostrophes dropped ("don't"
// reads as "dont", so either spelling matches), and German letters folded (ä → ae,
// ö → oe, ü → ue, ß → ss) so "weiß" and "weiss" are one word; other Latin letters lose
// their accents ("sí" is "si", "ł" "l"), Cyrillic letters keep theirs.
type tokens struct {
	norm  []byte
	toks  []token
	hits  []hit
	lang  *lang   // the language first was prepared for
	first []*node // the trie node of each word alone in lang
}

var pool = sync.Pool{New: func() any { return new(tokens) }}

// getTokens splits text into a pooled tokens; release it with putTokens.
func getTokens(text string) *tokens {
	t := pool.Get().(*tokens)
	t.split(text)
	return t
}

func putTokens(t *tokens) {
	if cap(t.norm) > 1<<16 {
		return // a huge message: let its buffers go
	}
	pool.Put(t)
}

// word returns the normalised word i.
func (t *tokens) word(i int) []byte {
	k := t.toks[i]
	return t.norm[k.a:k.b]
}

// split fills t with the words of text.
func (t *tokens) split(text string) {
	t.norm, t.toks, t.lang = t.norm[:0], t.toks[:0], nil
	open, brk := false, false
	var cur token
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		switch {
		case isWordRune(r):
			if !open {
				cur = token{a: int32(len(t.norm)), start: int32(i), brk: brk}
				open, brk = true, false
			}
			if 'A' <= r && r <= 'Z' {
				t.norm = append(t.norm, byte(r+'a'-'A'))
			} else if r < utf8.RuneSelf {
				t.norm = append(t.norm, byte(r))
			} else {
				t.norm = fold(t.norm, r)
			}
			cur.end = int32(i + size)
		case isApostrophe(r):
			// joins: "don't" is one word, "dont"
		default:
			if open {
				cur.b = int32(len(t.norm))
				t.toks = append(t.toks, cur)
				open = false
			}
			if isBreak(r) {
				brk = true
			}
		}
		i += size
	}
	if open {
		cur.b = int32(len(t.norm))
		t.toks = append(t.toks, cur)
	}
}

// hasBreak reports whether punctuation stands between two of the words.
func (t *tokens) hasBreak() bool {
	for i, k := range t.toks {
		if i > 0 && k.brk {
			return true
		}
	}
	return false
}

// isWordRune reports whether r belongs to a word: a letter or a digit.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func fold(dst []byte, r rune) []byte {
	switch r = unicode.ToLower(r); r {
	case 'ä':
		return append(dst, 'a', 'e')
	case 'ö':
		return append(dst, 'o', 'e')
	case 'ü':
		return append(dst, 'u', 'e')
	case 'ß':
		return append(dst, 's', 's')
	case 'ł':
		return append(dst, 'l')
	}
	if 0xC0 <= r && r <= 0x24F {
		// Other Latin letters lose their accents: "sí" is "si", "não" "nao", "è" "e".
		if base := []rune(norm.NFD.String(string(r))); len(base) > 0 && base[0] < utf8.RuneSelf {
			return append(dst, byte(base[0]))
		}
	}
	if r < utf8.RuneSelf {
		return append(dst, byte(r))
	}
	return utf8.AppendRune(dst, r)
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', '´', 'ʼ':
		return true
	}
	return false
}

// isBreak reports whether r ends a clause: a clause is read on its own, so "not" in one
// never negates a word in the next.
func isBreak(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '(', ')', '[', ']', '\n', '\r', '–', '—', '…', '¿', '¡':
		return true
	}
	return false
}
