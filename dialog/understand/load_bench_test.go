package understand

import "testing"

// BenchmarkLoadBuiltin is the cost of parsing the embedded word files, paid once at init.
func BenchmarkLoadBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		mustLoad()
	}
}

// BenchmarkNewWordsOverride is the cost of a shop's file replacing one section of a
// built-in language, paid once at start-up.
func BenchmarkNewWordsOverride(b *testing.B) {
	files := map[string][]byte{"en": []byte("[yes]\nyes\naye\n")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewWords(files); err != nil {
			b.Fatal(err)
		}
	}
}
