package dialog_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// BenchmarkConversation runs a whole warranty claim, seven steps, per iteration: the CPU
// cost of the dialog without any store.
func BenchmarkConversation(b *testing.B) {
	e := dialog.NewEngine(policy.Default())
	inputs := []dialog.Input{{Text: "hi"}, {Text: "12.05.2026"}, {Button: "packaging:intact"}, {Text: "yes"},
		{Text: "it stopped heating after I spilled water on it"}, {Button: "confirm_seals:yes"}, {Text: "no"}}
	b.ReportAllocs()
	for b.Loop() {
		s := &dialog.Session{}
		for _, in := range inputs {
			e.Step(s, in, now)
		}
		if s.Outcome != policy.WarrantyRepair {
			b.Fatalf("outcome %s", s.Outcome)
		}
	}
}
