package understand_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

// TestNewWords lays a shop's files over the built-in words: English [yes] replaced with
// a list that adds "aye" and leaves out "sure", and Dutch added as a tenth language. The
// readers read with them once they are in Use, and with the built-in ones again after.
func TestNewWords(t *testing.T) {
	t.Cleanup(func() { understand.Use(nil) })
	nl, err := os.ReadFile("../../testdata/locales/nl.words.txt")
	if err != nil {
		t.Fatal(err)
	}
	w, err := understand.NewWords(map[string][]byte{
		"en": []byte("# the shop's own yes\n[yes]\nyes\nyep\naye\n"),
		"nl": nl,
	})
	if err != nil {
		t.Fatalf("NewWords: %v", err)
	}
	if got := w.Languages(); !slices.Contains(got, "nl") || len(got) != len(understand.Builtin().Languages())+1 {
		t.Errorf("Languages() = %v, want the built-in ones and nl", got)
	}
	type reading struct {
		kind       understand.Kind
		lang, text string
		want       string
	}
	withShop := []reading{
		{understand.YesNo, "en", "aye", "yes"},
		{understand.YesNo, "en", "sure", ""},   // left out of the shop's [yes]
		{understand.YesNo, "en", "nope", "no"}, // [no] is still the built-in one
		{understand.YesNo, "nl", "ja hoor", "yes"},
		{understand.YesNo, "nl", "nee", "no"},
		{understand.YesNo, "nl", "geen idee", "unsure"},
		{understand.Packaging, "nl", "de doos was geplet", "damaged"},
		{understand.Packaging, "nl", "er ontbrak een onderdeel", "incomplete"},
		{understand.Packaging, "nl", "alles was in orde", "intact"},
		{understand.Defect, "nl", "het apparaat werkt niet", "yes"},
		{understand.Defect, "nl", "nee, het werkt prima", "no"},
		{understand.Packaging, "nl-BE", "niet beschadigd", "intact"},
	}
	builtinOnly := []reading{
		{understand.YesNo, "en", "aye", ""},
		{understand.YesNo, "en", "sure", "yes"},
		{understand.YesNo, "nl", "geen idee", ""},
	}
	check := func(rs []reading) {
		t.Helper()
		for _, r := range rs {
			got := understand.Read(r.kind, r.lang, r.text)
			value := got.Value
			if got.Unsure {
				value = "unsure"
			}
			if value != r.want {
				t.Errorf("Read(%s, %s, %q) = %q, want %q", r.kind, r.lang, r.text, value, r.want)
			}
		}
	}
	understand.Use(w)
	check(withShop)
	if got := understand.ReadRequest("nl", "ik wil graag met een medewerker spreken"); got.Intent != understand.Person {
		t.Errorf("ReadRequest(nl, a person) = %+v, want person", got)
	}
	understand.Use(nil)
	check(builtinOnly)

	_, err = understand.NewWords(map[string][]byte{"en": []byte("[whyy]\nwhy\n"), "nl": []byte("[yes]\nja\n")})
	var fe *understand.FileError
	if !errors.As(err, &fe) || fe.Code != "en" || !strings.Contains(err.Error(), "unknown key [whyy]") || !strings.Contains(err.Error(), "words nl: missing keys") {
		t.Errorf("NewWords of bad files: got %v, want the problems of en and nl", err)
	}
}
