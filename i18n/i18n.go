// Package i18n is the one place the bot's languages live: every text it says (the dialog,
// the read-back, the staff desk's notices to customers, its texts for staff, the "staff."
// ids, said in the desk's language, command menus), its button labels and plural forms, and the words its date reader knows ("yesterday", month and weekday
// names, "3 days ago", "the 12th"), one embedded catalog per language, locales/<code>.json.
// The answer words of the dialog's readers (yes/no, packaging, symptoms, a person) are
// the word files of dialog/understand, one per language too; a shop's LOCALES_DIR holds
// both kinds (<code>.json here, <code>.words.txt there), read by cmd/returnsbot.
//
// Catalogs are go-i18n message files (github.com/nicksnyder/go-i18n/v2, which parses them):
// a flat JSON object of message id to text, where a text names its placeholders the way
// go-i18n's templates do ({{.Date}}), or, for a text that counts, an object of CLDR plural
// forms ("one", "few", "many", "other"), chosen by golang.org/x/text's plural rules from
// {{.Count}} or the text's one other whole-number placeholder ({{.Number}} photos). A
// text English gives plural forms needs them in every language; any language may give
// them to a text that counts in its grammar only (Polish, Russian, Ukrainian). Texts are rendered by substituting the placeholders, not by text/template: its
// reflection would keep every method of every type in the binary (+8 MB here), and a
// shop's text has no business running template code. Ids starting with "date." or "command." hold lists of
// words, comma-separated. English is the reference: every catalog has every English id,
// with the placeholders the English text has (Check).
//
// A shop overrides any text or adds a language with files of the same format in a
// directory of its own (New with Options.Dir, LOCALES_DIR); a customer's language is
// matched to the catalogs with golang.org/x/text/language (de-AT reads German, pt-BR
// Portuguese, anything unknown the shop's default).
package i18n

import (
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/returnsbot/returnsbot/internal/bounded"
)

// MaxFileBytes bounds a language file read from a shop's directory: the shipped ones are
// about 20 KiB, so a file far larger is a mistake (or /dev/zero), not a catalog.
const MaxFileBytes = 1 << 20

//go:embed locales/*.json
var builtin embed.FS

// Shipped are the languages with a built-in catalog, English first.
var Shipped = []string{"en", "de", "fr", "es", "it", "pt", "pl", "ru", "uk"}

// HasBuiltin reports whether a catalog file name ("fr.json", "active.fr.json") is of a
// language with a built-in catalog, which it then only overrides.
func HasBuiltin(name string) bool {
	b, ok := FileLanguage(name)
	if !ok {
		return false
	}
	_, err := builtin.ReadFile("locales/" + b + ".json")
	return err == nil
}

// FileLanguage returns the base language code of a catalog file name, as New reads it:
// "fr.json" and "active.pt-BR.json" are "fr" and "pt"; false for a name without one.
func FileLanguage(name string) (string, bool) {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if i := strings.LastIndex(base, "."); i >= 0 {
		base = base[i+1:]
	}
	return BaseCode(base)
}

// BaseCode returns the base language of a BCP 47 tag ("de-AT" is "de"); false when code
// is no tag.
func BaseCode(code string) (string, bool) {
	t, err := language.Parse(strings.ReplaceAll(code, "_", "-"))
	if err != nil || t == language.Und {
		return "", false
	}
	b, _ := t.Base()
	return b.String(), true
}

// Options configure a Catalog.
type Options struct {
	// Dir is a directory of the shop's own catalogs (<code>.json), overriding built-in
	// texts and adding languages; empty for the built-in catalogs only.
	Dir string
	// Default is the shop's language, for customers whose language the bot lacks;
	// empty for English.
	Default string
}

// Catalog is a set of loaded catalogs. It is safe for concurrent use.
type Catalog struct {
	def     string
	langs   []string // base codes, sorted
	tags    []language.Tag
	matcher language.Matcher
	msgs    map[string]map[string]*goi18n.Message // by base code, then id
	// incomplete lists, by base code, the ids a shop's new language lacks.
	incomplete map[string][]string
	lists      sync.Map // lang+"\x00"+id -> []string
}

// New loads the built-in catalogs and then the shop's from opts.Dir.
func New(opts Options) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]*goi18n.Message{}}
	entries, err := builtin.ReadDir("locales")
	if err != nil {
		return nil, fmt.Errorf("i18n: built-in catalogs: %w", err)
	}
	for _, e := range entries {
		data, err := builtin.ReadFile("locales/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("i18n: built-in catalog %s: %w", e.Name(), err)
		}
		if err := c.add(data, e.Name()); err != nil {
			return nil, fmt.Errorf("i18n: built-in catalog %s: %w", e.Name(), err)
		}
	}
	if opts.Dir != "" {
		files, err := filepath.Glob(filepath.Join(opts.Dir, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("i18n: LOCALES_DIR %s: %w", opts.Dir, err)
		}
		if len(files) == 0 {
			if _, err := os.Stat(opts.Dir); err != nil {
				return nil, fmt.Errorf("i18n: LOCALES_DIR: %w", err)
			}
		}
		for _, f := range files {
			data, err := bounded.ReadFile(context.Background(), f, MaxFileBytes)
			if err != nil {
				return nil, fmt.Errorf("i18n: LOCALES_DIR: %w", err)
			}
			name := filepath.Base(f)
			problems, missing := check(data, name)
			if len(problems) > 0 {
				return nil, fmt.Errorf("i18n: LOCALES_DIR %s: %s", f, problems[0])
			}
			if len(missing) > 0 && !HasBuiltin(name) {
				// A new language written for an older release lacks the ids added since:
				// refusing to start would take the shop down on an upgrade, so those
				// texts are said in the shop's own language (see Incomplete).
				if c.incomplete == nil {
					c.incomplete = map[string][]string{}
				}
				lang, _ := FileLanguage(name)
				c.incomplete[lang] = missing
			}
			if err := c.add(data, name); err != nil {
				return nil, fmt.Errorf("i18n: LOCALES_DIR %s: %w", f, err)
			}
		}
	}
	for l := range c.msgs {
		c.langs = append(c.langs, l)
	}
	sort.Strings(c.langs)
	c.def = "en"
	if opts.Default != "" {
		d, ok := c.exact(opts.Default)
		if !ok {
			return nil, fmt.Errorf("i18n: DEFAULT_LANGUAGE %q: no catalog for it (have %s)", opts.Default, strings.Join(c.langs, " "))
		}
		c.def = d
	}
	// The matcher's first tag is the fallback for anything unknown: the shop's default.
	c.tags = []language.Tag{language.Make(c.def)}
	for _, l := range c.langs {
		if l != c.def {
			c.tags = append(c.tags, language.Make(l))
		}
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

// add parses one catalog file and lays its texts over those of its language.
func (c *Catalog) add(data []byte, name string) error {
	f, err := goi18n.ParseMessageFileBytes(data, name, nil)
	if err != nil {
		return err
	}
	base, _ := f.Tag.Base()
	if f.Tag == language.Und {
		return fmt.Errorf("name the file by its language, like fr.json")
	}
	l := base.String()
	if c.msgs[l] == nil {
		c.msgs[l] = map[string]*goi18n.Message{}
	}
	for _, m := range f.Messages {
		c.msgs[l][m.ID] = m
	}
	return nil
}

var (
	builtinOnce sync.Once
	builtinCat  *Catalog
	current     atomic.Pointer[Catalog]
)

// Builtin returns the built-in catalogs with English as the default.
func Builtin() *Catalog {
	builtinOnce.Do(func() {
		c, err := New(Options{})
		if err != nil {
			// The embedded catalogs are proved by the tests; a broken one is a build error.
			panic(err)
		}
		builtinCat = c
	})
	return builtinCat
}

// Current returns the catalogs the bot speaks from: Builtin until Use sets others.
func Current() *Catalog {
	if c := current.Load(); c != nil {
		return c
	}
	return Builtin()
}

// Use makes c the catalogs every part of the bot speaks from (a shop's LOCALES_DIR and
// DEFAULT_LANGUAGE, set once at start-up).
func Use(c *Catalog) { current.Store(c) }

// Incomplete returns, by language code, the ids the shop's new languages lack, for a
// warning at start: Text says them in the shop's default language, or else English.
// `returnsbot locales check` reports them as problems.
func (c *Catalog) Incomplete() map[string][]string { return c.incomplete }

// Default is the shop's language code.
func (c *Catalog) Default() string { return c.def }

// Languages returns the base codes of every language with a catalog, sorted.
func (c *Catalog) Languages() []string { return append([]string(nil), c.langs...) }

// exact returns the base code of code when a catalog has that base language.
func (c *Catalog) exact(code string) (string, bool) {
	// A session's language is one of the catalog's base codes, on every text of every
	// step: found without parsing the tag.
	for _, l := range c.langs {
		if l == code {
			return l, true
		}
	}
	t, err := language.Parse(strings.ReplaceAll(code, "_", "-"))
	if err != nil {
		return "", false
	}
	base, _ := t.Base()
	for _, l := range c.langs {
		if l == base.String() {
			return l, true
		}
	}
	return "", false
}

// Has reports whether a catalog speaks code's language ("de", "pt-BR").
func (c *Catalog) Has(code string) bool {
	_, ok := c.exact(code)
	return ok
}

// Match returns the base code of the catalog for a customer's language code (a BCP 47
// tag: "de-AT" → "de", "pt-BR" → "pt"); the shop's default for anything else.
func (c *Catalog) Match(code string) string {
	if l, ok := c.exact(code); ok {
		return l
	}
	if code == "" {
		return c.def
	}
	t, err := language.Parse(strings.ReplaceAll(code, "_", "-"))
	if err != nil {
		return c.def
	}
	_, i, conf := c.matcher.Match(t)
	if conf < language.High {
		return c.def
	}
	base, _ := c.tags[i].Base()
	return base.String()
}

// Text renders message id in language lang (matched as Match does), with data naming
// its placeholders; data["Count"], or else the one whole number among the placeholders
// of a text with plural forms, chooses the plural form. A message the
// language lacks is said in English; an id no catalog has comes back as itself, so a
// missing text shows rather than vanishes.
func (c *Catalog) Text(lang, id string, data map[string]any) string {
	l := c.Match(lang)
	m := c.msgs[l][id]
	if m == nil && l != c.def {
		l, m = c.def, c.msgs[c.def][id]
	}
	if m == nil {
		l, m = "en", c.msgs["en"][id]
	}
	if m == nil {
		return id
	}
	text := m.Other
	if count, ok := counted(m, data); ok {
		if s := form(m, pluralForm(l, count)); s != "" {
			text = s
		}
	}
	return render(text, data)
}

// counted returns the number that chooses the plural form of m: data["Count"], or, for a
// text with plural forms and no Count, its one placeholder whose value is a whole number
// ({{.Number}} photos); false when there is none, or more than one to choose from.
func counted(m *goi18n.Message, data map[string]any) (int, bool) {
	if n, ok := wholeNumber(data["Count"]); ok {
		return n, true
	}
	if !hasForms(m) {
		return 0, false
	}
	count, found := 0, false
	for p := range fields(m.Other) {
		if n, ok := wholeNumber(data[p]); ok {
			if found {
				return 0, false
			}
			count, found = n, true
		}
	}
	return count, found
}

// wholeNumber returns v as an int when it is one of Go's integer types.
func wholeNumber(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case uint:
		return int(n), true
	case uint32:
		return int(n), true
	case uint64:
		return int(n), true
	}
	return 0, false
}

// render fills the placeholders of text ({{.Name}}, as placeholderRe finds them) from
// data. It scans by hand: every reply renders several texts, and the regular expression
// was a tenth of a message's CPU (BenchmarkHandle).
func render(text string, data map[string]any) string {
	i := strings.Index(text, "{{")
	if i < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 32)
	for ; i >= 0; i = strings.Index(text, "{{") {
		b.WriteString(text[:i])
		name, n := placeholder(text[i:])
		if n == 0 { // not one: a placeholder may start at the next brace ("{{{.Name}}")
			b.WriteByte('{')
			text = text[i+1:]
			continue
		}
		switch v := data[name].(type) {
		case nil:
		case string:
			b.WriteString(v)
		default:
			fmt.Fprint(&b, v)
		}
		text = text[i+n:]
	}
	b.WriteString(text)
	return b.String()
}

// placeholder reads the placeholder that s starts with ("{{ .Name }}") and returns its
// name and length, or a length of 0 if s starts with none.
func placeholder(s string) (string, int) {
	i := 2
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) || s[i] != '.' {
		return "", 0
	}
	i++
	start := i
	for i < len(s) && ('a' <= s[i] && s[i] <= 'z' || 'A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	name := s[start:i]
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if name == "" || !strings.HasPrefix(s[i:], "}}") {
		return "", 0
	}
	return name, i + 2
}

// isSpace is the \s of placeholderRe.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// List returns the comma-separated words of id in lang, lower-cased and trimmed; a
// language that lacks the id has none.
func (c *Catalog) List(lang, id string) []string {
	key := lang + "\x00" + id
	if v, ok := c.lists.Load(key); ok {
		return v.([]string)
	}
	var out []string
	if l, ok := c.exact(lang); ok {
		if m := c.msgs[l][id]; m != nil {
			out = SplitList(m.Other)
		}
	}
	c.lists.Store(key, out)
	return out
}

// SplitList splits a comma-separated word list, lower-cased, dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, w := range strings.Split(s, ",") {
		if w = strings.ToLower(strings.Join(strings.Fields(w), " ")); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// DefaultFile returns the built-in catalog of lang, a starting point for a shop's own.
func DefaultFile(lang string) ([]byte, error) {
	data, err := builtin.ReadFile("locales/" + lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("no built-in catalog for %q (have %s)", lang, strings.Join(Shipped, " "))
	}
	return data, nil
}
