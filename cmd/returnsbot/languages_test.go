package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/i18n"
)

// claimWords are one language's answers to a whole claim, in its own words.
type claimWords struct {
	hello, date, intact, noDefect, yes string // a return within the window
	damaged, no                        string // a crushed box not checked with the carrier
	person                             string // asking for a person at the first question
}

var claimsByLanguage = map[string]claimWords{
	"en": {"hi, I want to return my kettle", "3 days ago", "the box was fine", "no, it works fine", "yes", "the box was crushed", "no", "I want to talk to a human"},
	"de": {"Hallo, ich möchte etwas zurückgeben", "vor 3 Tagen", "der Karton war unbeschädigt", "nein, es funktioniert einwandfrei", "ja", "der Karton war zerdrückt", "nein", "ich möchte mit einem Menschen sprechen"},
	"fr": {"Bonjour, je voudrais retourner un article", "il y a 3 jours", "tout était en bon état", "non, il marche bien", "oui", "le carton était écrasé", "non", "je voudrais parler à un conseiller"},
	"es": {"Hola, quiero devolver un producto", "hace 3 días", "llegó en perfecto estado", "no, funciona bien", "sí", "la caja estaba aplastada", "no", "quiero hablar con una persona"},
	"it": {"Buongiorno, vorrei fare un reso", "3 giorni fa", "era tutto in perfetto stato", "no, funziona bene", "sì", "la scatola era schiacciata", "no", "vorrei parlare con un operatore"},
	"pt": {"Olá, quero devolver um produto", "há 3 dias", "chegou em perfeito estado", "não, funciona bem", "sim", "a caixa estava amassada", "não", "quero falar com uma pessoa"},
	"pl": {"Dzień dobry, chcę zwrócić towar", "3 dni temu", "paczka była w idealnym stanie", "nie, działa bez zarzutu", "tak", "karton był zgnieciony", "nie", "chcę porozmawiać z konsultantem"},
	"ru": {"Здравствуйте, хочу вернуть товар", "3 дня назад", "коробка была целая", "нет, работает нормально", "да", "коробка была помята", "нет", "хочу поговорить с оператором"},
	"uk": {"Вітаю, хочу повернути товар", "3 дні тому", "коробка була ціла", "ні, працює нормально", "так", "коробка була пом'ята", "ні", "хочу поговорити з оператором"},
}

// TestClaimInEveryLanguage runs whole claims through `returnsbot console --json --lang`
// in each shipped language, answered in that language's own words: a return decided
// within the window, a crushed parcel not checked with the carrier, and a request for a
// person; every message the bot sends is in the customer's language.
func TestClaimInEveryLanguage(t *testing.T) {
	for _, lang := range i18n.Shipped {
		w, ok := claimsByLanguage[lang]
		if !ok {
			t.Fatalf("no claim words for the shipped language %s", lang)
		}
		t.Run(lang, func(t *testing.T) { claimInLanguage(t, env(), lang, w) })
	}
}

// claimInLanguage runs the three claims of TestClaimInEveryLanguage through `returnsbot console
// --json --lang` with getenv, answered with w, and checks that every step is understood and
// that the bot speaks the language of the catalogs in use.
func claimInLanguage(t *testing.T, getenv func(string) string, lang string, w claimWords) {
	t.Helper()
	steps := []claimStep{
		{"a", w.hello, "receipt_date", ""},
		{"a", w.date, "packaging", ""},
		{"a", w.intact, "defect", ""},
		{"a", w.noDefect, "confirm_summary", ""},
		{"a", w.yes, "", "return_eligible"},
		{"b", w.hello, "receipt_date", ""},
		{"b", w.date, "packaging", ""},
		{"b", w.damaged, "carrier_check", ""},
		{"b", w.no, "confirm_summary", ""},
		{"b", w.yes, "", "damage_not_covered"},
		{"c", w.hello, "receipt_date", ""},
		{"c", w.person, "", "escalated"},
	}
	var in strings.Builder
	for _, s := range steps {
		line, _ := json.Marshal(map[string]string{"user": s.user, "text": s.text})
		in.Write(line)
		in.WriteByte('\n')
	}
	out, _, err := runBot(t, getenv, in.String(), "console", "--json", "--now", "2026-11-25", "--lang", lang)
	if err != nil {
		t.Fatalf("console --lang %s: %v", lang, err)
	}
	type message struct {
		User, Text, Awaiting string
		Decision             *struct{ Outcome string }
	}
	var msgs []message
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		msgs = append(msgs, m)
	}
	// Each input's replies end with the one that asks the next question (or decides);
	// find them in order, per user.
	next := 0
	for i, s := range steps {
		found := false
		for ; next < len(msgs); next++ {
			m := msgs[next]
			if m.User != s.user {
				continue
			}
			if prev := lastStep(steps[:i], s.user); prev != "" && m.Awaiting == prev {
				t.Fatalf("step %d: %s said %q; the bot asked %s again: %s", i+1, s.user, s.text, prev, m.Text)
			}
			if s.outcome != "" && m.Decision != nil {
				if m.Decision.Outcome != s.outcome {
					t.Fatalf("step %d (%q): got outcome %s, want %s\n%s", i+1, s.text, m.Decision.Outcome, s.outcome, m.Text)
				}
				if lang != "en" && strings.Contains(m.Text, "Your claim number") {
					t.Fatalf("step %d: the decision names its claim in English, not %s:\n%s", i+1, lang, m.Text)
				}
				found = true
				next++
				break
			}
			if s.outcome == "" && m.Awaiting == s.awaiting && m.Awaiting != "" {
				found = true
				next++
				break
			}
		}
		if !found {
			t.Fatalf("step %d: %s said %q; got no reply awaiting %q / deciding %q. Output:\n%s", i+1, s.user, s.text, s.awaiting, s.outcome, out)
		}
	}
	cat := i18n.Current()
	greeting := cat.Text(lang, "dialog.greeting", nil)
	if !strings.Contains(out, jsonString(greeting)) {
		t.Errorf("the greeting is not the %s one %q", lang, greeting)
	}
	if lang != "en" {
		for _, id := range []string{"dialog.ask_receipt", "dialog.ask_packaging", "dialog.summary_head", "dialog.policy_says"} {
			if english := cat.Text("en", id, nil); strings.Contains(out, jsonString(english)) {
				t.Errorf("the %s claim holds the English %s %q", lang, id, english)
			}
		}
	}
}

// lastStep returns what the user's last step expected the bot to ask, so a reply asking
// it again (the answer was not understood) fails the test.
func lastStep(steps []claimStep, user string) string {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].user == user {
			return steps[i].awaiting
		}
	}
	return ""
}

// claimStep is one message of a customer and what the bot should do with it: ask the
// question awaiting names, or decide with outcome.
type claimStep struct {
	user, text, awaiting, outcome string
}

// jsonString is s as it appears inside a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}
