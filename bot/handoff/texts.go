package handoff

import (
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/policy"
)

// say is the id of what the Desk tells customers, in the catalogs of package i18n. Each
// customer hears their own language; staff texts (the "staff." ids) are in the desk's
// language, Desk.Lang, since staff share one desk.
type say string

// What the Desk tells customers.
const (
	sayWithStaff         say = "desk.with_staff"
	sayOnlyTextAndPhotos say = "desk.only_text_and_photos"
	sayBackToBot         say = "desk.back_to_bot"
	sayClosed            say = "desk.closed"
	sayClaimed           say = "desk.claimed"
	sayClaimedAnon       say = "desk.claimed_anon"
	sayOverride          say = "desk.override"
)

// argNames name the placeholders of the texts that take an argument.
var argNames = map[say]string{sayClaimed: "Name", sayOverride: "Decision"}

// tell renders a customer text in the language code ("de", "de-AT"), falling back to
// English.
func tell(lang string, key say, args ...any) string {
	var data map[string]any
	if len(args) > 0 {
		data = map[string]any{argNames[key]: args[0]}
	}
	return i18n.Current().Text(lang, string(key), data)
}

// outcomeText says an overriding decision in the customer's words.
func outcomeText(lang string, o policy.Outcome) string {
	id := "outcome." + string(o)
	if s := i18n.Current().Text(lang, id, nil); s != id {
		return s
	}
	return string(o)
}

// staffText renders the staff text "staff."+id in the desk's language lang. Policy quotes,
// the shop's own words and what customers wrote are never translated: they go in as data.
func staffText(lang, id string, data map[string]any) string {
	return i18n.Current().Text(lang, "staff."+id, data)
}

// lang is the desk's language: Lang, or the shop's default.
func (d *Desk) lang() string {
	if d.Lang != "" {
		return d.Lang
	}
	return i18n.Current().Default()
}

// say renders a staff text in the desk's language.
func (d *Desk) say(id string, data map[string]any) string { return staffText(d.lang(), id, data) }

// customerText renders the customer text id with named data in the language code lang.
func customerText(lang, id string, data map[string]any) string {
	return i18n.Current().Text(lang, id, data)
}
