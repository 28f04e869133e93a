package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
	"github.com/returnsbot/returnsbot/i18n"
)

// dutchTexts are the Dutch texts of a claim and the words Dutch customers write dates
// with; dutch lays them over the English catalog to make a complete tenth language.
var dutchTexts = map[string]string{
	"dialog.greeting":           "Hallo! Ik help u graag met een retour of een garantieclaim. Ik stel een paar korte vragen en vertel u dan wat ons beleid zegt.",
	"dialog.ask_receipt":        "Wanneer heeft u de goederen ontvangen? Bijvoorbeeld 12.11.2026, \"gisteren\" of \"3 dagen geleden\".",
	"dialog.ask_packaging":      "In welke staat waren de verpakking en de inhoud toen u ze ontving?",
	"dialog.ask_defect":         "Heeft het product een defect, werkt het dus niet zoals de handleiding beschrijft?",
	"dialog.ask_carrier":        "Heeft u de schade bij de bezorger laten vastleggen?",
	"dialog.summary_head":       "Dit heb ik begrepen:",
	"dialog.summary_ask":        "Klopt dit?",
	"dialog.policy_says":        "Ons beleid zegt:",
	"dialog.label_yes":          "Ja",
	"dialog.label_no":           "Nee",
	"claims.claim_number":       "Uw claimnummer is {{.ID}}. Vermeld het als u contact met ons opneemt; stuur /status om uw claims te zien.",
	"date.ago":                  "{n} {unit} geleden",
	"date.today":                "vandaag, vanochtend",
	"date.yesterday":            "gisteren",
	"date.day_before_yesterday": "eergisteren",
	"date.tomorrow":             "morgen",
	"date.not_received":         "nog niet ontvangen, nog niet opgehaald, niet ontvangen",
	"date.unit.day":             "dag, dagen",
	"date.unit.week":            "week, weken",
	"date.unit.month":           "maand, maanden",
	"date.unit.year":            "jaar, jaren",
	"date.unit_alone":           "dag, week, maand, jaar",
	"date.numbers":              "een=1, één=1, twee=2, drie=3, vier=4, vijf=5, zes=6, zeven=7, acht=8, negen=9, tien=10",
	"date.last":                 "vorige, afgelopen, laatste",
	"date.day_of_month":         "de {n}, op de {n}, {n} e",
	"date.weekday.monday":       "maandag, ma",
	"date.weekday.tuesday":      "dinsdag, di",
	"date.weekday.wednesday":    "woensdag, wo",
	"date.weekday.thursday":     "donderdag, do",
	"date.weekday.friday":       "vrijdag, vr",
	"date.weekday.saturday":     "zaterdag, za",
	"date.weekday.sunday":       "zondag, zo",
	"date.month.1":              "januari, jan", "date.month.2": "februari, feb", "date.month.3": "maart, mrt",
	"date.month.4": "april, apr", "date.month.5": "mei", "date.month.6": "juni, jun",
	"date.month.7": "juli, jul", "date.month.8": "augustus, aug", "date.month.9": "september, sep",
	"date.month.10": "oktober, okt", "date.month.11": "november, nov", "date.month.12": "december, dec",
	"date.month_names": "januari, februari, maart, april, mei, juni, juli, augustus, september, oktober, november, december",
}

// dutch is a tenth language made from the English catalog with dutchTexts laid over it.
func dutch(t *testing.T) []byte {
	t.Helper()
	en, err := i18n.DefaultFile("en")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(en, &m); err != nil {
		t.Fatal(err)
	}
	for id, text := range dutchTexts {
		if _, ok := m[id]; !ok {
			t.Fatalf("dutchTexts: %s is no id of the English catalog", id)
		}
		m[id] = text
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dutchWords is the answer-word file of the tenth language.
func dutchWords(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../../testdata/locales/nl.words.txt")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLocalesDir: a shop's LOCALES_DIR overrides one English text and adds Dutch, which
// `console --lang nl` then speaks; the other texts stay the built-in ones.
func TestLocalesDir(t *testing.T) {
	t.Cleanup(func() { i18n.Use(i18n.Builtin()) })
	dir := t.TempDir()
	writeFile(t, dir, "en.json", []byte(`{"dialog.ask_packaging": "How did the parcel look when it arrived?"}`))
	writeFile(t, dir, "nl.json", dutch(t))
	writeFile(t, dir, "nl.words.txt", dutchWords(t))
	in := `{"user":"a","text":"hi"}` + "\n" + `{"user":"a","text":"yesterday"}` + "\n"
	out, _, err := runBot(t, env("LOCALES_DIR", dir), in, "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatalf("console with LOCALES_DIR: %v", err)
	}
	if !strings.Contains(out, "How did the parcel look when it arrived?") {
		t.Errorf("the overridden English text is missing:\n%s", out)
	}
	if !strings.Contains(out, jsonString(i18n.Builtin().Text("en", "dialog.ask_receipt", nil))) {
		t.Errorf("a text not overridden is not the built-in one:\n%s", out)
	}
	out, _, err = runBot(t, env("LOCALES_DIR", dir), `{"user":"a","text":"hallo"}`+"\n", "console", "--json", "--lang", "nl-BE", "--now", "2026-11-25")
	if err != nil {
		t.Fatalf("console --lang nl-BE with LOCALES_DIR: %v", err)
	}
	if !strings.Contains(out, "Ik help u graag") || !strings.Contains(out, "Wanneer heeft u de goederen ontvangen?") {
		t.Errorf("the added Dutch is not spoken:\n%s", out)
	}
	if _, _, err := runBot(t, env(), "", "console", "--json", "--lang", "nl"); err == nil {
		t.Errorf("console --lang nl without LOCALES_DIR: got no error, want no translation")
	}
}

// TestTenthLanguage: Dutch added through LOCALES_DIR, texts and answer words, carries
// whole claims through the console answered in Dutch words: dates, the parcel, yes and
// no, and a person.
func TestTenthLanguage(t *testing.T) {
	t.Cleanup(func() { i18n.Use(i18n.Builtin()); understand.Use(nil) })
	dir := t.TempDir()
	writeFile(t, dir, "nl.json", dutch(t))
	writeFile(t, dir, "nl.words.txt", dutchWords(t))
	claimInLanguage(t, env("LOCALES_DIR", dir), "nl", claimWords{
		"hallo, ik wil iets retourneren", "3 dagen geleden", "de doos was in orde", "nee, het werkt prima", "ja",
		"de doos was ingedeukt", "nee", "ik wil graag met een medewerker spreken",
	})
	// The same Dutch date words read the other ways Dutch customers write a date.
	for _, date := range []string{"gisteren", "afgelopen vrijdag", "op de 20e", "20 november"} {
		in := `{"user":"d","text":"hallo"}` + "\n" + `{"user":"d","text":"` + date + `"}` + "\n"
		out, _, err := runBot(t, env("LOCALES_DIR", dir), in, "console", "--json", "--lang", "nl", "--now", "2026-11-25")
		if err != nil {
			t.Fatalf("console --lang nl: %v", err)
		}
		if !strings.Contains(out, `"awaiting":"packaging"`) {
			t.Errorf("the Dutch date %q was not read:\n%s", date, out)
		}
	}
}

// TestLocalesDirOverridesAWord: a shop's en.words.txt replacing [yes] makes "aye" a yes;
// without it "aye" is asked again.
func TestLocalesDirOverridesAWord(t *testing.T) {
	t.Cleanup(func() { understand.Use(nil) })
	dir := t.TempDir()
	writeFile(t, dir, "en.words.txt", []byte("# our customers' yes\n[yes]\nyes\nyep\naye\n"))
	var in strings.Builder
	for _, text := range []string{"hi", "3 days ago", "the box was fine", "no, it works fine", "aye"} {
		in.WriteString(`{"user":"a","text":"` + text + `"}` + "\n")
	}
	out, _, err := runBot(t, env("LOCALES_DIR", dir), in.String(), "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatalf("console with en.words.txt: %v", err)
	}
	if !strings.Contains(out, `"outcome":"return_eligible"`) {
		t.Errorf("with the shop's [yes], \"aye\" did not confirm the summary:\n%s", out)
	}
	out, _, err = runBot(t, env(), in.String(), "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	if strings.Contains(out, `"outcome":"return_eligible"`) {
		t.Errorf("without the shop's words, \"aye\" confirmed the summary:\n%s", out)
	}
}

func TestDefaultLanguage(t *testing.T) {
	t.Cleanup(func() { i18n.Use(i18n.Builtin()) })
	out, _, err := runBot(t, env("DEFAULT_LANGUAGE", "fr"), `{"user":"a","text":"bonjour"}`+"\n", "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatalf("console with DEFAULT_LANGUAGE fr: %v", err)
	}
	if !strings.Contains(out, jsonString(i18n.Builtin().Text("fr", "dialog.greeting", nil))) {
		t.Errorf("DEFAULT_LANGUAGE fr: the greeting is not French:\n%s", out)
	}
	textsOnly, wordsOnly, badWords := t.TempDir(), t.TempDir(), t.TempDir()
	writeFile(t, textsOnly, "nl.json", dutch(t))
	writeFile(t, wordsOnly, "sv.words.txt", dutchWords(t))
	writeFile(t, badWords, "en.words.txt", []byte("[yes]\nyes\n[whyy]\nwhy\n"))
	for name, vars := range map[string][]string{
		"DEFAULT_LANGUAGE": {"DEFAULT_LANGUAGE", "xx"},
		"LOCALES_DIR":      {"LOCALES_DIR", filepath.Join(t.TempDir(), "missing")},
		"answer words":     {"LOCALES_DIR", textsOnly},
		"no texts for sv":  {"LOCALES_DIR", wordsOnly},
		"words en":         {"LOCALES_DIR", badWords},
	} {
		_, _, err := runBot(t, env(vars...), "", "console", "--json")
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: got %v, want a usage error (exit 2) naming %s", vars[0], vars[1], err, name)
		}
	}
}

func TestLocalesCommands(t *testing.T) {
	out, _, err := runBot(t, env(), "", "locales", "default", "fr")
	if err != nil {
		t.Fatalf("locales default fr: %v", err)
	}
	if !strings.Contains(out, `"dialog.yes_no": "Merci de répondre par oui ou par non."`) {
		t.Errorf("locales default fr: got %.200q…, want the French catalog", out)
	}
	if _, _, err := runBot(t, env(), "", "locales", "default", "xx"); err == nil {
		t.Errorf("locales default xx: got no error")
	}
	out, _, err = runBot(t, env(), "", "locales", "default", "--words", "fr")
	if err != nil {
		t.Fatalf("locales default --words fr: %v", err)
	}
	if fr, _ := understand.BuiltinFile("fr"); out != string(fr) || !strings.Contains(out, "[packaging.damaged]") {
		t.Errorf("locales default --words fr: got %.200q…, want the French word file", out)
	}
	if _, _, err := runBot(t, env(), "", "locales", "default", "--words", "nl"); err == nil {
		t.Errorf("locales default --words nl: got no error")
	}

	good := t.TempDir()
	writeFile(t, good, "de.json", []byte(`{"dialog.yes_no": "Ja oder nein, bitte."}`))
	writeFile(t, good, "nl.json", dutch(t))
	writeFile(t, good, "nl.words.txt", dutchWords(t))
	writeFile(t, good, "en.words.txt", []byte("[yes]\nyes\naye\n"))
	out, _, err = runBot(t, env(), "", "locales", "check", good)
	if err != nil {
		t.Fatalf("locales check of good files: %v\n%s", err, out)
	}
	for _, want := range []string{
		"de.json: ok (overrides built-in texts)", "nl.json: ok (a new language, complete)",
		"en.words.txt: ok (replaces built-in answer words)", "nl.words.txt: ok (a new language's answer words, complete)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("locales check of good files: got\n%s\nwant a line %q", out, want)
		}
	}

	bad := t.TempDir()
	writeFile(t, bad, "de.json", []byte(`{"dialog.future_date": "{{.Datum}} liegt in der Zukunft.", "dialog.nope": "x"}`))
	writeFile(t, bad, "nl.json", []byte(`{"dialog.yes_no": "Ja of nee."}`))
	writeFile(t, bad, "fr.words.txt", []byte("[oui]\noui\n[unsure]\n[yes]\nnon\n"))
	writeFile(t, bad, "sv.words.txt", dutchWords(t))
	writeFile(t, bad, "ru.json", []byte(`{"staff.entry_photos": {"one": "{{.Number}} фото", "other": "{{.Number}} фото"}}`))
	out, _, err = runBot(t, env(), "", "locales", "check", bad)
	if err == nil {
		t.Fatalf("locales check of bad files: got no error\n%s", out)
	}
	for _, want := range []string{
		`de.json: unknown id "dialog.nope"`, "de.json: dialog.future_date (other): unknown placeholder {{.Datum}}", `nl.json: missing id "dialog.greeting"`,
		"nl.json: a new language needs its answer words too: add nl.words.txt",
		"fr.words.txt: line 1: unknown key [oui]", "fr.words.txt: line 3: [unsure] has no phrases", `fr.words.txt: "non" is in [yes] and [no]`,
		"sv.words.txt: no texts for sv: add sv.json",
		`ru.json: staff.entry_photos: no plural form "few"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("locales check of bad files: got\n%s\nwant a line %q", out, want)
		}
	}
}
