package dialog

import "strings"

// A customer erases what the bot keeps about them with /forget (or plain words for it),
// confirmed with a button: the dialog asks and words the answers, and bot.Service, which
// holds the stores, erases. Asking changes no session.

// Buttons of the /forget confirmation.
const (
	ForgetYes = "forget:yes"
	ForgetNo  = "forget:no"
)

// ForgetRequest reports whether text asks the bot to erase the customer's data.
func ForgetRequest(text string) bool {
	lower := strings.ToLower(strings.TrimSpace(text))
	if strings.HasPrefix(lower, "/") {
		name, _, _ := strings.Cut(lower[1:], " ")
		name, _, _ = strings.Cut(name, "@")
		return name == "forget"
	}
	lower = strings.Trim(lower, ".!? ")
	for _, w := range forgetWords() {
		if lower == w {
			return true
		}
	}
	return false
}

// ForgetAsk asks the customer to confirm erasing their data.
func (e *Engine) ForgetAsk(s *Session) Reply {
	t := e.texts(s)
	return Reply{Text: t.get(msgForgetAsk), Buttons: []Button{
		{ID: ForgetYes, Label: t.get(lblForgetYes)}, {ID: ForgetNo, Label: t.get(lblForgetNo)},
	}}
}

// ForgetDone says the customer's data is erased, in the language code lang (the session
// is gone).
func ForgetDone(lang string) Reply { return Reply{Text: texts{lang: lang}.get(msgForgetDone)} }

// ForgetFailed says the erasure failed and may be tried again.
func ForgetFailed(lang string) Reply { return Reply{Text: texts{lang: lang}.get(msgForgetFailed)} }

// ForgetKept answers the customer who chose to keep their data, then where the
// conversation stands.
func (e *Engine) ForgetKept(s *Session) []Reply {
	return e.withWhere(s, e.texts(s).get(msgForgetKept))
}
