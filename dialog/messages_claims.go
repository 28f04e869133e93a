package dialog

import (
	"fmt"
	"strings"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/policy"
)

// The sentences of claims, /status and /forget, in their own catalog beside package i18n's
// (not yet moved into its locale files), English complete, other languages falling back to
// it key by key.
const (
	msgClaimNumber       msg = "claims.msgClaimNumber"
	msgStatusNone        msg = "claims.msgStatusNone"
	msgStatusHead        msg = "claims.msgStatusHead"
	msgStatusLine        msg = "claims.msgStatusLine"
	msgStatusOne         msg = "claims.msgStatusOne"
	msgStatusClosedWhy   msg = "claims.msgStatusClosedWhy"
	msgStatusNotFound    msg = "claims.msgStatusNotFound"
	msgStatusBadID       msg = "claims.msgStatusBadID"
	msgStatusUnavailable msg = "claims.msgStatusUnavailable"
	lblStateDecided      msg = "claims.lblStateDecided"
	lblStateWithStaff    msg = "claims.lblStateWithStaff"
	lblStateClosed       msg = "claims.lblStateClosed"
	msgForgetAsk         msg = "claims.msgForgetAsk"
	msgForgetDone        msg = "claims.msgForgetDone"
	msgForgetKept        msg = "claims.msgForgetKept"
	msgForgetFailed      msg = "claims.msgForgetFailed"
	lblForgetYes         msg = "claims.lblForgetYes"
	lblForgetNo          msg = "claims.lblForgetNo"
)

var claimCatalogs = map[string]map[msg]string{
	"en": {
		msgClaimNumber:       "Your claim number is %s. Please quote it if you contact us; send /status to see where your claims stand.",
		msgStatusNone:        "I have no claims of yours on record. Tell me what you would like to return or have repaired, and I will start one.",
		msgStatusHead:        "Your most recent claims:",
		msgStatusLine:        "• %s, %s: %s (%s)",
		msgStatusOne:         "Claim %s, %s: %s. Status: %s.",
		msgStatusClosedWhy:   "Closed because: %s",
		msgStatusNotFound:    "I found no claim %s of yours. Send /status to list your claims.",
		msgStatusBadID:       "%q is not a claim number; they look like R-7K2Q9M. Send /status to list your claims.",
		msgStatusUnavailable: "Sorry, I cannot look up your claims right now. Please try again in a moment.",
		lblStateDecided:      "decided",
		lblStateWithStaff:    "with our staff",
		lblStateClosed:       "closed",
		msgForgetAsk:         "Shall I erase everything I keep about you: this conversation, your claims and their records? This cannot be undone, and our staff will no longer see your claims.",
		msgForgetDone:        "Done: I have erased your conversation and your claims. If you write again, we start afresh.",
		msgForgetKept:        "All right, I have erased nothing.",
		msgForgetFailed:      "Sorry, I could not erase your data just now. Please try again in a moment.",
		lblForgetYes:         "Yes, erase everything",
		lblForgetNo:          "No, keep it",
	},
	"de": {
		msgClaimNumber:       "Ihre Vorgangsnummer ist %s. Bitte geben Sie sie an, wenn Sie uns kontaktieren; mit /status sehen Sie, wo Ihre Vorgänge stehen.",
		msgStatusNone:        "Ich habe keine Vorgänge von Ihnen gespeichert. Sagen Sie mir, was Sie zurückgeben oder reparieren lassen möchten, dann lege ich einen an.",
		msgStatusHead:        "Ihre letzten Vorgänge:",
		msgStatusLine:        "• %s, %s: %s (%s)",
		msgStatusOne:         "Vorgang %s, %s: %s. Stand: %s.",
		msgStatusClosedWhy:   "Abgeschlossen, weil: %s",
		msgStatusNotFound:    "Einen Vorgang %s von Ihnen habe ich nicht gefunden. Mit /status sehen Sie Ihre Vorgänge.",
		msgStatusBadID:       "%q ist keine Vorgangsnummer; sie sehen so aus: R-7K2Q9M. Mit /status sehen Sie Ihre Vorgänge.",
		msgStatusUnavailable: "Entschuldigung, ich kann Ihre Vorgänge gerade nicht abrufen. Bitte versuchen Sie es gleich noch einmal.",
		lblStateDecided:      "entschieden",
		lblStateWithStaff:    "bei unserem Team",
		lblStateClosed:       "abgeschlossen",
		msgForgetAsk:         "Soll ich alles löschen, was ich über Sie gespeichert habe: dieses Gespräch, Ihre Vorgänge und deren Aufzeichnungen? Das lässt sich nicht rückgängig machen, und unser Team sieht Ihre Vorgänge danach nicht mehr.",
		msgForgetDone:        "Erledigt: Ich habe Ihr Gespräch und Ihre Vorgänge gelöscht. Wenn Sie wieder schreiben, beginnen wir neu.",
		msgForgetKept:        "In Ordnung, ich habe nichts gelöscht.",
		msgForgetFailed:      "Entschuldigung, ich konnte Ihre Daten gerade nicht löschen. Bitte versuchen Sie es gleich noch einmal.",
		lblForgetYes:         "Ja, alles löschen",
		lblForgetNo:          "Nein, behalten",
	},
}

// outcomeLabels name outcomes in /status.
var outcomeLabels = map[string]map[policy.Outcome]string{
	"en": {
		policy.ReturnEligible:   "return accepted",
		policy.ReturnExpired:    "return period passed",
		policy.RefuseAtDelivery: "may refuse at delivery",
		policy.DamageNotCovered: "damage not covered",
		policy.WarrantyRepair:   "free repair under warranty",
		policy.WarrantyExcluded: "not covered by the warranty",
		policy.WarrantyExpired:  "warranty ended",
		policy.Escalated:        "passed to our staff",
	},
	"de": {
		policy.ReturnEligible:   "Rückgabe möglich",
		policy.ReturnExpired:    "Rückgabefrist abgelaufen",
		policy.RefuseAtDelivery: "Annahme verweigern möglich",
		policy.DamageNotCovered: "Schaden nicht abgedeckt",
		policy.WarrantyRepair:   "kostenlose Reparatur unter Garantie",
		policy.WarrantyExcluded: "nicht von der Garantie abgedeckt",
		policy.WarrantyExpired:  "Garantie abgelaufen",
		policy.Escalated:        "an unser Team übergeben",
	},
}

// statusWords are the plain words that ask for /status, by language; "status R-7K2Q9M"
// works as "/status R-7K2Q9M" does.
var statusWords = []string{
	"status", "my claims", "my claim", "where is my claim", "claim status", "status of my claim", "my returns",
	"mein status", "meine vorgänge", "mein vorgang", "wo ist mein vorgang", "vorgangsstatus",
}

// forgetWords are the plain words that ask for /forget.
var forgetWords = []string{
	"forget me", "delete my data", "erase my data", "delete me", "erase me",
	"vergiss mich", "meine daten löschen", "lösche meine daten",
}

// claim formats a sentence of claimCatalogs in the session's language.
func (t texts) claim(key msg, args ...any) string {
	format, ok := claimCatalogs[baseLang(t.lang)][key]
	if !ok {
		format = claimCatalogs["en"][key]
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

func (t texts) outcome(o policy.Outcome) string {
	if s, ok := outcomeLabels[baseLang(t.lang)][o]; ok {
		return s
	}
	if s, ok := outcomeLabels["en"][o]; ok {
		return s
	}
	return string(o)
}

func (t texts) state(s claims.State) string {
	switch s {
	case claims.StateWithStaff:
		return t.claim(lblStateWithStaff)
	case claims.StateClosed:
		return t.claim(lblStateClosed)
	}
	return t.claim(lblStateDecided)
}

// baseLang is the language of a code, "de" of "de-AT", as claimCatalogs are keyed.
func baseLang(code string) string {
	base, _, _ := strings.Cut(strings.ToLower(code), "-")
	return base
}
