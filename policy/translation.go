package policy

import (
	"fmt"
	"sort"
	"strings"
)

// Translation is a shop's own policy text in another language, with the same clause and
// exclusion ids as the policy. A decision quotes a customer the clauses of the translation
// in their language, word for word; the bot never translates policy text itself.
//
// A translation file has the policy file's form: a header of "clause ID: WORDS" and
// "exclusion ID: WORDS" lines (each exclusion may have an indented "ask: QUESTION" in the
// language, and "hints:" in the language, which join the exclusion's hints), a line "---",
// and the translated text. Every clause and exclusion of the
// policy must be mapped, and no other.
type Translation struct {
	// Lang is the base language code ("fr").
	Lang string
	// Text is the translated policy as customers read it.
	Text    string
	clauses map[string]Clause
	asks    map[string]string
	hints   map[string][]string
}

// TranslationRef is a "translation LANG: FILE" line of a policy file.
type TranslationRef struct {
	Lang, File string
	Line       int
}

// ParseTranslation reads a translation of p into language lang (a base code such as
// "fr") and checks that it maps every clause and exclusion of p.
func ParseTranslation(p *Policy, lang, file string) (*Translation, error) {
	file = strings.ReplaceAll(file, "\r\n", "\n")
	header, text, ok := cutSeparator(file)
	if !ok {
		return nil, &ParseError{Problems: []string{`no "---" line separates the clause lines from the translated text`}}
	}
	t := &Translation{Lang: lang, Text: text, clauses: map[string]Clause{}, asks: map[string]string{}, hints: map[string][]string{}}
	var problems []string
	fail := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, args...)))
	}
	paragraphs := splitClauses(text)
	cur := ""
	for l := range settingLines(header, fail) {
		n, key, value := l.n, l.key, l.value
		if l.indented {
			switch {
			case cur != "" && key == "ask":
				t.asks[cur] = value
			case cur != "" && key == "hints":
				for _, h := range strings.Split(value, ",") {
					if h = strings.ToLower(strings.TrimSpace(h)); h != "" && h != "*" {
						t.hints[cur] = append(t.hints[cur], h)
					}
				}
			default:
				fail(n, "indented %q: a translation takes only an exclusion's ask: and hints:", key)
			}
			continue
		}
		cur = ""
		kind, id, _ := strings.Cut(key, " ")
		id = strings.TrimSpace(id)
		if kind != "clause" && kind != "exclusion" {
			fail(n, "unknown setting %q: a translation has clause and exclusion lines", key)
			continue
		}
		if _, ok := p.clauses[id]; !ok {
			fail(n, "%s %s: the policy has no clause or exclusion with that id", kind, id)
			continue
		}
		if _, dup := t.clauses[id]; dup {
			fail(n, "id %s is used twice", id)
			continue
		}
		var found []string
		for _, para := range paragraphs {
			if strings.HasPrefix(para, value) {
				found = append(found, para)
			}
		}
		switch len(found) {
		case 0:
			fail(n, "%s %s: no paragraph or bullet of the translated text starts with %q", kind, id, value)
		case 1:
			t.clauses[id] = Clause{ID: id, Text: found[0], Lang: lang}
			if kind == "exclusion" {
				cur = id
			}
		default:
			fail(n, "%s %s: %d paragraphs start with %q; quote more words", kind, id, len(found), value)
		}
	}
	var missing []string
	for id := range p.clauses {
		if _, ok := t.clauses[id]; !ok {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		problems = append(problems, "not mapped: "+strings.Join(missing, ", "))
	}
	if len(problems) > 0 {
		return nil, &ParseError{Problems: problems}
	}
	return t, nil
}

// AddTranslation makes t the policy's text for customers of t.Lang; its hints join the
// exclusions' own, so a description in that language hints at them too.
func (p *Policy) AddTranslation(t *Translation) {
	if p.translations == nil {
		p.translations = map[string]*Translation{}
	}
	p.translations[t.Lang] = t
	for i := range p.Exclusions {
		if h := t.hints[p.Exclusions[i].ID]; len(h) > 0 {
			p.Exclusions[i].Hints = append(p.Exclusions[i].Hints, h...)
			p.Exclusions[i].compiled = compileHints(p.Exclusions[i].Hints)
		}
	}
}

// Translations returns the languages the shop translated its policy into, sorted.
func (p *Policy) Translations() []string {
	var out []string
	for l := range p.translations {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// ClauseIn returns clause id as a customer of language lang (a base code) reads it: the
// shop's translation when it wrote one, otherwise its own text.
func (p *Policy) ClauseIn(lang, id string) (Clause, bool) {
	if t, ok := p.translations[lang]; ok {
		if c, ok := t.clauses[id]; ok {
			return c, true
		}
	}
	return p.Clause(id)
}

// AskIn returns the question confirming exclusion id in language lang, when the shop's
// translation has one.
func (p *Policy) AskIn(lang, id string) (string, bool) {
	if t, ok := p.translations[lang]; ok {
		if a, ok := t.asks[id]; ok && a != "" {
			return a, true
		}
	}
	return "", false
}
