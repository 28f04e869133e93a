package understand_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"the box was fine but it won't turn on", "not sure", "no it doesn't work",
		"es fehlt kein Teil", "actually the box was damaged", "nothing was missing, crushed",
		"never", "not not", "¿?", "ä'ö’ü ß", "the date is wrong, it was the 12th", "\xff\xfe",
	} {
		f.Add("en", s)
		f.Add("de", s)
	}
	kinds := []understand.Kind{understand.YesNo, understand.Packaging, understand.Defect}
	f.Fuzz(func(t *testing.T, lang, text string) {
		for _, k := range kinds {
			r := understand.Read(k, lang, text)
			if r.Value != "" && r.Unsure {
				t.Errorf("Read(%s, %q, %q) = %+v: both a value and unsure", k, lang, text, r)
			}
			found := understand.Find(k, lang, text)
			if found.Unsure {
				t.Errorf("Find(%s, %q, %q) = %+v: Find never reports doubt", k, lang, text, found)
			}
			if found.Value != "" && r.Value != "" && r.Value != found.Value {
				t.Errorf("Find(%s, %q, %q) = %+v, but Read = %+v", k, lang, text, found, r)
			}
		}
		req := understand.ReadRequest(lang, text)
		if req.Intent != understand.Change && (req.Target != "" || req.Rest != "") {
			t.Errorf("ReadRequest(%q, %q) = %+v: a target or rest without a change", lang, text, req)
		}
	})
}
