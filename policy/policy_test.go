package policy_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/policy"
)

// The built-in policy must quote the shop's published text byte for byte. The test reads
// the repository's copy of that text, so a clone with nothing beside it passes; .ci/run
// checks the copy against the shop's own file where that is laid beside the clone.
func TestDefaultTextIsTheShopsPolicy(t *testing.T) {
	want, err := os.ReadFile("testdata/refund-policy.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := policy.Default().Text; got != string(want) {
		t.Fatalf("the embedded policy text differs from policy/testdata/refund-policy.txt; copy the shop's text again below the --- line of policy/default.policy")
	}
}

func TestDefaultClausesAreQuotedWordForWord(t *testing.T) {
	p := policy.Default()
	for _, id := range policy.RequiredClauses {
		c, ok := p.Clause(id)
		if !ok {
			t.Errorf("clause %s missing", id)
			continue
		}
		if c.Text == "" || !strings.Contains(p.Text, c.Text) {
			t.Errorf("clause %s = %q is not a substring of the policy text", id, c.Text)
		}
	}
	if got, want := len(p.Exclusions), 11; got != want {
		t.Fatalf("default policy has %d exclusions, want the %d bullets of the text", got, want)
	}
	for _, e := range p.Exclusions {
		if !strings.Contains(p.Text, e.Clause.Text) || strings.HasPrefix(e.Clause.Text, "•") {
			t.Errorf("exclusion %s clause %q is not a clean quote of the text", e.ID, e.Clause.Text)
		}
		if e.Ask == "" || !strings.HasSuffix(e.Ask, "?") {
			t.Errorf("exclusion %s: ask = %q, want a question", e.ID, e.Ask)
		}
	}
	if p.ReturnWindowDays != 14 || p.WarrantyMonths != 12 {
		t.Errorf("parameters = %d days, %d months; want 14, 12", p.ReturnWindowDays, p.WarrantyMonths)
	}
	if w := p.Warnings(); len(w) != 0 {
		t.Errorf("default policy warnings: %q", w)
	}
}

func TestShopPolicyFile(t *testing.T) {
	data, err := os.ReadFile("../testdata/policies/shop-30-days.policy")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(string(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if p.ReturnWindowDays != 30 || p.WarrantyMonths != 24 || p.Location.String() != "Europe/Berlin" {
		t.Errorf("got %d days, %d months, %s; want 30, 24, Europe/Berlin", p.ReturnWindowDays, p.WarrantyMonths, p.Location)
	}
	water, ok := p.Exclusion("water")
	if !ok || water.Clause.Text != "Water damage or damage from other liquids." {
		t.Errorf("exclusion water = %+v, want the dash bullet without its mark", water)
	}
}

func TestParseErrors(t *testing.T) {
	const text = "---\nReturns within 14 days.\n\nWe are not liable.\n\nRefuse damaged parcels.\n\nRepairs are free.\n\nNo warranty for:\n• Water damage.\n• Water damage caused by rain.\n"
	const good = "return_window_days: 14\nwarranty_months: 12\nclause return_window: Returns\nclause carrier_check: We are\nclause refuse_delivery: Refuse\nclause warranty: Repairs\nclause exclusions: No warranty\n"
	if _, err := policy.Parse(good + text); err != nil {
		t.Fatalf("the base file of this test does not parse: %v", err)
	}
	tests := []struct {
		name, file, want string
	}{
		{"no separator", "return_window_days: 14\n", `no "---" line`},
		{"missing window", strings.Replace(good, "return_window_days: 14\n", "", 1) + text, "return_window_days is missing"},
		{"bad number", strings.Replace(good, ": 14", ": fourteen", 1) + text, `line 1: return_window_days: want a whole number, got "fourteen"`},
		{"zero", strings.Replace(good, ": 14", ": 0", 1) + text, "must be more than 0"},
		{"bad zone", "timezone: Mars/Olympus\n" + good + text, `line 1: timezone "Mars/Olympus"`},
		{"unknown key", good + "colour: blue\n" + text, `line 8: unknown setting "colour"`},
		{"no such clause", strings.Replace(good, "Repairs", "Refunds", 1) + text, `clause warranty: no paragraph or bullet of the policy text starts with "Refunds"`},
		{"ambiguous", good + "exclusion water: Water damage\n  ask: Wet?\n" + text, "2 paragraphs start with"},
		{"missing clause", strings.Replace(good, "clause warranty: Repairs\n", "", 1) + text, "clause warranty is missing"},
		{"exclusion without ask", good + "exclusion rain: Water damage caused\n  hints: rain\n" + text, "exclusion rain has no ask"},
		{"stray indent", good + "  hints: rain\n" + text, "belongs to no exclusion or question"},
		{"bad id", good + "exclusion Rain!: Water damage caused\n" + text, `exclusion id "Rain!"`},
		{"duplicate id", good + "clause warranty: Returns\n" + text, "id warranty is used twice"},
		{"empty contact", "contact:\n" + good + text, "line 1: contact: want how customers reach the shop"},
		{"long contact", "contact: " + strings.Repeat("x", 501) + "\n" + good + text, "line 1: contact: at most 500 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.Parse(tt.file)
			var pe *policy.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestContact(t *testing.T) {
	if c := policy.Default().Contact; c != "" {
		t.Fatalf("default policy contact = %q, want none", c)
	}
	const want = "returns@example.com, +49 30 1234567, https://example.com/help"
	p, err := policy.Parse("contact:  " + want + "\n" + policy.DefaultFile())
	if err != nil {
		t.Fatal(err)
	}
	if p.Contact != want {
		t.Fatalf("Contact = %q, want %q", p.Contact, want)
	}
}

func TestWarnings(t *testing.T) {
	file := strings.Replace(policy.DefaultFile(), "return_window_days: 14", "return_window_days: 30", 1)
	p, err := policy.Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	w := p.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], "does not mention 30") {
		t.Fatalf("Warnings = %q, want one about the window the text does not mention", w)
	}
}

func TestHinted(t *testing.T) {
	p := policy.Default()
	tests := []struct {
		details string
		want    []string // beyond "seals", which is always asked
	}{
		{"It stopped heating.", nil},
		{"I spilled coffee on it and now it will not turn on", []string{"foreign_substances"}},
		{"The screen cracked after it fell off the table", []string{"mechanical_damage"}},
		{"My apple juice", []string{"foreign_substances"}}, // "juice", but not "app" in "apple"
		{"Had it repaired at a local shop, now the fan is loud", []string{"third_party_repair"}},
		{"After the POWER SURGE last night it is dead", []string{"power"}},
		{"I flashed custom firmware", []string{"modification"}},
		{"water", []string{"foreign_substances"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range p.Hinted(tt.details) {
			if e.ID != "seals" {
				got = append(got, e.ID)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Hinted(%q) = %v, want %v", tt.details, got, tt.want)
		}
	}
}
