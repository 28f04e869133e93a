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
		if err := understand.CheckWords(data); err != nil {
			t.Errorf("CheckWords(%s) = %v, want nil", f, err)
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

func TestCheckWordsRejects(t *testing.T) {
	en, err := os.ReadFile("words/en.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, file, want string
	}{
		{"missing key", strings.Replace(string(en), "[why]", "[whyy]", 1), "unknown key [whyy]"},
		{"dropped key", strings.Replace(string(en), "[why]\n", "", 1), "missing or empty keys [why]"},
		{"empty key", strings.Replace(string(en), "[yes]\n", "[yes]\n[no]\n", 1), "given twice"},
		{"phrase before any key", "yes\n" + string(en), "before the first [key]"},
		{"punctuation", strings.Replace(string(en), "[yes]\n", "[yes]\nyes, sir\n", 1), "punctuation"},
		{"phrase in a word key", strings.Replace(string(en), "[split]\n", "[split]\nand then\n", 1), "single words"},
		{"two meanings", strings.Replace(string(en), "[no]\n", "[no]\nyeah\n", 1), `"yeah" is in [yes] and [no]`},
		{"empty", "", "missing or empty keys"},
		{"split word in a phrase", strings.Replace(string(en), "[yes]\n", "[yes]\nyes and no\n", 1), "can never match"},
	} {
		err := understand.CheckWords([]byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: CheckWords = %v, want an error with %q", c.name, err, c.want)
		}
	}
}
