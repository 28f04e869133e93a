package bot

import "github.com/returnsbot/returnsbot/i18n"

// UnreadableText returns the apology to a customer whose stored conversation could not be
// read (see dialog.ErrUnreadable), in the language code ("de", "de-AT"); the shop's
// default for a language it lacks. Only the Service says it: the dialog never sees the
// session that was lost.
func UnreadableText(lang string) string { return i18n.Current().Text(lang, "bot.unreadable", nil) }
