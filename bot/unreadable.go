package bot

import "strings"

// unreadableTexts is the apology to a customer whose stored conversation could not be
// read (see dialog.ErrUnreadable), by language; others get English. It lives here rather
// than in the dialog's catalogues because only the Service says it: the dialog never sees
// the session that was lost.
var unreadableTexts = map[string]string{
	"en": "I am sorry: I could not read where our conversation stood, so we have to start again.",
	"de": "Entschuldigung: Ich konnte nicht lesen, wo unser Gespräch stand, deshalb müssen wir neu beginnen.",
}

// UnreadableText returns the apology to a customer whose stored conversation could not be
// read, in the language code ("de", "de-AT"); English for a language it lacks.
func UnreadableText(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if t, ok := unreadableTexts[base]; ok {
		return t
	}
	return unreadableTexts["en"]
}
