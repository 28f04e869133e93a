package i18n

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// placeholderRe finds the placeholders a text uses: {{.Name}}.
var placeholderRe = regexp.MustCompile(`{{\s*\.([A-Za-z]+)\s*}}`)

// actionRe finds every template action, to tell a placeholder from anything else.
var actionRe = regexp.MustCompile(`{{[^}]*}}`)

// countSamples are numbers that between them reach every plural form of the shipped
// languages (and most others).
var countSamples = []int{0, 1, 2, 3, 4, 5, 11, 12, 14, 21, 22, 25, 101, 102, 105, 111, 1000}

// Check validates a catalog file named like "fr.json" against the English one: ids it
// lacks (unless partial: a shop's file overriding some texts of a built-in language),
// ids English does not have, texts that are not valid templates or use
// placeholders the English text does not (or, in the "other" form, leave one out), and,
// for a text in plural forms (in English or in this file), forms its language needs but
// lacks. It returns one line per problem; none when
// the file is good.
func Check(data []byte, name string, partial bool) []string {
	problems, missing := check(data, name)
	if !partial {
		for _, id := range missing {
			problems = append(problems, fmt.Sprintf("missing id %q", id))
		}
	}
	return problems
}

// check is Check with the ids the file lacks apart from its other problems, sorted: a
// catalog that only lacks ids can still be spoken from (see Catalog.Incomplete).
func check(data []byte, name string) (problems, missing []string) {
	ref, err := goi18n.ParseMessageFileBytes(mustBuiltin("en"), "en.json", nil)
	if err != nil {
		return []string{"the built-in English catalog: " + err.Error()}, nil
	}
	f, err := goi18n.ParseMessageFileBytes(data, filepath.Base(name), nil)
	if err != nil {
		return []string{err.Error()}, nil
	}
	if f.Tag == language.Und {
		return []string{fmt.Sprintf("%s: name the file by its language, like fr.json", name)}, nil
	}
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	want := map[string]*goi18n.Message{}
	for _, m := range ref.Messages {
		want[m.ID] = m
	}
	have := map[string]*goi18n.Message{}
	for _, m := range f.Messages {
		have[m.ID] = m
		r, ok := want[m.ID]
		if !ok {
			add("unknown id %q", m.ID)
			continue
		}
		refFields := fields(r.Other)
		for form, text := range forms(m) {
			if err := validTemplate(text); err != nil {
				add("%s (%s): %v", m.ID, form, err)
				continue
			}
			got := fields(text)
			for p := range got {
				if !refFields[p] {
					add("%s (%s): unknown placeholder {{.%s}}", m.ID, form, p)
				}
			}
			if form == "other" {
				for p := range refFields {
					if !got[p] {
						add("%s: the text leaves out {{.%s}}", m.ID, p)
					}
				}
			}
		}
		if m.Other == "" {
			add("%s: empty text", m.ID)
		}
		if hasForms(r) || hasForms(m) {
			problems = append(problems, pluralProblems(f.Tag, m)...)
		}
	}
	for id := range want {
		if _, ok := have[id]; !ok {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	return problems, missing
}

// forms returns the texts of a message by plural form.
func forms(m *goi18n.Message) map[string]string {
	out := map[string]string{}
	for form, s := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if s != "" {
			out[form] = s
		}
	}
	return out
}

// pluralProblems says which plural forms a counting message lacks in its language, one
// line each, by the form each of numbers that reach every form needs.
func pluralProblems(tag language.Tag, m *goi18n.Message) []string {
	base, _ := tag.Base()
	var out []string
	seen := map[string]bool{}
	for _, n := range countSamples {
		f := pluralForm(base.String(), n)
		if form(m, f) == "" && !seen[formNames[f]] {
			seen[formNames[f]] = true
			out = append(out, fmt.Sprintf("%s: no plural form %q (for %d) in %s", m.ID, formNames[f], n, base))
		}
	}
	return out
}

// fields returns the placeholders a text uses.
func fields(text string) map[string]bool {
	out := map[string]bool{}
	for _, m := range placeholderRe.FindAllStringSubmatch(text, -1) {
		out[m[1]] = true
	}
	return out
}

// validTemplate reports a text whose {{ }} are anything but placeholders like {{.Date}}.
func validTemplate(text string) error {
	for _, a := range actionRe.FindAllString(text, -1) {
		if !placeholderRe.MatchString(a) || placeholderRe.FindString(a) != a {
			return fmt.Errorf("%s is not a placeholder like {{.Date}}", a)
		}
	}
	if strings.Count(text, "{{") != len(actionRe.FindAllString(text, -1)) || strings.Count(text, "{{") != strings.Count(text, "}}") {
		return fmt.Errorf("not a valid template: unbalanced braces")
	}
	return nil
}

func mustBuiltin(lang string) []byte {
	data, err := builtin.ReadFile("locales/" + lang + ".json")
	if err != nil {
		panic(err)
	}
	return data
}
