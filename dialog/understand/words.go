package understand

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
)

// words holds one word file per language, named by its base language code.
//
//go:embed words/*.txt
var words embed.FS

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

// tables are the languages in the order they are tried when the customer's is not
// among them (alphabetical), parsed once at init.
var tables = mustLoad()

// Languages returns the codes of the languages whose words are built in ("de", "en", ...),
// sorted.
func Languages() []string {
	codes := make([]string, len(tables))
	for i, l := range tables {
		codes[i] = l.code
	}
	return codes
}

// CheckWords reports what is wrong with a word file: a missing, unknown or repeated key,
// an empty section, a phrase that is empty or holds punctuation or a [split] word, a
// multi-word entry in a one-word section, or a phrase given two meanings a reader would
// have to choose between.
// The built-in files pass it; a new language file should, too.
func CheckWords(data []byte) error {
	_, err := parse("check", data)
	return err
}

func mustLoad() []*lang {
	files, err := words.ReadDir("words")
	if err != nil {
		panic(fmt.Sprintf("understand: reading the embedded word files: %v", err))
	}
	var out []*lang
	for _, f := range files {
		name := f.Name()
		if !strings.HasSuffix(name, ".txt") {
			continue
		}
		data, err := words.ReadFile(path.Join("words", name))
		if err != nil {
			panic(fmt.Sprintf("understand: reading %s: %v", name, err))
		}
		l, err := parse(strings.TrimSuffix(name, ".txt"), data)
		if err != nil {
			// The embedded files are proved by the tests; a broken one is a build error.
			panic(fmt.Sprintf("understand: %v", err))
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

// parse reads a word file (the format is in the package doc) into a prepared table.
func parse(code string, data []byte) (*lang, error) {
	l := &lang{code: code, root: newNode()}
	var (
		cur    section
		inSec  bool
		seen   [numSections]bool
		counts [numSections]int
	)
	byName := make(map[string]section, numSections)
	for s, name := range sectionNames {
		if s != int(secNone) {
			byName[name] = section(s)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	var t tokens
	type entry struct {
		line  int
		sec   section
		words []string
	}
	var long []entry // the multi-word phrases, checked against [split] at the end
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			name := strings.TrimSpace(line[1 : len(line)-1])
			s, ok := byName[name]
			if !ok {
				return nil, fmt.Errorf("%s line %d: unknown key [%s]", code, n, name)
			}
			if seen[s] {
				return nil, fmt.Errorf("%s line %d: key [%s] given twice", code, n, name)
			}
			seen[s], cur, inSec = true, s, true
			continue
		}
		if !inSec {
			return nil, fmt.Errorf("%s line %d: phrase %q before the first [key]", code, n, line)
		}
		weak := strings.HasPrefix(line, "~")
		phrase := strings.TrimSpace(strings.TrimPrefix(line, "~"))
		t.split(phrase)
		switch {
		case len(t.toks) == 0:
			return nil, fmt.Errorf("%s line %d: empty phrase in [%s]", code, n, sectionNames[cur])
		case t.hasBreak():
			return nil, fmt.Errorf("%s line %d: phrase %q in [%s] holds punctuation that splits a message", code, n, phrase, sectionNames[cur])
		case len(t.toks) > 1 && bit(cur)&singleWord != 0:
			return nil, fmt.Errorf("%s line %d: [%s] takes single words, not %q", code, n, sectionNames[cur], phrase)
		}
		l.root.add(&t, cur, weak)
		counts[cur]++
		if len(t.toks) > 1 {
			e := entry{line: n, sec: cur}
			for i := range t.toks {
				e.words = append(e.words, string(t.word(i)))
			}
			long = append(long, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: reading: %w", code, err)
	}
	var missing []string
	for s := secNone + 1; s < numSections; s++ {
		if counts[s] == 0 {
			missing = append(missing, "["+sectionNames[s]+"]")
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: missing or empty keys %s", code, strings.Join(missing, " "))
	}
	for _, p := range long {
		for _, w := range p.words {
			if c := l.root.next[w]; c != nil && c.mask&bit(secSplit) != 0 {
				return nil, fmt.Errorf("%s line %d: phrase %q in [%s] holds %q of [split], so it can never match",
					code, p.line, strings.Join(p.words, " "), sectionNames[p.sec], w)
			}
		}
	}
	if err := l.root.checkAmbiguous(code, nil); err != nil {
		return nil, err
	}
	return l, nil
}

// order returns the languages to try for a customer writing in code (a BCP 47 tag such
// as "de-AT"): the base language first, then the others.
func order(code string) [maxLangs]*lang {
	var out [maxLangs]*lang
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
