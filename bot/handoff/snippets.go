package handoff

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Snippets are staff's canned replies (SNIPPETS_FILE), sent with /s NAME. A file is UTF-8
// text; "#" starts a comment line outside a snippet's text. "[NAME]" starts a snippet's
// default text, "[NAME LANG]" its text in a language (de, pt-BR); the text is the lines
// below, up to the next header, without the blank lines around it. The text may use
// {name} (the customer's name), {claim} (their claim id) and {last_return_day} (the
// claim's last return day); any other {word} is an error.
type Snippets struct {
	texts map[string]map[string]string // name -> language ("" for the default) -> text
}

// MaxSnippetsBytes bounds a snippets file.
const MaxSnippetsBytes = 1 << 20

// maxSnippet bounds one snippet's text: it is one chat message.
const maxSnippet = 3500

var (
	snippetHeader = regexp.MustCompile(`^\[([a-z0-9_-]{1,32})(?: ([a-z]{2,3}(?:-[A-Za-z]{2,4})?))?\]$`)
	placeholder   = regexp.MustCompile(`\{[^{}\s]*\}`)
)

// snippetFields are the placeholders a snippet may use.
var snippetFields = []string{"{name}", "{claim}", "{last_return_day}"}

// ParseSnippets reads a snippets file, listing every problem with its line number.
func ParseSnippets(file string) (*Snippets, error) {
	s := &Snippets{texts: map[string]map[string]string{}}
	var problems []string
	var name, lang string
	var body []string
	var start int
	flush := func() {
		if name == "" {
			return
		}
		text := strings.TrimSpace(strings.Join(body, "\n"))
		switch {
		case text == "":
			problems = append(problems, fmt.Sprintf("line %d: snippet %s has no text", start, name))
		case len(text) > maxSnippet:
			problems = append(problems, fmt.Sprintf("line %d: snippet %s is %d bytes, at most %d", start, name, len(text), maxSnippet))
		}
		for _, p := range placeholder.FindAllString(text, -1) {
			if !slices.Contains(snippetFields, p) {
				problems = append(problems, fmt.Sprintf("line %d: snippet %s: unknown placeholder %s (use %s)", start, name, p, strings.Join(snippetFields, ", ")))
			}
		}
		if s.texts[name] == nil {
			s.texts[name] = map[string]string{}
		}
		if _, dup := s.texts[name][lang]; dup {
			problems = append(problems, fmt.Sprintf("line %d: snippet [%s] is given twice", start, strings.TrimSpace(name+" "+lang)))
		}
		s.texts[name][lang] = text
		name, lang, body = "", "", nil
	}
	for i, line := range strings.Split(strings.ReplaceAll(file, "\r\n", "\n"), "\n") {
		n := i + 1
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			m := snippetHeader.FindStringSubmatch(t)
			if m == nil {
				problems = append(problems, fmt.Sprintf("line %d: want a header [NAME] or [NAME LANG], NAME of a-z 0-9 _ - (at most 32), got %q", n, t))
				continue
			}
			flush()
			name, lang, start = m[1], m[2], n
			continue
		}
		if name == "" {
			if t != "" && !strings.HasPrefix(t, "#") {
				problems = append(problems, fmt.Sprintf("line %d: text before the first [NAME] header", n))
			}
			continue
		}
		body = append(body, strings.TrimRight(line, " \t"))
	}
	flush()
	for name, byLang := range s.texts {
		if _, ok := byLang[""]; !ok {
			problems = append(problems, fmt.Sprintf("snippet %s has no default text: add a [%s] header without a language", name, name))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("snippets: %s", strings.Join(problems, "; "))
	}
	return s, nil
}

// Names lists the snippets, sorted, each with the languages it has beyond the default:
// "refund_sent (de, fr)".
func (s *Snippets) Names() []string {
	if s == nil {
		return nil
	}
	var out []string
	for name, byLang := range s.texts {
		var langs []string
		for l := range byLang {
			if l != "" {
				langs = append(langs, l)
			}
		}
		slices.Sort(langs)
		if len(langs) > 0 {
			name += " (" + strings.Join(langs, ", ") + ")"
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Text returns the snippet's text in the customer's language lang ("de-AT" falls back to
// "de"), else its default text.
func (s *Snippets) Text(name, lang string) (string, bool) {
	if s == nil {
		return "", false
	}
	byLang, ok := s.texts[name]
	if !ok {
		return "", false
	}
	if t, ok := byLang[lang]; ok && lang != "" {
		return t, true
	}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		if t, ok := byLang[base]; ok {
			return t, true
		}
	}
	return byLang[""], true
}

// fillSnippet puts the values into the text's placeholders; missing names the first
// placeholder the text uses whose value is empty.
func fillSnippet(text string, values map[string]string) (filled, missing string) {
	for _, f := range snippetFields {
		if strings.Contains(text, f) && values[f] == "" && missing == "" {
			missing = f
		}
	}
	if missing != "" {
		return "", missing
	}
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, k, v)
	}
	return strings.NewReplacer(pairs...).Replace(text), ""
}
