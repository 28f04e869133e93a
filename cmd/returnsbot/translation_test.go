package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicyTranslation: with a policy in English and French, a French customer's
// decision quotes the French clause word for word (message and decision alike) and the
// exclusion question is asked in the shop's French; a German customer, for whom the shop
// wrote no text, reads the English clause.
func TestPolicyTranslation(t *testing.T) {
	const pol = "../../testdata/policies/translated.policy"
	frText, err := os.ReadFile("../../testdata/policies/translated.fr.policy")
	if err != nil {
		t.Fatal(err)
	}
	enText, err := os.ReadFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, date, defect, details, want, wantAsk string
		policyText                                 []byte
	}{
		{"fr", "il y a 3 jours", "non", "", "Vous pouvez renvoyer tout article acheté dans les 30 jours suivant la livraison, sans avoir à vous justifier.", "", frText},
		{"de", "vor 3 Tagen", "nein", "", "You may send back anything you bought within 30 days of delivery, no questions asked.", "", enText},
		{"fr", "il y a 2 mois", "oui", "il ne chauffe plus depuis que j'ai renversé de l'eau dessus", "", "Le produit a-t-il été en contact avec de l'eau ou un autre liquide ?", frText},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.date, func(t *testing.T) {
			lines := []string{`{"user":"a","text":"hi"}`, line(tt.date), `{"user":"a","button":"packaging:intact"}`, line(tt.defect)}
			if tt.details != "" {
				lines = append(lines, line(tt.details))
			} else {
				lines = append(lines, `{"user":"a","button":"confirm_summary:yes"}`)
			}
			out, _, err := runBot(t, env("POLICY_FILE", pol), strings.Join(lines, "\n")+"\n", "console", "--json", "--now", "2026-11-25", "--lang", tt.lang)
			if err != nil {
				t.Fatalf("console: %v", err)
			}
			if tt.wantAsk != "" {
				if !strings.Contains(out, jsonString(tt.wantAsk)) {
					t.Fatalf("the exclusion question is not the shop's French %q:\n%s", tt.wantAsk, out)
				}
				return
			}
			var decided bool
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				var m struct {
					Text     string
					Decision *struct {
						Outcome string
						Clauses []struct{ ID, Text, Lang string }
					}
				}
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatal(err)
				}
				if m.Decision == nil || len(m.Decision.Clauses) == 0 {
					continue
				}
				decided = true
				c := m.Decision.Clauses[0]
				if c.ID != "return_window" || c.Text != tt.want || !strings.Contains(m.Text, "“"+tt.want+"”") {
					t.Fatalf("decision for %s: got clause %+v in %q, want %q quoted", tt.lang, c, m.Text, tt.want)
				}
				if !strings.Contains(string(tt.policyText), c.Text) {
					t.Fatalf("clause %q is not word for word from the shop's text", c.Text)
				}
				if wantLang := map[string]string{"fr": "fr"}[tt.lang]; c.Lang != wantLang {
					t.Errorf("clause language: got %q, want %q", c.Lang, wantLang)
				}
			}
			if !decided {
				t.Fatalf("no decision:\n%s", out)
			}
		})
	}
}

func line(text string) string {
	b, _ := json.Marshal(map[string]string{"user": "a", "text": text})
	return string(b)
}

// TestPolicyCheckTranslation: policy check fails for a translation that leaves an
// exclusion out, naming it, and for one that names an id the policy does not have.
func TestPolicyCheckTranslation(t *testing.T) {
	fr, err := os.ReadFile("../../testdata/policies/translated.fr.policy")
	if err != nil {
		t.Fatal(err)
	}
	en, err := os.ReadFile("../../testdata/policies/translated.policy")
	if err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct{ from, to, want string }{
		"missing exclusion": {"exclusion drops: Les dommages dus aux chutes\n", "", "not mapped: drops"},
		"unknown id":        {"clause exclusions:", "clause exclusion_list:", "clause exclusion_list: the policy has no clause or exclusion with that id"},
		"no paragraph":      {"clause warranty: Chaque produit", "clause warranty: Tout produit", `no paragraph or bullet of the translated text starts with "Tout produit`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			bad := strings.Replace(string(fr), tt.from, tt.to, 1)
			if bad == string(fr) {
				t.Fatalf("%q is not in the French file", tt.from)
			}
			if err := os.WriteFile(filepath.Join(dir, "translated.fr.policy"), []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "translated.policy"), en, 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := runBot(t, env(), "", "policy", "check", filepath.Join(dir, "translated.policy"))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "translation fr") {
				t.Fatalf("policy check: got %v, want an error naming translation fr and %q", err, tt.want)
			}
		})
	}
	out, _, err := runBot(t, env(), "", "policy", "check", "../../testdata/policies/translated.policy")
	if err != nil || !strings.Contains(out, "translations: fr") {
		t.Fatalf("policy check of the good translation: got %q, %v", out, err)
	}
}
