package dialog

import (
	"strings"

	"github.com/returnsbot/returnsbot/i18n"
)

// command recognises the words that work at any step: slash commands (with or without a
// Telegram "@botname" suffix) and their plain-word twins, the "command." lists of the
// catalogs in the customer's language and English. Any other slash word is returned as an
// unknown command, so the customer hears that it was not understood.
func command(lang, text string) (string, bool) {
	lower := strings.ToLower(strings.TrimSpace(text))
	if strings.HasPrefix(lower, "/") {
		name, _, _ := strings.Cut(lower[1:], " ")
		name, _, _ = strings.Cut(name, "@")
		switch name {
		case "start", "restart", "back", "help", "status", "language":
			return name, true
		case "staff", "human", "person", "operator", "agent":
			return "staff", true
		case "return":
			return "start", true
		}
		return name, true
	}
	lower = strings.Trim(lower, ".!? ")
	if lower == "" {
		return "", false
	}
	r := currentRequests()
	for _, l := range []string{r.cat.Match(lang), "en"} {
		if cmd, ok := r.commands(l)[lower]; ok {
			return cmd, true
		}
	}
	return "", false
}

// commandNames are the commands with plain-word twins, in the order a word is looked up.
var commandNames = []string{"restart", "back", "help", "staff", "language"}

// commandWords maps the plain words of language l's "command." lists to their commands; a
// word in two lists goes to the first in commandNames.
func commandWords(c *i18n.Catalog, l string) map[string]string {
	m := map[string]string{}
	for _, cmd := range commandNames {
		for _, w := range c.List(l, "command."+cmd) {
			if _, ok := m[w]; !ok {
				m[w] = cmd
			}
		}
	}
	return m
}

// isDispute reports whether a message after a decision disagrees with it in one of the
// words of the catalogs' "words.dispute" (the customer's language and English), beside
// understand.ReadRequest's readings.
func isDispute(lang, text string) bool {
	c := i18n.Current()
	lower := strings.ToLower(text)
	for _, l := range []string{c.Match(lang), "en"} {
		for _, w := range c.List(l, "words.dispute") {
			if strings.Contains(w, " ") {
				if strings.Contains(lower, w) {
					return true
				}
				continue
			}
			for _, f := range strings.Fields(lower) {
				if strings.Trim(f, ".,!?¡¿") == w {
					return true
				}
			}
		}
	}
	return false
}
