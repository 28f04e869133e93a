package bot

// slowDown is the one reply a customer gets when they write faster than the inbound limit
// allows, by language; the messages over the limit are dropped unread.
var slowDown = map[string]string{
	"en": "You are writing faster than I can read. I skipped your last messages: please wait a moment, then send me one message with what you need.",
	"de": "Sie schreiben schneller, als ich lesen kann. Ihre letzten Nachrichten habe ich übersprungen: Bitte warten Sie einen Moment und schicken Sie mir dann eine Nachricht mit Ihrem Anliegen.",
}

// SlowDownText returns the slow-down reply in lang, or in English.
func SlowDownText(lang string) string {
	if t, ok := slowDown[lang]; ok {
		return t
	}
	return slowDown["en"]
}
