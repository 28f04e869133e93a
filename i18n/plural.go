package i18n

import (
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// pluralForm is the CLDR cardinal plural form of the whole number n in language lang.
func pluralForm(lang string, n int) plural.Form {
	if n < 0 {
		n = -n
	}
	return plural.Cardinal.MatchPlural(language.Make(lang), n, 0, 0, 0, 0)
}

// form returns the text of m for plural form f; empty when m lacks it ("other" is every
// message's own text).
func form(m *goi18n.Message, f plural.Form) string {
	switch f {
	case plural.Zero:
		return m.Zero
	case plural.One:
		return m.One
	case plural.Two:
		return m.Two
	case plural.Few:
		return m.Few
	case plural.Many:
		return m.Many
	}
	return m.Other
}

// formNames name the plural forms as catalog files write them.
var formNames = map[plural.Form]string{
	plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other",
}

// hasForms reports whether m is written in plural forms, not as one text.
func hasForms(m *goi18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}
