package i18n

import (
	"fmt"
	"testing"
)

// renderRe is render as it was, with the regular expression that defines a placeholder:
// the hand-written scanner must fill every text the same way.
func renderRe(text string, data map[string]any) string {
	return placeholderRe.ReplaceAllStringFunc(text, func(p string) string {
		if v, ok := data[placeholderRe.FindStringSubmatch(p)[1]]; ok {
			return fmt.Sprint(v)
		}
		return ""
	})
}

func TestRenderAsTheRegexp(t *testing.T) {
	data := map[string]any{"Name": "Ann", "Count": 3, "ID": "R-7K2Q9M", "Empty": ""}
	texts := []string{
		"", "plain", "{{.Name}}", "Hi {{.Name}}, {{ .Count }} claims ({{.ID}}).",
		"{{.Missing}} gone", "{{.Empty}}|", "{{", "}}", "{{.}}", "{{Name}}", "{{.Name}",
		"{{.Name }} {{\t.Name\n}}", "{{{.Name}}}", "{{.Na me}}", "{{.Name1}}", "a {{ b {{.ID}} c",
		"{{.Name}}{{.Name}}", "ü {{.Name}} ü", "{{ .Name",
	}
	for _, l := range Builtin().langs {
		for _, m := range Builtin().msgs[l] {
			texts = append(texts, m.Other)
		}
	}
	for _, text := range texts {
		if got, want := render(text, data), renderRe(text, data); got != want {
			t.Errorf("render(%q) = %q, want %q", text, got, want)
		}
	}
}
