package dialog

import "strings"

// command recognises the words that work at any step: slash commands (with or without a
// Telegram "@botname" suffix) and their plain-word twins. Any other slash word is returned
// as an unknown command, so the customer hears that it was not understood.
func command(text string) (string, bool) {
	lower := strings.ToLower(strings.TrimSpace(text))
	if strings.HasPrefix(lower, "/") {
		name, _, _ := strings.Cut(lower[1:], " ")
		name, _, _ = strings.Cut(name, "@")
		switch name {
		case "start", "restart", "back", "help", "status":
			return name, true
		case "staff", "human", "person", "operator", "agent":
			return "staff", true
		case "return":
			return "start", true
		}
		return name, true
	}
	lower = strings.Trim(lower, ".!? ")
	switch lower {
	case "restart", "start over", "start again", "new claim", "reset", "neustart", "neu starten", "von vorne":
		return "restart", true
	case "back", "go back", "undo", "previous", "change my answer", "change answer", "zurück":
		return "back", true
	case "help", "?", "hilfe":
		return "help", true
	case "person", "human", "staff", "operator", "agent", "manager", "a person", "a human",
		"real person", "a real person", "talk to a person", "talk to a human", "speak to a person",
		"speak to a human", "talk to staff", "contact staff", "support", "mitarbeiter", "mensch", "ein mensch":
		return "staff", true
	}
	return "", false
}

// isDispute reports whether a message after a decision disagrees with it in one of the
// words the dialog always knew, beside understand.ReadRequest's readings.
func isDispute(text string) bool {
	for _, w := range strings.Fields(strings.ToLower(text)) {
		switch strings.Trim(w, ".,!?") {
		case "disagree", "dispute", "unfair", "wrong", "complaint", "appeal", "incorrect",
			"ungerecht", "falsch", "widerspruch", "beschwerde":
			return true
		}
	}
	return false
}
