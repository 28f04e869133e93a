package dialog

import (
	"strings"

	"github.com/returnsbot/returnsbot/policy"
)

// command recognises the words that work at any step: slash commands (with or without a
// Telegram "@botname" suffix) and their plain-word twins. Any other slash word is returned
// as an unknown command, so the customer hears that it was not understood.
func command(text string) (string, bool) {
	lower := strings.ToLower(strings.TrimSpace(text))
	if strings.HasPrefix(lower, "/") {
		name, _, _ := strings.Cut(lower[1:], " ")
		name, _, _ = strings.Cut(name, "@")
		switch name {
		case "start", "restart", "back", "help":
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

// isDispute reports whether a message after a decision disagrees with it.
func isDispute(text string) bool {
	words := strings.Fields(strings.ToLower(text))
	for _, w := range words {
		switch strings.Trim(w, ".,!?") {
		case "disagree", "dispute", "unfair", "wrong", "complaint", "appeal", "incorrect",
			"ungerecht", "falsch", "widerspruch", "beschwerde":
			return true
		}
	}
	return false
}

// parsePackaging reads the condition of the packaging from a button value or typed words.
func parsePackaging(text string) (policy.Packaging, bool) {
	lower := strings.ToLower(text)
	for _, w := range []string{"no damage", "undamaged", "not damaged", "nothing missing", "not broken", "all fine", "all good",
		"unbeschädigt", "nicht beschädigt", "in ordnung", "vollständig und"} {
		if strings.Contains(lower, w) {
			return policy.PackagingIntact, true
		}
	}
	for _, w := range []string{"missing", "incomplete", "not complete", "lacking", "parts", "empty", "fehl", "unvollständig", "leer"} {
		if strings.Contains(lower, w) {
			return policy.PackagingIncomplete, true
		}
	}
	for _, w := range []string{"damage", "broken", "dent", "torn", "crushed", "wet", "open", "ripped", "smashed", "bad",
		"beschädigt", "kaputt", "zerdrückt", "eingedrückt", "nass", "gerissen", "offen"} {
		if strings.Contains(lower, w) {
			return policy.PackagingDamaged, true
		}
	}
	for _, w := range []string{"intact", "fine", "ok", "good", "perfect", "complete", "normal", "intakt", "vollständig"} {
		if strings.Contains(lower, w) {
			return policy.PackagingIntact, true
		}
	}
	return "", false
}

// parseYesNo reads a yes or no from a button value or the first word typed.
func parseYesNo(text string) (yes, ok bool) {
	fields := strings.Fields(strings.ToLower(text))
	if len(fields) == 0 {
		return false, false
	}
	switch strings.Trim(fields[0], ".,!?") {
	case "yes", "y", "yeah", "yep", "yup", "sure", "correct", "right", "true", "ok", "okay", "да", "ja", "oui", "si", "sí":
		return true, true
	case "no", "n", "nope", "nah", "not", "false", "never", "нет", "nein", "non":
		return false, true
	}
	return false, false
}
