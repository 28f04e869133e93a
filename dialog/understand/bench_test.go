package understand_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

// Messages as customers send them, short and long.
var benchTexts = []string{
	"not sure",
	"the box was not in good shape",
	"I got it yesterday and the box was crushed, and it won't turn on anymore",
	"die Verpackung war in Ordnung, aber es funktioniert nicht",
}

func BenchmarkRead(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		understand.Read(understand.Packaging, "en", benchTexts[i%len(benchTexts)])
	}
}

func BenchmarkFind(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		understand.Find(understand.Defect, "en", benchTexts[i%len(benchTexts)])
	}
}

func BenchmarkReadRequest(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		understand.ReadRequest("en", benchTexts[i%len(benchTexts)])
	}
}
