package understand_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

// keys are the keys every word file must have (the package doc lists them).
var keys = []string{
	"yes", "no", "unsure", "negators", "negators_after", "split", "ignore",
	"packaging.intact", "packaging.complete", "packaging.damaged", "packaging.incomplete", "packaging.topic", "product.topic",
	"defect.faulty", "defect.works",
	"person.nouns", "person.verbs", "filler", "dispute", "why",
	"change", "change.verbs", "change.wrong",
	"target.receipt_date", "target.packaging", "target.carrier_check", "target.defect", "target.defect_details",
}

func TestWordFilesHaveEveryKey(t *testing.T) {
	files, err := filepath.Glob("words/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, f := range files {
		codes = append(codes, strings.TrimSuffix(filepath.Base(f), ".txt"))
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if problems := understand.Check(codes[len(codes)-1], data); len(problems) > 0 {
			t.Errorf("Check(%s) = %q, want none", f, problems)
		}
		have := map[string]bool{}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
				have[line[1:len(line)-1]] = true
			}
		}
		for _, k := range keys {
			if !have[k] {
				t.Errorf("%s has no [%s]", f, k)
			}
		}
	}
	if got := understand.Languages(); !slices.Equal(got, codes) {
		t.Errorf("Languages() = %v, want the word files %v", got, codes)
	}
	for _, want := range []string{"de", "en"} {
		if !slices.Contains(codes, want) {
			t.Errorf("no word file for %q", want)
		}
	}
}

// TestCheckRejects: a new language's file (nl) must hold every key; a file of a built-in
// language (en) may hold some, which replace the built-in ones, and is checked together
// with the rest.
func TestCheckRejects(t *testing.T) {
	en, err := os.ReadFile("words/en.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, code, file, want string
	}{
		{"unknown key", "nl", strings.Replace(string(en), "[why]", "[whyy]", 1), "unknown key [whyy]"},
		{"dropped key", "nl", strings.Replace(string(en), "[why]\n", "", 1), "missing keys [why]"},
		{"key given twice", "nl", strings.Replace(string(en), "[yes]\n", "[yes]\nyes\n[no]\nno\n", 1), "key [no] given twice"},
		{"key without phrases", "nl", strings.Replace(string(en), "[yes]\n", "[yes]\n[no]\n", 1), "[yes] has no phrases"},
		{"phrase before any key", "nl", "yes\n" + string(en), "line 1: phrase \"yes\" before the first [key]"},
		{"unclosed key", "nl", strings.Replace(string(en), "[why]", "[why", 1), "a key is written [key]"},
		{"not UTF-8", "nl", strings.Replace(string(en), "[yes]\n", "[yes]\nja\xff\n", 1), "not UTF-8"},
		{"punctuation", "nl", strings.Replace(string(en), "[yes]\n", "[yes]\nyes, sir\n", 1), "punctuation"},
		{"phrase in a word key", "nl", strings.Replace(string(en), "[split]\n", "[split]\nand then\n", 1), "single words"},
		{"two meanings", "nl", strings.Replace(string(en), "[no]\n", "[no]\nyeah\n", 1), `"yeah" is in [yes] and [no]`},
		{"empty", "nl", "", "missing keys"},
		{"split word in a phrase", "nl", strings.Replace(string(en), "[yes]\n", "[yes]\nyes and no\n", 1), "can never match"},
		{"not a language code", "Dutch", string(en), "not a base language code"},
		{"override: unknown key", "en", "[whyy]\nwhy\n", "line 1: unknown key [whyy]"},
		{"override: empty key", "en", "[yes]\n\n[no]\nnope\n", "line 1: [yes] has no phrases"},
		{"override: a meaning the built-in words give otherwise", "en", "[no]\nnope\nyeah\n", `"yeah" is in [yes] and [no]`},
	} {
		problems := understand.Check(c.code, []byte(c.file))
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
			t.Errorf("%s: Check(%s) = %q, want a problem with %q", c.name, c.code, problems, c.want)
		}
	}
	if problems := understand.Check("en", []byte("# my words\n[yes]\nyes\nyess\n")); len(problems) > 0 {
		t.Errorf("Check(en) of a file replacing one key: %q, want none", problems)
	}
}
