package dialog

import (
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/policy"
)

// msg is the id of one of the dialog's sentences in the catalogs of package i18n. Policy
// text is never translated: it is quoted.
type msg string

// The dialog's sentences and labels.
const (
	msgGreeting                 msg = "dialog.greeting"
	msgAskReceipt               msg = "dialog.ask_receipt"
	msgAskPackaging             msg = "dialog.ask_packaging"
	msgAskCarrier               msg = "dialog.ask_carrier"
	msgAskDefect                msg = "dialog.ask_defect"
	msgAskDetails               msg = "dialog.ask_details"
	msgHintedBy                 msg = "dialog.hinted_by"
	msgNoDate                   msg = "dialog.no_date"
	msgFutureDate               msg = "dialog.future_date"
	msgImpossibleDate           msg = "dialog.impossible_date"
	msgAncientDate              msg = "dialog.ancient_date"
	msgPickOne                  msg = "dialog.pick_one"
	msgYesNo                    msg = "dialog.yes_no"
	msgMoreDetail               msg = "dialog.more_detail"
	msgTooLong                  msg = "dialog.too_long"
	msgEmpty                    msg = "dialog.empty"
	msgUnsupported              msg = "dialog.unsupported"
	msgPhotoKept                msg = "dialog.photo_kept"
	msgPhotoNeedsWords          msg = "dialog.photo_needs_words"
	msgStaleButton              msg = "dialog.stale_button"
	msgRepeat                   msg = "dialog.repeat"
	msgUnknownCommand           msg = "dialog.unknown_command"
	msgHelp                     msg = "dialog.help"
	msgAlreadyStarted           msg = "dialog.already_started"
	msgCannotGoBack             msg = "dialog.cannot_go_back"
	msgEscalated                msg = "dialog.escalated"
	msgWithStaff                msg = "dialog.with_staff"
	msgAfterDecision            msg = "dialog.after_decision"
	msgPolicySays               msg = "dialog.policy_says"
	msgReturnEligible           msg = "dialog.return_eligible"
	msgReturnEligiblePending    msg = "dialog.return_eligible_pending"
	msgReturnExpired            msg = "dialog.return_expired"
	msgRefuseAtDelivery         msg = "dialog.refuse_at_delivery"
	msgDamageNotCovered         msg = "dialog.damage_not_covered"
	msgWarrantyRepair           msg = "dialog.warranty_repair"
	msgWarrantyRepairAlsoReturn msg = "dialog.warranty_repair_also_return"
	msgWarrantyExcluded         msg = "dialog.warranty_excluded"
	msgWarrantyExpired          msg = "dialog.warranty_expired"
	msgCarrierClaim             msg = "dialog.carrier_claim"
	msgUndecidable              msg = "dialog.undecidable"
	msgUnavailable              msg = "dialog.unavailable"
	lblToday                    msg = "dialog.label_today"
	lblYesterday                msg = "dialog.label_yesterday"
	lblNotReceived              msg = "dialog.label_not_received"
	lblIntact                   msg = "dialog.label_intact"
	lblDamaged                  msg = "dialog.label_damaged"
	lblIncomplete               msg = "dialog.label_incomplete"
	lblYes                      msg = "dialog.label_yes"
	lblNo                       msg = "dialog.label_no"
	lblRestart                  msg = "dialog.label_restart"
	lblStaff                    msg = "dialog.label_staff"
	msgUnderstood               msg = "dialog.understood"
	msgUnsure                   msg = "dialog.unsure"
	msgCouldNotTell             msg = "dialog.could_not_tell"
	msgOfferPerson              msg = "dialog.offer_person"
	msgNoMatch                  msg = "dialog.no_match"
	msgNoMatchExample           msg = "dialog.no_match_example"
	msgForExample               msg = "dialog.for_example"
	msgSummaryHead              msg = "dialog.summary_head"
	msgSummaryAsk               msg = "dialog.summary_ask"
	msgSummaryYesOrChange       msg = "dialog.summary_yes_or_change"
	msgWhichChange              msg = "dialog.which_change"
	msgUnchanged                msg = "dialog.unchanged"
	whyReceipt                  msg = "dialog.why_receipt"
	whyPackaging                msg = "dialog.why_packaging"
	whyCarrier                  msg = "dialog.why_carrier"
	whyDefect                   msg = "dialog.why_defect"
	whyDetails                  msg = "dialog.why_details"
	whyExclusion                msg = "dialog.why_exclusion"
	whyShop                     msg = "dialog.why_shop"
	whySummary                  msg = "dialog.why_summary"
	factReceipt                 msg = "dialog.fact_receipt"
	factPackaging               msg = "dialog.fact_packaging"
	factCarrier                 msg = "dialog.fact_carrier"
	factDefect                  msg = "dialog.fact_defect"
	factDetails                 msg = "dialog.fact_details"
	lblConfirm                  msg = "dialog.label_confirm"
	lblChangeFact               msg = "dialog.label_change_fact"
	lblChangeNumber             msg = "dialog.label_change_number"
	msgChooseLanguage           msg = "dialog.choose_language"
	msgLanguageSet              msg = "dialog.language_set"
)

// argNames name the placeholders of the sentences that take arguments, in the order the
// dialog passes them; "Count" also chooses the plural form.
var argNames = map[msg][]string{
	msgHintedBy:                 {"Hint"},
	msgFutureDate:               {"Date"},
	msgAncientDate:              {"Date"},
	msgTooLong:                  {"Count", "Max"},
	msgUnsupported:              {"Kind"},
	msgUnknownCommand:           {"Command"},
	msgReturnEligible:           {"Received", "LastDay"},
	msgReturnEligiblePending:    {"Count", "LastDay"},
	msgReturnExpired:            {"Received", "Count", "LastDay"},
	msgWarrantyRepair:           {"End"},
	msgWarrantyRepairAlsoReturn: {"Received", "LastDay"},
	msgWarrantyExpired:          {"End"},
	msgNoMatchExample:           {"Example"},
	msgForExample:               {"Example"},
	lblChangeFact:               {"Number", "Fact"},
	lblChangeNumber:             {"Number"},
}

// texts renders the dialog's sentences in a session's language.
type texts struct {
	lang string
}

func (e *Engine) texts(s *Session) texts { return texts{lang: s.Lang} }

// get renders the sentence key in the session's language (English for a text the
// language lacks), args filling its placeholders in the order of argNames.
func (t texts) get(key msg, args ...any) string {
	var data map[string]any
	if len(args) > 0 {
		names := argNames[key]
		data = make(map[string]any, len(args))
		for i, a := range args {
			if i < len(names) {
				data[names[i]] = a
			}
		}
	}
	return i18n.Current().Text(t.lang, string(key), data)
}

// date formats a calendar day unambiguously for any reader, with the month's name in
// the session's language: "2 January 2006", "2. Januar 2006".
func (t texts) date(d time.Time) string {
	c := i18n.Current()
	lang := c.Match(t.lang)
	month := monthName(c.Text(lang, "date.month_names", nil), d.Month())
	return c.Text(lang, "date.format", map[string]any{"Day": d.Day(), "Month": month, "Year": d.Year()})
}

// monthName picks a month from the comma-separated list, as written (List would
// lower-case it).
func monthName(list string, m time.Month) string {
	names := strings.Split(list, ",")
	if len(names) != 12 {
		return m.String()
	}
	return strings.TrimSpace(names[m-1])
}

func (t texts) afterButtons() []Button {
	return []Button{{ID: "action:restart", Label: t.get(lblRestart)}, {ID: "action:staff", Label: t.get(lblStaff)}}
}

// Unavailable is the apology for a message that could not be handled for a passing
// reason (the session store is down), in the language code given.
func Unavailable(lang string) string { return texts{lang: lang}.get(msgUnavailable) }

// HasLanguage reports whether the dialog speaks the language code ("de", "pt-BR").
func HasLanguage(code string) bool { return i18n.Current().Has(code) }

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
	// The clauses as the customer reads them: the shop's translation into their language
	// when it wrote one, its own text otherwise.
	d.Clauses = e.clausesIn(s, d.Clauses)
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

// clausesIn returns a copy of clauses in the session's language where the policy has a
// translation of them.
func (e *Engine) clausesIn(s *Session, clauses []policy.Clause) []policy.Clause {
	if len(e.policy.Translations()) == 0 || len(clauses) == 0 {
		return clauses
	}
	lang := i18n.Current().Match(s.Lang)
	out := make([]policy.Clause, len(clauses))
	for i, c := range clauses {
		out[i] = c
		if tc, ok := e.policy.ClauseIn(lang, c.ID); ok {
			out[i] = tc
		}
	}
	return out
}
