package dialog_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// BenchmarkConversation runs a whole warranty claim, eight steps with the read-back, per
// iteration: the CPU cost of the dialog without any store.
func BenchmarkConversation(b *testing.B) {
	e := dialog.NewEngine(policy.Default())
	inputs := []dialog.Input{{Text: "hi"}, {Text: "12.05.2026"}, {Button: "packaging:intact"}, {Text: "yes"},
		{}, {Button: "confirm_seals:yes"}, {Text: "no"}, {Button: "confirm_summary:yes"}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// A description of its own each time, as customers write: the engine's cache of
		// hinted exclusions must not make the benchmark cheaper than real traffic.
		i++
		inputs[4].Text = fmt.Sprintf("it stopped heating after I spilled water on it, day %d", i)
		s := &dialog.Session{}
		for _, in := range inputs {
			e.Step(s, in, now)
		}
		if s.Outcome != policy.WarrantyRepair {
			b.Fatalf("outcome %s", s.Outcome)
		}
	}
}

// BenchmarkParseReceiptIn reads a receipt date per iteration in the customer's language,
// for the phrasings of each language (the go-dateparser comparison in README).
func BenchmarkParseReceiptIn(b *testing.B) {
	for _, tt := range []struct{ lang, text string }{
		{"en", "3 days ago"}, {"en", "12.11.2026"}, {"fr", "hier"}, {"es", "hace 3 días"}, {"ru", "3 дня назад"},
		{"pl", "wczoraj"}, {"it", "3 giorni fa"}, {"uk", "3 дні тому"}, {"pt", "há 3 dias"}, {"fr", "vendredi dernier"},
		{"fr", "12 novembre 2026"}, {"en", "the goods arrived"},
	} {
		b.Run(tt.lang+"/"+tt.text, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dialog.ParseReceiptIn(tt.lang, tt.text, now, time.UTC)
			}
		})
	}
}
