package understand_test

import (
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

// fragments are pieces of answers that the fuzz test and TestReadersAgree put together,
// so that the readers meet negations, doubts and contrary words side by side.
var fragments = []string{
	"not", "no", "never", "nothing", "nicht", "nichts", "kein", "yes", "ja", "nein", "maybe",
	"not sure", "keine Ahnung", "the box", "der Karton", "was", "war", "it", "es", "and",
	"but", "und", "aber", ",", ".", "fine", "ok", "good", "in Ordnung", "crushed", "damaged",
	"beschädigt", "missing", "fehlt", "all parts were there", "everything", "complete",
	"vollständig", "broken", "kaputt", "works", "work", "doesn't", "funktioniert",
	"turn on", "won't", "stopped working", "makes a strange noise", "the product",
	"das Gerät", "actually", "eigentlich", "change", "the date", "is wrong", "falsch",
	"human", "agent", "support", "talk to", "why", "warum", "I don't agree", "please",
	"no problem", "I did", "of course", "stimmt", "empty", "wet", "dented",
}

// check asserts what holds for any text: no reading both a value and unsure, Find never
// doubtful nor contradicted by Read, a target or rest only with a change.
func check(t *testing.T, lang, text string) {
	t.Helper()
	for _, k := range []understand.Kind{understand.YesNo, understand.Packaging, understand.Defect} {
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
	if !strings.Contains(text, req.Rest) {
		t.Errorf("ReadRequest(%q, %q).Rest = %q: not a part of the text", lang, text, req.Rest)
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"the box was fine but it won't turn on", "not sure", "no it doesn't work",
		"es fehlt kein Teil", "actually the box was damaged", "nothing was missing, crushed",
		"never", "not not", "¿?", "ä'ö’ü ß", "the date is wrong, it was the 12th", "\xff\xfe",
	} {
		f.Add("en", s)
		f.Add("de", s)
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		check(t, lang, text)
		// The same bytes as a message made of fragments, up to eight of them.
		var b strings.Builder
		for i := 0; i < len(text) && i < 8; i++ {
			b.WriteString(fragments[int(text[i])%len(fragments)])
			b.WriteByte(' ')
		}
		check(t, lang, b.String())
	})
}

// TestReadersAgree runs check over every pair and triple-with-a-negator of fragments.
func TestReadersAgree(t *testing.T) {
	for _, lang := range []string{"en", "de"} {
		for _, a := range fragments {
			for _, b := range fragments {
				check(t, lang, a+" "+b)
				check(t, lang, "the box "+a+" "+b)
				check(t, lang, a+" "+b+", it works")
			}
		}
	}
}
