package understand

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"
)

// node is a word trie: the phrases of a language, word by word. A node ends the phrases of
// the sections in mask; weak marks those of them that only count when asked (see Find).
type node struct {
	next map[string]*node
	mask uint64
	weak uint64
}

func newNode() *node { return &node{next: map[string]*node{}} }

// add files the phrase in t under sec.
func (n *node) add(t *tokens, sec section, weak bool) {
	for i := range t.toks {
		w := string(t.word(i))
		c := n.next[w]
		if c == nil {
			c = newNode()
			n.next[w] = c
		}
		n = c
	}
	n.mask |= bit(sec)
	if weak {
		n.weak |= bit(sec)
	}
}

// The sections among which one phrase must have one meaning: those a reader looks for
// together.
var groups = []uint64{
	bit(secYes) | bit(secNo) | bit(secUnsure) | bit(secIgnore),
	bit(secUnsure) | bit(secIntact) | bit(secComplete) | bit(secDamaged) | bit(secIncomplete) | bit(secIgnore),
	bit(secYes) | bit(secNo) | bit(secUnsure) | bit(secFaulty) | bit(secWorks) | bit(secIgnore),
	bit(secPersonNoun) | bit(secPersonVerb) | bit(secFiller),
	bit(secTargetDate) | bit(secTargetPackaging) | bit(secTargetCarrier) | bit(secTargetDefect) | bit(secTargetDetails),
}

// ambiguous reports each phrase filed under two sections of one group, sorted.
func (n *node) ambiguous(words []string) []string {
	var out []string
	for _, g := range groups {
		if m := n.mask & g; bits.OnesCount64(m) > 1 {
			var names []string
			for s := range numSections {
				if m&bit(s) != 0 {
					names = append(names, "["+sectionNames[s]+"]")
				}
			}
			out = append(out, fmt.Sprintf("%q is in %s: a reader could not tell which is meant", strings.Join(words, " "), strings.Join(names, " and ")))
			break
		}
	}
	for w, c := range n.next {
		out = append(out, c.ambiguous(append(words, w))...)
	}
	if len(words) == 0 {
		sort.Strings(out)
	}
	return out
}

// match is a phrase found in a text.
type match struct {
	sec  section
	n    int  // its length in words; 0 when none was found
	weak bool // the phrase only counts when asked
}

// use prepares t for reading in l: the trie node of each word alone, so each word is
// looked up once.
func (t *tokens) use(l *lang) {
	if t.lang == l {
		return
	}
	t.lang = l
	t.first = t.first[:0]
	for i := range t.toks {
		t.first = append(t.first, l.root.next[string(t.word(i))])
	}
}

// longest returns the longest phrase of a section in active starting at word i and
// ending before word end; t must be prepared with use(l).
func (l *lang) longest(t *tokens, i, end int, active uint64) match {
	var m match
	if i >= end {
		return m
	}
	n := t.first[i]
	for j := i; n != nil; {
		if hit := n.mask & active; hit != 0 {
			s := section(bits.TrailingZeros64(hit))
			m = match{sec: s, n: j - i + 1, weak: n.weak&bit(s) != 0}
		}
		if j++; j >= end {
			break
		}
		n = n.next[string(t.word(j))]
	}
	return m
}

// is reports whether word i alone is an entry of section s.
func (l *lang) is(t *tokens, i int, s section) bool {
	n := t.first[i]
	return n != nil && n.mask&bit(s) != 0
}
