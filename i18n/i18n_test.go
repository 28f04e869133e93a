package i18n_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/i18n"
)

// TestShippedCatalogsAreComplete fails when a shipped catalog lacks an id English has,
// has one English lacks, uses a placeholder English does not, leaves one out, or lacks a
// plural form its language needs.
func TestShippedCatalogsAreComplete(t *testing.T) {
	for _, lang := range i18n.Shipped {
		t.Run(lang, func(t *testing.T) {
			data, err := i18n.DefaultFile(lang)
			if err != nil {
				t.Fatal(err)
			}
			if problems := i18n.Check(data, lang+".json", false); len(problems) > 0 {
				t.Fatalf("catalog %s: got %d problems, want none:\n%s", lang, len(problems), strings.Join(problems, "\n"))
			}
		})
	}
}

func TestCheckFindsProblems(t *testing.T) {
	en, err := i18n.DefaultFile("en")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"missing id", `"dialog.yes_no": "Please answer yes or no.",`, ``, `missing id "dialog.yes_no"`},
		{"unknown id", `"dialog.yes_no":`, `"dialog.yes_nope": "x", "dialog.yes_no":`, `unknown id "dialog.yes_nope"`},
		{"unknown placeholder", `{{.Date}} is still to come`, `{{.Datum}} {{.Date}} is still to come`, `unknown placeholder {{.Datum}}`},
		{"left out placeholder", `{{.Date}} is still to come`, `It is still to come`, `leaves out {{.Date}}`},
		{"not a placeholder", `{{.Date}} is still to come`, `{{.Date}} {{len .Date}} is still to come`, `not a placeholder`},
		{"broken template", `{{.Date}} is still to come`, `{{.Date}} {{.Date is still to come`, `not a valid template`},
		{"missing staff id", `"staff.button_claim": "Claim",`, ``, `missing id "staff.button_claim"`},
		{"staff text leaves out a placeholder", `Reminder: case {{.ID}} from`, `Reminder: case from`, `leaves out {{.ID}}`},
		{"staff text with an unknown placeholder", `Speaks: {{.Language}}`, `Speaks: {{.Lang}}`, `unknown placeholder {{.Lang}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := strings.Replace(string(en), tt.from, tt.to, 1)
			if changed == string(en) {
				t.Fatalf("the test's text %q is not in en.json", tt.from)
			}
			got := strings.Join(i18n.Check([]byte(changed), "en.json", false), "\n")
			if !strings.Contains(got, tt.want) {
				t.Fatalf("Check: got %q, want a problem containing %q", got, tt.want)
			}
		})
	}
}

func TestCheckFindsMissingPluralForms(t *testing.T) {
	// Polish needs "few" and "many" for "3 dni", "5 dni": one and other are not enough.
	en, err := i18n.DefaultFile("en")
	if err != nil {
		t.Fatal(err)
	}
	pl := strings.Replace(string(en), `"dialog.return_expired": {`, `"dialog.return_expired": {"few": "{{.Received}} {{.Count}} {{.LastDay}}",`, 1)
	got := strings.Join(i18n.Check([]byte(pl), "pl.json", false), "\n")
	if !strings.Contains(got, "no plural form") {
		t.Fatalf("Check of a Polish file with only one, few and other: got %q, want a missing plural form", got)
	}
}

func TestMatch(t *testing.T) {
	c := i18n.Builtin()
	tests := []struct{ in, want string }{
		{"de", "de"}, {"de-AT", "de"}, {"de_CH", "de"}, {"en-GB", "en"}, {"pt-BR", "pt"}, {"pt-PT", "pt"},
		{"fr-CA", "fr"}, {"es-MX", "es"}, {"it-CH", "it"}, {"pl-PL", "pl"}, {"ru-RU", "ru"}, {"uk-UA", "uk"}, {"", "en"}, {"xx", "en"}, {"ja", "en"}, {"not a tag!", "en"},
	}
	for _, tt := range tests {
		if got := c.Match(tt.in); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDefaultLanguageIsTheFallback(t *testing.T) {
	c, err := i18n.New(i18n.Options{Default: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Match("ja"); got != "de" {
		t.Fatalf("Match(ja) with DEFAULT_LANGUAGE de = %q, want de", got)
	}
	if got := c.Text("ja", "dialog.yes_no", nil); got != "Bitte antworten Sie mit ja oder nein." {
		t.Fatalf("Text(ja) = %q, want the German", got)
	}
	if _, err := i18n.New(i18n.Options{Default: "xx"}); err == nil || !strings.Contains(err.Error(), "DEFAULT_LANGUAGE") {
		t.Fatalf("New(Default xx): got %v, want an error naming DEFAULT_LANGUAGE", err)
	}
}

func TestTextPluralAndPlaceholders(t *testing.T) {
	c := i18n.Builtin()
	got := c.Text("en", "dialog.future_date", map[string]any{"Date": "1 December 2026"})
	if want := "1 December 2026 is still to come, so it cannot be the day you received the goods. Please check the date."; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := c.Text("en", "no.such.id", nil); got != "no.such.id" {
		t.Fatalf("an unknown id: got %q, want the id itself", got)
	}
}

// TestTextCounts: a text in plural forms takes the form of its count, {{.Count}} or its
// one whole-number placeholder, in the grammar of each language (Polish, Russian and
// Ukrainian with few and many).
func TestTextCounts(t *testing.T) {
	c := i18n.Builtin()
	tests := []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"ru", "dialog.return_expired", map[string]any{"Count": 21, "Received": "R", "LastDay": "L"}, "21 день назад"},
		{"ru", "dialog.return_expired", map[string]any{"Count": 3, "Received": "R", "LastDay": "L"}, "3 дня назад"},
		{"ru", "dialog.return_expired", map[string]any{"Count": 11, "Received": "R", "LastDay": "L"}, "11 дней назад"},
		{"pl", "staff.entry_photos", map[string]any{"Number": 1}, "1 zdjęcie"},
		{"pl", "staff.entry_photos", map[string]any{"Number": 3}, "3 zdjęcia"},
		{"pl", "staff.entry_photos", map[string]any{"Number": 5}, "5 zdjęć"},
		{"pl", "staff.entry_photos", map[string]any{"Number": 22}, "22 zdjęcia"},
		{"uk", "staff.photos_not_sent", map[string]any{"Number": 2}, "2 фотографії"},
		{"uk", "staff.photos_not_sent", map[string]any{"Number": 7}, "7 фотографій"},
		{"ru", "staff.customer_photos", map[string]any{"Name": "Аня", "Number": 1}, "Аня (клиент) прислал(а) 1 фотографию."},
		{"de", "staff.entry_photos", map[string]any{"Number": 1}, "1 Foto"},
		{"de", "staff.entry_photos", map[string]any{"Number": 4}, "4 Fotos"},
		{"fr", "staff.entry_photos", map[string]any{"Number": 0}, "0 photo"},
		{"en", "staff.no_thread", map[string]any{"ID": "C1", "Desks": "discord", "Attempts": 1}, "opening it failed once"},
		{"en", "staff.no_thread", map[string]any{"ID": "C1", "Desks": "discord", "Attempts": 3}, "opening it failed 3 times"},
		{"ru", "staff.no_thread", map[string]any{"ID": "C1", "Desks": "discord", "Attempts": 5}, "за 5 попыток"},
	}
	for _, tt := range tests {
		if got := c.Text(tt.lang, tt.id, tt.data); !strings.Contains(got, tt.want) {
			t.Errorf("Text(%s, %s, %v) = %q, want it to hold %q", tt.lang, tt.id, tt.data, got, tt.want)
		}
	}
}

// TestCheckPluralFormsOfAnyLanguage: a text English writes as one may be given plural
// forms by a language whose grammar needs them, and then must have all it needs.
func TestCheckPluralFormsOfAnyLanguage(t *testing.T) {
	bad := []byte(`{"staff.entry_photos": {"one": "{{.Number}} фотография", "other": "{{.Number}} фотографии"}}`)
	if got := strings.Join(i18n.Check(bad, "ru.json", true), "\n"); !strings.Contains(got, `staff.entry_photos: no plural form "few"`) {
		t.Errorf("Check of a Russian text with one and other only: got %q, want a missing few", got)
	}
	good := []byte(`{"staff.entry_photos": {"one": "{{.Number}} фото", "few": "{{.Number}} фото", "many": "{{.Number}} фото", "other": "{{.Number}} фото"}}`)
	if got := i18n.Check(good, "ru.json", true); len(got) > 0 {
		t.Errorf("Check of a Russian text with every form: got %q, want none", got)
	}
}

// TestLocalesDir: a shop's file overrides one text of a shipped language and adds a
// language of its own; a bad file is refused with its problem.
func TestLocalesDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("en.json", `{"dialog.yes_no": "Yes or no, please!"}`)
	nl, err := i18n.DefaultFile("en")
	if err != nil {
		t.Fatal(err)
	}
	write("nl.json", strings.Replace(string(nl), "Please answer yes or no.", "Antwoord alstublieft met ja of nee.", 1))
	c, err := i18n.New(i18n.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Text("en", "dialog.yes_no", nil); got != "Yes or no, please!" {
		t.Fatalf("overridden English: got %q", got)
	}
	if got := c.Text("en", "dialog.pick_one", nil); got != "Sorry, I did not understand. Please choose one of the options." {
		t.Fatalf("an English text not overridden: got %q", got)
	}
	if got := c.Text("nl-BE", "dialog.yes_no", nil); got != "Antwoord alstublieft met ja of nee." {
		t.Fatalf("the added Dutch: got %q", got)
	}
	if !c.Has("nl") {
		t.Fatalf("Has(nl) = false after adding nl.json")
	}
	write("fr.json", `{"dialog.future_date": "{{.Datum}} est dans le futur."}`)
	if _, err := i18n.New(i18n.Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "Datum") {
		t.Fatalf("a file with a bad placeholder: got %v, want an error naming it", err)
	}
}

// TestIncompleteLanguageLoads: a shop's new language that lacks ids added by a later
// release still loads (an upgrade must not take the shop down); the ids it lacks are
// listed for a warning and said in the shop's default language.
func TestIncompleteLanguageLoads(t *testing.T) {
	dir := t.TempDir()
	de, err := i18n.DefaultFile("de")
	if err != nil {
		t.Fatal(err)
	}
	// Dutch written for an older release, by copying German: it lacks one id.
	var kept []string
	for _, line := range strings.Split(string(de), "\n") {
		if !strings.Contains(line, `"dialog.greeting":`) {
			kept = append(kept, line)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "nl.json"), []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if problems := i18n.Check([]byte(strings.Join(kept, "\n")), "nl.json", false); !slices.Contains(problems, `missing id "dialog.greeting"`) {
		t.Fatalf("Check: got %q, want the missing id reported", problems)
	}
	c, err := i18n.New(i18n.Options{Dir: dir, Default: "de"})
	if err != nil {
		t.Fatalf("New with an incomplete nl.json: %v, want it loaded", err)
	}
	if got := c.Incomplete()["nl"]; len(got) != 1 || got[0] != "dialog.greeting" {
		t.Fatalf("Incomplete()[nl] = %q, want [dialog.greeting]", got)
	}
	if got, want := c.Text("nl", "dialog.greeting", nil), i18n.Builtin().Text("de", "dialog.greeting", nil); got != want {
		t.Fatalf("the missing text in Dutch: got %q, want the default language's %q", got, want)
	}
	if c := i18n.Builtin(); len(c.Incomplete()) != 0 {
		t.Fatalf("the built-in catalogs: Incomplete() = %v, want none", c.Incomplete())
	}
}
