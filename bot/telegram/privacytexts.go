package telegram

// privateNotes answer a command used in a group the bot does not read, by language; the
// bot's link follows.
var privateNotes = map[string]string{
	"en": "I handle returns and warranty claims in a private chat only, so that what you tell me stays between us. Please write to me directly:",
	"de": "Ich bearbeite Rückgaben und Garantiefälle nur im privaten Chat, damit Ihre Angaben unter uns bleiben. Bitte schreiben Sie mir direkt:",
}

func privateNote(lang string) string {
	if n, ok := privateNotes[lang]; ok {
		return n
	}
	return privateNotes["en"]
}
