package understand

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// words holds one word file per language, named by its base language code.
//
//go:embed words/*.txt
var wordFS embed.FS

// section is one key of a word file: a list of phrases with one meaning.
type section uint8

// The sections of a word file, in the order of sectionNames.
const (
	secNone section = iota // no section: a negation without an opposite
	secYes
	secNo
	secUnsure
	secNegator
	secNegatorAfter
	secSplit
	secIgnore
	secIntact
	secComplete
	secDamaged
	secIncomplete
	secPackTopic
	secProductTopic
	secFaulty
	secWorks
	secPersonNoun
	secPersonVerb
	secFiller
	secDispute
	secWhy
	secChange
	secChangeVerb
	secChangeWrong
	secTargetDate
	secTargetPackaging
	secTargetCarrier
	secTargetDefect
	secTargetDetails
	numSections
)

// sectionNames are the keys of a word file, as written between brackets.
var sectionNames = [numSections]string{
	secYes:             "yes",
	secNo:              "no",
	secUnsure:          "unsure",
	secNegator:         "negators",
	secNegatorAfter:    "negators_after",
	secSplit:           "split",
	secIgnore:          "ignore",
	secIntact:          "packaging.intact",
	secComplete:        "packaging.complete",
	secDamaged:         "packaging.damaged",
	secIncomplete:      "packaging.incomplete",
	secPackTopic:       "packaging.topic",
	secProductTopic:    "product.topic",
	secFaulty:          "defect.faulty",
	secWorks:           "defect.works",
	secPersonNoun:      "person.nouns",
	secPersonVerb:      "person.verbs",
	secFiller:          "filler",
	secDispute:         "dispute",
	secWhy:             "why",
	secChange:          "change",
	secChangeVerb:      "change.verbs",
	secChangeWrong:     "change.wrong",
	secTargetDate:      "target.receipt_date",
	secTargetPackaging: "target.packaging",
	secTargetCarrier:   "target.carrier_check",
	secTargetDefect:    "target.defect",
	secTargetDetails:   "target.defect_details",
}

// targets maps a target section to the question id Request.Target names.
var targets = [...]struct {
	sec section
	id  string
}{
	{secTargetDate, "receipt_date"},
	{secTargetPackaging, "packaging"},
	{secTargetCarrier, "carrier_check"},
	{secTargetDefect, "defect"},
	{secTargetDetails, "defect_details"},
}

// singleWord are the sections whose entries must be one word each: they are looked up
// word by word.
const singleWord = 1<<secNegator | 1<<secNegatorAfter | 1<<secSplit | 1<<secFiller

// bit returns the mask of one section.
func bit(s section) uint64 { return 1 << s }

// lang is the prepared word table of one language.
type lang struct {
	code string
	root *node
}

// Words are the answer words of a set of languages, prepared for the readers: the
// built-in ones (Builtin), or those with a shop's own word files laid over them
// (NewWords). A Words is never changed once made, so it is safe for concurrent use.
type Words struct {
	langs []*lang // sorted by code: the order the others are tried in
}

var (
	builtin = mustLoad() // parsed once at init (about 3 ms), never at the first message
	current atomic.Pointer[Words]
)

// Builtin returns the words of the embedded files.
func Builtin() *Words { return builtin }

// Use makes w the words every reader reads with (a shop's, set once at start-up); nil
// restores the built-in ones.
func Use(w *Words) {
	if w == nil {
		w = builtin
	}
	current.Store(w)
}

// currentWords returns the words the readers read with.
func currentWords() *Words {
	if w := current.Load(); w != nil {
		return w
	}
	return builtin
}

// Languages returns the codes of the languages the readers know ("de", "en", ...),
// sorted: the built-in ones and any a shop's files added (Use).
func Languages() []string { return currentWords().Languages() }

// Languages returns the codes of the languages w holds, sorted.
func (w *Words) Languages() []string {
	codes := make([]string, len(w.langs))
	for i, l := range w.langs {
		codes[i] = l.code
	}
	return codes
}

// HasBuiltin reports whether code (a base language code: "fr") has built-in words.
func HasBuiltin(code string) bool {
	_, err := BuiltinFile(code)
	return err == nil
}

// BuiltinFile returns the embedded word file of code, a starting point for a shop's own.
func BuiltinFile(code string) ([]byte, error) {
	if validCode(code) {
		if data, err := wordFS.ReadFile(path.Join("words", code+".txt")); err == nil {
			return data, nil
		}
	}
	return nil, fmt.Errorf("no built-in words for %q (have %s)", code, strings.Join(builtin.Languages(), " "))
}

// NewWords returns the built-in words with a shop's word files laid over them: files maps
// a base language code ("nl", "fr") to the text of its word file, as read by the caller
// (this package reads no files of its own). A file of a language with built-in words
// replaces the sections it names and keeps the others; a file of any other language adds
// the language and must name every section. The error lists every problem, by language.
func NewWords(files map[string][]byte) (*Words, error) {
	if len(files) == 0 {
		return builtin, nil
	}
	byCode := map[string]*lang{}
	for _, l := range builtin.langs {
		byCode[l.code] = l
	}
	codes := make([]string, 0, len(files))
	for code := range files {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var errs []error
	for _, code := range codes {
		l, problems := prepare(code, files[code])
		if len(problems) > 0 {
			errs = append(errs, &FileError{Code: code, Problems: problems})
			continue
		}
		byCode[code] = l
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	w := &Words{}
	for _, l := range byCode {
		w.langs = append(w.langs, l)
	}
	sort.Slice(w.langs, func(i, j int) bool { return w.langs[i].code < w.langs[j].code })
	return w, nil
}

// FileError is what is wrong with the word file of one language, one line per problem.
type FileError struct {
	Code     string
	Problems []string
}

func (e *FileError) Error() string {
	return "words " + e.Code + ": " + strings.Join(e.Problems, "; ")
}

// Check returns what is wrong with the word file of language code, one line per problem
// ("line 12: unknown key [whyy]"), as NewWords would read it: a file of a language with
// built-in words may name only the sections it replaces, one of any other language must
// name them all. None when the file is good.
func Check(code string, data []byte) []string {
	_, problems := prepare(code, data)
	return problems
}

// prepare reads the word file of code, laid over the built-in one when there is one.
func prepare(code string, data []byte) (*lang, []string) {
	if !validCode(code) {
		return nil, []string{fmt.Sprintf("%q is not a base language code like nl or fr", code)}
	}
	f, problems := readFile(data)
	if own, err := BuiltinFile(code); err == nil {
		base, _ := readFile(own)
		for s := range numSections {
			if f.given[s] {
				base.secs[s] = f.secs[s]
			}
		}
		f = base
	}
	l, more := build(code, f)
	return l, capProblems(append(problems, more...))
}

// maxProblems bounds the problems reported for one file: the first ones tell what is wrong.
const maxProblems = 20

func capProblems(p []string) []string {
	if len(p) > maxProblems {
		return append(p[:maxProblems:maxProblems], fmt.Sprintf("and %d more", len(p)-maxProblems))
	}
	return p
}

// validCode reports whether code is a base language code: two or three lower-case letters.
func validCode(code string) bool {
	if len(code) < 2 || len(code) > 3 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < 'a' || code[i] > 'z' {
			return false
		}
	}
	return true
}

func mustLoad() *Words {
	files, err := wordFS.ReadDir("words")
	if err != nil {
		panic(fmt.Sprintf("understand: reading the embedded word files: %v", err))
	}
	w := &Words{}
	for _, e := range files {
		code, ok := strings.CutSuffix(e.Name(), ".txt")
		if !ok {
			continue
		}
		data, err := wordFS.ReadFile(path.Join("words", e.Name()))
		if err != nil {
			panic(fmt.Sprintf("understand: reading %s: %v", e.Name(), err))
		}
		f, problems := readFile(data)
		l, more := build(code, f)
		if problems = append(problems, more...); len(problems) > 0 {
			// The embedded files are proved by the tests; a broken one is a build error.
			panic(fmt.Sprintf("understand: words %s: %s", code, strings.Join(problems, "; ")))
		}
		w.langs = append(w.langs, l)
	}
	sort.Slice(w.langs, func(i, j int) bool { return w.langs[i].code < w.langs[j].code })
	return w
}

// phrase is one line of a section: its text without the "~", and where it stands.
type phrase struct {
	line int
	text string
	weak bool
}

// file is a word file read into its sections, the phrases not yet checked.
type file struct {
	secs  [numSections][]phrase
	given [numSections]bool
}

// readFile splits a word file (the format is in the package doc) into its sections,
// reporting what is wrong with its keys and lines.
func readFile(data []byte) (*file, []string) {
	f := &file{}
	var problems []string
	add := func(n int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("line %d: ", n)+fmt.Sprintf(format, args...))
	}
	cur, keyLine, orphans, anyKey := secNone, 0, 0, false
	endKey := func() {
		if cur != secNone && len(f.secs[cur]) == 0 {
			add(keyLine, "[%s] has no phrases", sectionNames[cur])
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case !utf8.ValidString(raw):
			add(n, "not UTF-8 text")
			continue
		case strings.HasPrefix(line, "["):
			endKey()
			cur, anyKey = secNone, true
			name, ok := strings.CutSuffix(line[1:], "]")
			if !ok {
				add(n, "%q: a key is written [key]", line)
				continue
			}
			name = strings.TrimSpace(name)
			s, ok := sectionByName[name]
			if !ok {
				add(n, "unknown key [%s]", name)
				continue
			}
			if f.given[s] {
				add(n, "key [%s] given twice", name)
			}
			f.given[s], cur, keyLine = true, s, n
			continue
		case cur == secNone:
			// After an unknown key its phrases are not reported one by one.
			if !anyKey && orphans == 0 {
				add(n, "phrase %q before the first [key]", line)
			}
			orphans++
			continue
		}
		weak := strings.HasPrefix(line, "~")
		f.secs[cur] = append(f.secs[cur], phrase{line: n, text: strings.TrimSpace(strings.TrimPrefix(line, "~")), weak: weak})
	}
	endKey()
	if err := sc.Err(); err != nil {
		problems = append(problems, "reading: "+err.Error())
	}
	return f, problems
}

// sectionByName finds a section by its key.
var sectionByName = func() map[string]section {
	m := make(map[string]section, numSections)
	for s, name := range sectionNames {
		if s != int(secNone) {
			m[name] = section(s)
		}
	}
	return m
}()

// build checks the phrases of f and prepares them as the table of language code.
func build(code string, f *file) (*lang, []string) {
	l := &lang{code: code, root: newNode()}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var t tokens
	type entry struct {
		line  int
		sec   section
		words []string
	}
	var long []entry // the multi-word phrases, checked against [split] at the end
	var missing []string
	for s := secNone + 1; s < numSections; s++ {
		if len(f.secs[s]) == 0 && !f.given[s] {
			missing = append(missing, "["+sectionNames[s]+"]")
		}
		for _, p := range f.secs[s] {
			t.split(p.text)
			switch {
			case len(t.toks) == 0:
				add("line %d: empty phrase in [%s]", p.line, sectionNames[s])
				continue
			case t.hasBreak():
				add("line %d: phrase %q in [%s] holds punctuation that splits a message", p.line, p.text, sectionNames[s])
				continue
			case len(t.toks) > 1 && bit(s)&singleWord != 0:
				add("line %d: [%s] takes single words, not %q", p.line, sectionNames[s], p.text)
				continue
			}
			l.root.add(&t, s, p.weak)
			if len(t.toks) > 1 {
				e := entry{line: p.line, sec: s}
				for i := range t.toks {
					e.words = append(e.words, string(t.word(i)))
				}
				long = append(long, e)
			}
		}
	}
	if len(missing) > 0 {
		add("missing keys %s (a new language needs every key)", strings.Join(missing, " "))
	}
	for _, p := range long {
		for _, w := range p.words {
			if c := l.root.next[w]; c != nil && c.mask&bit(secSplit) != 0 {
				add("line %d: phrase %q in [%s] holds %q of [split], so it can never match",
					p.line, strings.Join(p.words, " "), sectionNames[p.sec], w)
				break
			}
		}
	}
	problems = append(problems, l.root.ambiguous(nil)...)
	if len(problems) > 0 {
		return nil, problems
	}
	return l, nil
}

// order returns the languages to try for a customer writing in code (a BCP 47 tag such
// as "de-AT"): the base language first, then the others.
func order(code string) [maxLangs]*lang {
	var out [maxLangs]*lang
	tables := currentWords().langs
	base, _, _ := strings.Cut(code, "-")
	base, _, _ = strings.Cut(base, "_")
	i := 0
	for _, l := range tables {
		if strings.EqualFold(l.code, base) {
			out[i] = l
			i++
			break
		}
	}
	for _, l := range tables {
		if i < maxLangs && (i == 0 || l != out[0]) {
			out[i] = l
			i++
		}
	}
	return out
}

// maxLangs bounds the languages tried for one message.
const maxLangs = 16
