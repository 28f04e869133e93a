package policy

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
)

// Outcome names an eligibility decision. The names are part of the external contract.
type Outcome string

// The outcomes of ../shared/CONTRACT.md.
const (
	ReturnEligible   Outcome = "return_eligible"
	ReturnExpired    Outcome = "return_expired"
	RefuseAtDelivery Outcome = "refuse_at_delivery"
	DamageNotCovered Outcome = "damage_not_covered"
	WarrantyRepair   Outcome = "warranty_repair"
	WarrantyExcluded Outcome = "warranty_excluded"
	WarrantyExpired  Outcome = "warranty_expired"
	Escalated        Outcome = "escalated"
)

// Outcomes lists every outcome, in the order of the contract.
var Outcomes = []Outcome{
	ReturnEligible, ReturnExpired, RefuseAtDelivery, DamageNotCovered,
	WarrantyRepair, WarrantyExcluded, WarrantyExpired, Escalated,
}

// Packaging is the condition of the parcel and its contents on receipt.
type Packaging string

// Packaging conditions.
const (
	PackagingIntact     Packaging = "intact"
	PackagingDamaged    Packaging = "damaged"
	PackagingIncomplete Packaging = "incomplete"
)

// Facts are what the customer told the bot about a claim.
type Facts struct {
	// Received is false while the customer is still at pickup and has not accepted the goods.
	Received bool
	// ReceiptDate is the calendar day the goods were received; only its date counts.
	ReceiptDate time.Time
	Packaging   Packaging
	// CarrierChecked reports whether damage or missing parts were checked and recorded with
	// the carrier on receipt.
	CarrierChecked bool
	Defect         bool
	DefectDetails  string
	// Exclusions maps an exclusion id to whether the customer's answers say it applies.
	Exclusions map[string]bool
	// Answers are the answers to the shop's own questions (Policy.Questions) by question
	// id: a choice's value, or the text typed. They decide nothing; the decision carries them.
	Answers map[string]string
}

// Decision is the outcome of a claim with the clauses it rests on.
type Decision struct {
	Outcome Outcome `json:"outcome"`
	// Clauses are quoted word for word from the policy text.
	Clauses []Clause `json:"clauses"`
	// Exclusion is the id of the exclusion behind a WarrantyExcluded outcome.
	Exclusion string `json:"exclusion,omitempty"`
	// Reason says why a claim was escalated.
	Reason string `json:"reason,omitempty"`
	// Answers are the answers to the shop's own questions the claim was decided with.
	Answers map[string]string `json:"answers,omitempty"`
	// Claim is the id of the claim record of the decision. Decide leaves it empty: the
	// dialog draws it when it states the decision.
	Claim string `json:"claim,omitempty"`

	// ReceiptDate is the calendar day the goods were received; today if they are not yet.
	ReceiptDate time.Time `json:"receipt_date"`
	// DaysSinceReceipt counts calendar days from receipt to now; the day of receipt is 0.
	DaysSinceReceipt int `json:"days_since_receipt"`
	// LastReturnDay is the last calendar day on which the goods may be returned.
	LastReturnDay time.Time `json:"last_return_day"`
	// WarrantyEnd is the last calendar day covered by the warranty.
	WarrantyEnd time.Time `json:"warranty_end"`
}

// Escalation reasons.
const (
	ReasonCarrierClaim = "carrier_claim" // damage was recorded with the carrier: staff file the claim
	ReasonAsked        = "asked"         // the customer asked for a person
	ReasonDisputed     = "disputed"      // the customer disputes the decision
	ReasonUndecidable  = "undecidable"   // the facts do not fit the policy
)

// Decide returns the decision the policy gives for facts at time now. It is pure: the same
// facts and time give the same decision.
//
// The rules, in order:
//   - not yet accepted, with damage, missing parts or a defect: refuse at delivery;
//   - received damaged or incomplete: not covered unless checked with the carrier, in which
//     case staff take the carrier claim (escalated);
//   - a defect: excluded if an exclusion applies, expired after the warranty period,
//     otherwise repaired free (and, within the window, returnable too);
//   - no defect: returnable within the window, expired after it.
func (p *Policy) Decide(f Facts, now time.Time) Decision {
	today := Day(now, p.Location)
	d := Decision{}
	if len(f.Answers) > 0 {
		d.Answers = make(map[string]string, len(f.Answers))
		for k, v := range f.Answers {
			d.Answers[k] = v
		}
	}
	received := today
	if f.Received {
		received = Day(f.ReceiptDate, p.Location)
	}
	d.ReceiptDate = received
	d.DaysSinceReceipt = DaysBetween(received, today)
	d.LastReturnDay = received.AddDate(0, 0, p.ReturnWindowDays)
	d.WarrantyEnd = received.AddDate(0, p.WarrantyMonths, -1)
	withinWindow := !today.After(d.LastReturnDay)
	bad := f.Packaging == PackagingDamaged || f.Packaging == PackagingIncomplete

	switch {
	case f.Received && today.Before(received):
		d.Outcome, d.Reason = Escalated, ReasonUndecidable
	case !f.Received && (bad || f.Defect):
		d.Outcome = RefuseAtDelivery
		d.Clauses = p.quote(ClauseCheckOnReceipt, ClauseRefuseDelivery)
	case f.Received && bad && f.CarrierChecked:
		d.Outcome, d.Reason = Escalated, ReasonCarrierClaim
		d.Clauses = p.quote(ClauseCarrierCheck)
	case f.Received && bad:
		d.Outcome = DamageNotCovered
		d.Clauses = p.quote(ClauseCarrierCheck)
	case f.Defect:
		if e, ok := p.appliedExclusion(f.Exclusions); ok {
			d.Outcome, d.Exclusion = WarrantyExcluded, e.ID
			d.Clauses = append(p.quote(ClauseExclusions), e.Clause)
		} else if today.After(d.WarrantyEnd) {
			d.Outcome = WarrantyExpired
			d.Clauses = p.quote(ClauseWarranty)
		} else {
			d.Outcome = WarrantyRepair
			d.Clauses = p.quote(ClauseWarranty)
			if withinWindow {
				d.Clauses = append(d.Clauses, p.quote(ClauseReturnWindow)...)
			}
		}
	case withinWindow:
		d.Outcome = ReturnEligible
		d.Clauses = p.quote(ClauseReturnWindow)
	default:
		d.Outcome = ReturnExpired
		d.Clauses = p.quote(ClauseReturnWindow)
	}
	return d
}

// appliedExclusion returns the first exclusion, in policy order, that the answers say applies.
func (p *Policy) appliedExclusion(answers map[string]bool) (Exclusion, bool) {
	for _, e := range p.Exclusions {
		if answers[e.ID] {
			return e, true
		}
	}
	return Exclusion{}, false
}

// quote returns the clauses with the given ids, skipping optional ones the policy lacks.
func (p *Policy) quote(ids ...string) []Clause {
	out := make([]Clause, 0, len(ids))
	for _, id := range ids {
		if c, ok := p.clauses[id]; ok {
			out = append(out, c)
		}
	}
	return out
}

// Hinted returns the exclusions to ask about for a defect description, in the order to
// ask them: first those always asked, in policy order, then those the description hints
// at, the one it points to most strongly first (see Exclusion.HintStrength); equally
// strong ones keep policy order.
func (p *Policy) Hinted(details string) []Exclusion {
	words := wordsOf(details)
	var always, hinted []Exclusion
	var strength []int
	for _, e := range p.Exclusions {
		switch n := e.strength(words); {
		case e.Always:
			always = append(always, e)
		case n > 0:
			hinted = append(hinted, e)
			strength = append(strength, n)
		}
	}
	// An insertion sort: stable, and there are a handful at most.
	for i := 1; i < len(hinted); i++ {
		for j := i; j > 0 && strength[j] > strength[j-1]; j-- {
			hinted[j], hinted[j-1] = hinted[j-1], hinted[j]
			strength[j], strength[j-1] = strength[j-1], strength[j]
		}
	}
	return append(always, hinted...)
}

// HintStrength measures how strongly text points to the exclusion: each of its hints
// found in text counts, a hint of several words more than one of one word, and a whole
// word ("water") more than a word start ("spill*"); 0 means no hint is found.
func (e Exclusion) HintStrength(text string) int { return e.strength(wordsOf(text)) }

func (e Exclusion) strength(words []string) int {
	hints := e.compiled
	if hints == nil {
		hints = compileHints(e.Hints)
	}
	n := 0
	for _, h := range hints {
		if h.in(words) {
			n += 2 * len(h.words)
			if !h.prefix {
				n++
			}
		}
	}
	return n
}

// HintedBy reports whether text contains one of the exclusion's hints.
func (e Exclusion) HintedBy(text string) bool {
	return e.hintedByWords(wordsOf(text))
}

func (e Exclusion) hintedByWords(words []string) bool {
	hints := e.compiled
	if hints == nil {
		hints = compileHints(e.Hints)
	}
	for _, h := range hints {
		if h.in(words) {
			return true
		}
	}
	return false
}

// A hint is a hint phrase split into words, ready to match; Parse compiles them once
// because every defect description is matched against every exclusion.
type hint struct {
	words []string
	// prefix lets the last word match any word that starts with it.
	prefix bool
}

func compileHints(hints []string) []hint {
	out := make([]hint, 0, len(hints))
	for _, h := range hints {
		words := wordsOf(strings.TrimSuffix(h, "*"))
		if len(words) > 0 {
			out = append(out, hint{words: words, prefix: strings.HasSuffix(h, "*")})
		}
	}
	return out
}

// in reports whether the hint occurs in words.
func (h hint) in(words []string) bool {
scan:
	for i := 0; i+len(h.words) <= len(words); i++ {
		for j, w := range h.words {
			last := j == len(h.words)-1
			if words[i+j] != w && !(last && h.prefix && strings.HasPrefix(words[i+j], w)) {
				continue scan
			}
		}
		return true
	}
	return false
}

// wordsOf lower-cases text and splits it into words of letters and digits.
func wordsOf(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '\''
	})
}

// Day returns midnight at the start of t's calendar day in loc.
func Day(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// DaysBetween counts calendar days from day a to day b, both midnights, across DST changes.
func DaysBetween(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// MarshalJSON writes the decision's calendar days as YYYY-MM-DD: they are dates, and a
// time of day or zone in them would only invite misreading.
func (d Decision) MarshalJSON() ([]byte, error) {
	type plain Decision // without this method
	return json.Marshal(struct {
		plain
		ReceiptDate   string `json:"receipt_date,omitempty"`
		LastReturnDay string `json:"last_return_day,omitempty"`
		WarrantyEnd   string `json:"warranty_end,omitempty"`
	}{plain(d), dateOnly(d.ReceiptDate), dateOnly(d.LastReturnDay), dateOnly(d.WarrantyEnd)})
}

func dateOnly(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
