package handoff

import (
	"fmt"
	"strings"

	"github.com/returnsbot/returnsbot/policy"
)

// say keys what the Desk tells customers. Staff texts are English only: staff share one
// desk, customers each have their own language, as the dialog does.
type say int

const (
	sayWithStaff say = iota
	sayOnlyTextAndPhotos
	sayBackToBot
	sayClosed
	sayClaimed
	sayClaimedAnon
	sayOverride
)

var customerTexts = map[string]map[say]string{
	"en": {
		sayWithStaff:         "Your conversation is with our staff now; please write your message and they will answer you here.",
		sayOnlyTextAndPhotos: "I can only pass text and photos on to our staff. Please describe it in words.",
		sayBackToBot:         "Our staff have handed your conversation back to me. Let us continue where we left off.",
		sayClosed:            "Our staff have closed your case. Thank you for your patience! If you need anything else, just write to me and we can start a new claim.",
		sayClaimed:           "%s from our team has taken up your case and will answer you here.",
		sayClaimedAnon:       "A member of our team has taken up your case and will answer you here.",
		sayOverride:          "Our staff have reviewed your claim and decided: %s.",
	},
	"de": {
		sayWithStaff:         "Ihr Gespräch liegt jetzt bei unserem Team; schreiben Sie einfach, es antwortet Ihnen hier.",
		sayOnlyTextAndPhotos: "Ich kann nur Text und Fotos an unser Team weitergeben. Bitte beschreiben Sie es in Worten.",
		sayBackToBot:         "Unser Team hat Ihr Gespräch an mich zurückgegeben. Machen wir dort weiter, wo wir aufgehört haben.",
		sayClosed:            "Unser Team hat Ihren Fall abgeschlossen. Vielen Dank für Ihre Geduld! Wenn Sie noch etwas brauchen, schreiben Sie mir einfach, dann beginnen wir ein neues Anliegen.",
		sayClaimed:           "%s aus unserem Team hat Ihren Fall übernommen und antwortet Ihnen hier.",
		sayClaimedAnon:       "Ein Mitglied unseres Teams hat Ihren Fall übernommen und antwortet Ihnen hier.",
		sayOverride:          "Unser Team hat Ihr Anliegen geprüft und entschieden: %s.",
	},
}

var outcomeTexts = map[string]map[policy.Outcome]string{
	"en": {
		policy.ReturnEligible:   "you may return or exchange the goods",
		policy.ReturnExpired:    "the return period has passed, so a return is not possible",
		policy.RefuseAtDelivery: "you may refuse the goods at delivery and not pay for them",
		policy.DamageNotCovered: "the damage is not covered",
		policy.WarrantyRepair:   "your product will be repaired free of charge under warranty",
		policy.WarrantyExcluded: "the warranty does not cover this case",
		policy.WarrantyExpired:  "the warranty has ended, so a free repair is not possible",
	},
	"de": {
		policy.ReturnEligible:   "Sie können die Ware zurückgeben oder umtauschen",
		policy.ReturnExpired:    "die Rückgabefrist ist abgelaufen, eine Rückgabe ist nicht mehr möglich",
		policy.RefuseAtDelivery: "Sie können die Annahme der Ware verweigern und müssen sie nicht bezahlen",
		policy.DamageNotCovered: "der Schaden ist nicht abgedeckt",
		policy.WarrantyRepair:   "Ihr Produkt wird im Rahmen der Garantie kostenlos repariert",
		policy.WarrantyExcluded: "die Garantie deckt diesen Fall nicht ab",
		policy.WarrantyExpired:  "die Garantie ist abgelaufen, eine kostenlose Reparatur ist nicht mehr möglich",
	},
}

// tell formats a customer text in the language code ("de", "de-AT"), falling back to
// English.
func tell(lang string, key say, args ...any) string {
	format, ok := customerTexts[baseLang(lang)][key]
	if !ok {
		format = customerTexts["en"][key]
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// outcomeText says an overriding decision in the customer's words.
func outcomeText(lang string, o policy.Outcome) string {
	if s, ok := outcomeTexts[baseLang(lang)][o]; ok {
		return s
	}
	if s, ok := outcomeTexts["en"][o]; ok {
		return s
	}
	return string(o)
}

func baseLang(code string) string {
	base, _, _ := strings.Cut(strings.ToLower(code), "-")
	return base
}
