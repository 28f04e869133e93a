package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/i18n"
)

// dutch is a tenth language made from the English catalog with its greeting translated.
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
	m["dialog.greeting"] = "Hallo! Ik help u graag met een retour of een garantieclaim."
	m["dialog.ask_receipt"] = "Wanneer heeft u de goederen ontvangen?"
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
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

func TestDefaultLanguage(t *testing.T) {
	t.Cleanup(func() { i18n.Use(i18n.Builtin()) })
	out, _, err := runBot(t, env("DEFAULT_LANGUAGE", "fr"), `{"user":"a","text":"bonjour"}`+"\n", "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatalf("console with DEFAULT_LANGUAGE fr: %v", err)
	}
	if !strings.Contains(out, jsonString(i18n.Builtin().Text("fr", "dialog.greeting", nil))) {
		t.Errorf("DEFAULT_LANGUAGE fr: the greeting is not French:\n%s", out)
	}
	for name, vars := range map[string][]string{
		"DEFAULT_LANGUAGE": {"DEFAULT_LANGUAGE", "xx"},
		"LOCALES_DIR":      {"LOCALES_DIR", filepath.Join(t.TempDir(), "missing")},
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

	good := t.TempDir()
	writeFile(t, good, "de.json", []byte(`{"dialog.yes_no": "Ja oder nein, bitte."}`))
	writeFile(t, good, "nl.json", dutch(t))
	out, _, err = runBot(t, env(), "", "locales", "check", good)
	if err != nil {
		t.Fatalf("locales check of good files: %v\n%s", err, out)
	}
	if !strings.Contains(out, "de.json: ok (overrides built-in texts)") || !strings.Contains(out, "nl.json: ok (a new language, complete)") {
		t.Errorf("locales check of good files: got\n%s", out)
	}

	bad := t.TempDir()
	writeFile(t, bad, "de.json", []byte(`{"dialog.future_date": "{{.Datum}} liegt in der Zukunft.", "dialog.nope": "x"}`))
	writeFile(t, bad, "nl.json", []byte(`{"dialog.yes_no": "Ja of nee."}`))
	out, _, err = runBot(t, env(), "", "locales", "check", bad)
	if err == nil {
		t.Fatalf("locales check of bad files: got no error\n%s", out)
	}
	for _, want := range []string{`de.json: unknown id "dialog.nope"`, "de.json: dialog.future_date (other): unknown placeholder {{.Datum}}", `nl.json: missing id "dialog.greeting"`} {
		if !strings.Contains(out, want) {
			t.Errorf("locales check of bad files: got\n%s\nwant a line %q", out, want)
		}
	}
}
