package bot

import "github.com/returnsbot/returnsbot/i18n"

// SlowDownText returns the one reply a customer gets when they write faster than the
// inbound limit allows (the messages over the limit are dropped unread), in lang; the
// shop's default for a language without a catalog.
func SlowDownText(lang string) string { return i18n.Current().Text(lang, "bot.slow_down", nil) }
