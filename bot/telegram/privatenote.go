package telegram

import "github.com/returnsbot/returnsbot/i18n"

// privateNote answers a command used in a group the bot does not read, in the person's
// language; the bot's link follows.
func privateNote(lang string) string { return i18n.Current().Text(lang, "telegram.private_note", nil) }
