package dialog

import (
	"time"

	"github.com/returnsbot/returnsbot/i18n"
)

// AwaitLanguage is what a reply offering the languages awaits.
const AwaitLanguage = "language"

// languageMenu offers every language the bot speaks, each named in its own words; the
// buttons are "language:<code>".
func (e *Engine) languageMenu(s *Session) Reply {
	c := i18n.Current()
	r := Reply{Text: e.texts(s).get(msgChooseLanguage), Awaiting: AwaitLanguage}
	for _, l := range c.Languages() {
		r.Buttons = append(r.Buttons, Button{ID: "language:" + l, Label: c.Text(l, "language.name", nil)})
	}
	return r
}

// switchLanguage makes code the session's language, says so in it and goes on where the
// claim stood; a language the bot does not speak (a stale button) changes nothing.
func (e *Engine) switchLanguage(s *Session, code string, now time.Time) []Reply {
	c := i18n.Current()
	if !c.Has(code) {
		return e.reprompt(s, e.texts(s).get(msgStaleButton), now)
	}
	s.Lang = c.Match(code)
	return e.reprompt(s, e.texts(s).get(msgLanguageSet), now)
}
