package dialog

import (
	"fmt"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/policy"
)

// msg keys the dialog's own sentences. Policy text is never translated: it is quoted.
type msg int

const (
	msgGreeting msg = iota
	msgAskReceipt
	msgAskPackaging
	msgAskCarrier
	msgAskDefect
	msgAskDetails
	msgHintedBy
	msgNoDate
	msgFutureDate
	msgImpossibleDate
	msgAncientDate
	msgPickOne
	msgYesNo
	msgMoreDetail
	msgTooLong
	msgEmpty
	msgUnsupported
	msgPhotoKept
	msgPhotoNeedsWords
	msgStaleButton
	msgRepeat
	msgUnknownCommand
	msgHelp
	msgAlreadyStarted
	msgCannotGoBack
	msgEscalated
	msgWithStaff
	msgAfterDecision
	msgPolicySays
	msgReturnEligible
	msgReturnEligiblePending
	msgReturnExpired
	msgRefuseAtDelivery
	msgDamageNotCovered
	msgWarrantyRepair
	msgWarrantyRepairAlsoReturn
	msgWarrantyExcluded
	msgWarrantyExpired
	msgCarrierClaim
	msgUndecidable
	msgUnavailable
	lblToday
	lblYesterday
	lblNotReceived
	lblIntact
	lblDamaged
	lblIncomplete
	lblYes
	lblNo
	lblRestart
	lblStaff
	msgUnderstood
	msgUnsure
	msgCouldNotTell
	msgOfferPerson
	msgNoMatch
	msgNoMatchExample
	msgForExample
	msgSummaryHead
	msgSummaryAsk
	msgSummaryYesOrChange
	msgWhichChange
	msgUnchanged
	whyReceipt
	whyPackaging
	whyCarrier
	whyDefect
	whyDetails
	whyExclusion
	whyShop
	whySummary
	factReceipt
	factPackaging
	factCarrier
	factDefect
	factDetails
	lblConfirm
	lblChangeFact
	lblChangeNumber
)

// catalogs holds the dialog's sentences by language. English is complete; another
// language may leave keys out and falls back to English for them.
var catalogs = map[string]map[msg]string{
	"en": {
		msgGreeting: "Hello! I can help with a return or a warranty claim. I will ask a few short questions and then tell you what our policy says.\n" +
			"At any time you can type \"back\" to change your last answer, \"restart\" to start over, or \"person\" to talk to our staff.",
		msgAskReceipt:               "When did you receive the goods? For example 12.11.2026, \"yesterday\" or \"3 days ago\". If you have not picked them up yet, say \"not received yet\".",
		msgAskPackaging:             "What condition were the packaging and its contents in when you received them?",
		msgAskCarrier:               "Did you check the parcel together with the carrier's staff when you received it, and have the damage or missing parts recorded there?",
		msgAskDefect:                "Does the product have a defect, that is, does it not work as its operating instructions describe?",
		msgAskDetails:               "Please describe the defect in a few words: what happens, and since when? You can send photos too.",
		msgHintedBy:                 "You mentioned \"%s\".",
		msgNoDate:                   "Sorry, I could not read a date in that. Please write it like 12.11.2026, 2026-11-12, \"Nov 12\", \"yesterday\" or \"3 days ago\".",
		msgFutureDate:               "%s is still to come, so it cannot be the day you received the goods. Please check the date.",
		msgImpossibleDate:           "That date does not exist in the calendar. Please check the day and the month.",
		msgAncientDate:              "%s is a very long time ago. Please check the year.",
		msgPickOne:                  "Sorry, I did not understand. Please choose one of the options.",
		msgYesNo:                    "Please answer yes or no.",
		msgMoreDetail:               "Please tell me a little more about the defect.",
		msgTooLong:                  "Your message is %d characters long; I can read up to %d. Please shorten it, nothing you told me before is lost.",
		msgEmpty:                    "I did not receive any text.",
		msgUnsupported:              "I can only read text and photos, not a %s.",
		msgPhotoKept:                "Thank you, I have kept your photo for our staff.",
		msgPhotoNeedsWords:          "Thank you, I have kept your photo. Please also describe the defect in a few words.",
		msgStaleButton:              "That button belongs to an earlier question.",
		msgRepeat:                   "In case my last message did not reach you, here it is again.",
		msgUnknownCommand:           "I do not know the command /%s. You can use /restart, /back, /staff and /help.",
		msgHelp:                     "I decide returns and warranty claims by our policy. Answer my questions by tapping a button or typing. Type \"back\" to change your last answer, \"restart\" to start over, or \"person\" to talk to our staff.",
		msgAlreadyStarted:           "We are already in the middle of your claim. Type \"restart\" if you want to start over.",
		msgCannotGoBack:             "There is no earlier answer to go back to.",
		msgEscalated:                "I have passed your conversation to our staff. A person will answer you here as soon as possible.",
		msgWithStaff:                "Your conversation is with our staff; they will answer you here. Type \"restart\" to start a new claim with me.",
		msgAfterDecision:            "Your claim is decided. You can start a new claim, or talk to a person if you disagree.",
		msgPolicySays:               "Our policy says:",
		msgReturnEligible:           "Good news: you can return or exchange the goods. You received them on %s, so the last day to return them is %s.",
		msgReturnEligiblePending:    "Once you accept the goods you can return or exchange them within %d days; counting from today, that would be until %s.",
		msgReturnExpired:            "I am sorry: the return period has passed. You received the goods on %s, %d days ago; the last day to return them was %s.",
		msgRefuseAtDelivery:         "You have not accepted the goods yet, so you do not have to: show the damage or the missing parts to the carrier's staff, and you may refuse to receive the goods and not pay for them.",
		msgDamageNotCovered:         "I am sorry: damage or missing parts that were not checked with the carrier when the goods were received are not covered.",
		msgWarrantyRepair:           "Your product qualifies for free repair under warranty, which lasts until %s.",
		msgWarrantyRepairAlsoReturn: "As you received it on %s, you may instead return it until %s.",
		msgWarrantyExcluded:         "I am sorry: the warranty does not cover this case.",
		msgWarrantyExpired:          "I am sorry: the warranty ended on %s, so a free repair is no longer possible.",
		msgCarrierClaim:             "As the damage was recorded with the carrier, our staff will take up the claim with you. I have passed your conversation to them; a person will answer you here.",
		msgUndecidable:              "I cannot decide this case myself, so I have passed it to our staff. A person will answer you here.",
		msgUnavailable:              "Sorry, I am having a technical problem right now. Please send your message again in a moment; nothing you told me before is lost.",
		lblToday:                    "Today",
		lblYesterday:                "Yesterday",
		lblNotReceived:              "Not received yet",
		lblIntact:                   "Intact and complete",
		lblDamaged:                  "Damaged",
		lblIncomplete:               "Parts missing",
		lblYes:                      "Yes",
		lblNo:                       "No",
		lblRestart:                  "Start a new claim",
		lblStaff:                    "Talk to a person",
		msgUnderstood:               "From your message I have noted:",
		msgUnsure:                   "You are not sure, so I will not guess. Please check, and answer when you know; or tap one of the options.",
		msgCouldNotTell:             "I could not tell the answer from that, so I will not guess.",
		msgOfferPerson:              "If this question is hard to answer, a person from our staff can help you.",
		msgNoMatch:                  "That does not look right; please check it.",
		msgNoMatchExample:           "That does not look right; it should look like %s.",
		msgForExample:               "(For example: %s)",
		msgSummaryHead:              "Here is what I understood:",
		msgSummaryAsk:               "Is that all correct? Tap \"Yes, that's right\" for the decision, or the fact to change.",
		msgSummaryYesOrChange:       "Please answer yes if everything is right, or tell me what to change.",
		msgWhichChange:              "Which answer should I change? Tap it, or tell me the right answer.",
		msgUnchanged:                "That is what I had noted already.",
		whyReceipt:                  "The return period and the warranty are counted from the day you received the goods.",
		whyPackaging:                "Damage or missing parts on delivery are handled differently from a defect of the product.",
		whyCarrier:                  "Our policy covers transport damage only when it was checked and recorded with the carrier on receipt.",
		whyDefect:                   "A defect is repaired under warranty; goods without a defect can be returned within the return period.",
		whyDetails:                  "Your description tells me which of the policy's warranty exclusions I need to ask about, and it helps our staff.",
		whyExclusion:                "Our policy excludes some cases from the warranty, and your answer tells me whether this one applies. The policy says:",
		whyShop:                     "The shop needs this to handle your claim.",
		whySummary:                  "I read back what I understood so that nothing is decided on a misunderstanding.",
		factReceipt:                 "Received",
		factPackaging:               "Packaging",
		factCarrier:                 "Checked with the carrier",
		factDefect:                  "Defect",
		factDetails:                 "Defect details",
		lblConfirm:                  "Yes, that's right",
		lblChangeFact:               "Change %s: %s",
		lblChangeNumber:             "Change %s",
	},
}

// texts renders the dialog's sentences in a session's language.
type texts struct {
	lang string
}

func (e *Engine) texts(s *Session) texts { return texts{lang: s.Lang} }

// get formats the sentence key in the session's language, falling back to English.
func (t texts) get(key msg, args ...any) string {
	format, ok := catalogs[baseLang(t.lang)][key]
	if !ok {
		format = catalogs["en"][key]
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// monthNames spells months by language; English is time's own.
var monthNames = map[string][12]string{}

// date formats a calendar day unambiguously for any reader: "2 January 2006".
func (t texts) date(d time.Time) string {
	if names, ok := monthNames[baseLang(t.lang)]; ok {
		return fmt.Sprintf("%d. %s %d", d.Day(), names[d.Month()-1], d.Year())
	}
	return d.Format("2 January 2006")
}

func (t texts) afterButtons() []Button {
	return []Button{{ID: "action:restart", Label: t.get(lblRestart)}, {ID: "action:staff", Label: t.get(lblStaff)}}
}

// Unavailable is the apology for a message that could not be handled for a passing
// reason (the session store is down), in the language code given.
func Unavailable(lang string) string { return texts{lang: lang}.get(msgUnavailable) }

// HasLanguage reports whether the dialog speaks the language code ("de", "pt-BR").
func HasLanguage(code string) bool {
	_, ok := catalogs[baseLang(code)]
	return ok
}

func baseLang(code string) string {
	base, _, _ := strings.Cut(strings.ToLower(code), "-")
	return base
}

// render writes a decision as a message: the verdict, then every clause it rests on, quoted
// word for word in its own paragraph.
func (e *Engine) render(s *Session, d policy.Decision) Reply {
	t := e.texts(s)
	p := e.policy
	var head string
	switch d.Outcome {
	case policy.ReturnEligible:
		if s.Answers.Receipt == ReceiptPending {
			head = t.get(msgReturnEligiblePending, p.ReturnWindowDays, t.date(d.LastReturnDay))
		} else {
			head = t.get(msgReturnEligible, t.date(d.ReceiptDate), t.date(d.LastReturnDay))
		}
	case policy.ReturnExpired:
		head = t.get(msgReturnExpired, t.date(d.ReceiptDate), d.DaysSinceReceipt, t.date(d.LastReturnDay))
	case policy.RefuseAtDelivery:
		head = t.get(msgRefuseAtDelivery)
	case policy.DamageNotCovered:
		head = t.get(msgDamageNotCovered)
	case policy.WarrantyRepair:
		head = t.get(msgWarrantyRepair, t.date(d.WarrantyEnd))
		if len(d.Clauses) > 1 {
			head += " " + t.get(msgWarrantyRepairAlsoReturn, t.date(d.ReceiptDate), t.date(d.LastReturnDay))
		}
	case policy.WarrantyExcluded:
		head = t.get(msgWarrantyExcluded)
	case policy.WarrantyExpired:
		head = t.get(msgWarrantyExpired, t.date(d.WarrantyEnd))
	case policy.Escalated:
		if d.Reason == policy.ReasonCarrierClaim {
			head = t.get(msgCarrierClaim)
		} else {
			head = t.get(msgUndecidable)
		}
	}
	var b strings.Builder
	b.WriteString(head)
	if len(d.Clauses) > 0 {
		b.WriteString("\n\n" + t.get(msgPolicySays))
		for _, c := range d.Clauses {
			b.WriteString("\n\n“" + c.Text + "”")
		}
	}
	d.Claim = s.Claim
	b.WriteString(e.claimLine(s))
	r := Reply{Text: b.String(), Decision: &d}
	if d.Outcome != policy.Escalated {
		r.Buttons = t.afterButtons()
	}
	return r
}
