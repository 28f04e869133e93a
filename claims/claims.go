// Package claims is the record of every decision the bot states and every case it hands to
// staff: what the customer answered, what the policy said then (quoted, with its version),
// and where the claim stands. A stored decision is never recomputed: a later policy edit
// leaves it as it was.
//
// The package declares the Store and Outbox interfaces; memclaims and redisclaims implement
// them, claimstest holds the conformance suites both pass, and package webhook delivers the
// outbox's events.
package claims

import (
	"errors"
	"time"

	"github.com/returnsbot/returnsbot/policy"
)

// ID names a claim. People read it aloud and type it, so it is short and its alphabet has
// no look-alike characters (see NewID).
type ID string

// State is where a claim stands, as customers see it in /status.
type State string

// The states of a claim.
const (
	// StateDecided: the bot stated a decision.
	StateDecided State = "decided"
	// StateWithStaff: the claim was escalated and staff have it.
	StateWithStaff State = "with_staff"
	// StateClosed: staff closed the case (CloseReason says why).
	StateClosed State = "closed"
)

// Address is the conversation a claim came from: enough to write to the customer again.
type Address struct {
	// Platform is "telegram", "discord" or "console".
	Platform string `json:"platform"`
	Chat     string `json:"chat"`
	// Thread is the forum topic or thread within Chat, if any.
	Thread string `json:"thread,omitempty"`
}

// Record is a claim as stored at decision time. Its fields are what export, webhooks, the
// staff card and /status show.
type Record struct {
	ID ID `json:"id"`
	Address
	// User is the customer's id on Platform; UserKey joins the two.
	User     string `json:"user"`
	UserName string `json:"user_name,omitempty"`
	Language string `json:"language,omitempty"`
	// Answers are the customer's answers keyed by question id: receipt_date, packaging,
	// carrier_check, defect, defect_details, confirm_<exclusion> and the shop's own questions.
	Answers map[string]string `json:"answers"`

	Outcome policy.Outcome `json:"outcome"`
	// Reason says why a claim was escalated (policy.Reason...).
	Reason string `json:"reason,omitempty"`
	// Exclusion is the id of the exclusion behind a warranty_excluded outcome.
	Exclusion string `json:"exclusion,omitempty"`
	// Clauses are quoted word for word from the policy in force at decision time.
	Clauses []policy.Clause `json:"clauses"`

	// The computed calendar days, zero where unknown. JSON gives them as dates
	// ("2026-11-20"), read back as midnight UTC.
	ReceiptDate   time.Time `json:"-"`
	LastReturnDay time.Time `json:"-"`
	WarrantyEnd   time.Time `json:"-"`

	// PolicyVersion names the policy text the decision rests on (see PolicyVersion).
	PolicyVersion string `json:"policy_version"`

	// Override is the decision staff put in place of the bot's, if any; Outcome and
	// Clauses stay the bot's.
	Override *Override `json:"override,omitempty"`

	State State `json:"state"`
	// CloseReason is the reason code staff (or the desk, for "idle" and "customer_left")
	// gave when the case closed.
	CloseReason string `json:"close_reason,omitempty"`
	// FirstStaffReply is when staff first wrote to the customer on an escalated claim,
	// zero until then: the dashboard's time to first answer.
	FirstStaffReply time.Time `json:"first_staff_reply,omitzero"`
	// Rating is the customer's satisfaction rating after the case closed, if they gave one.
	Rating *Rating `json:"rating,omitempty"`
	// CaseID is the staff desk's case, for escalated claims.
	CaseID string `json:"case,omitempty"`

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Override is a decision staff made in place of the bot's (claim.overridden).
type Override struct {
	Outcome policy.Outcome `json:"outcome"`
	Note    string         `json:"note,omitempty"`
	// By names the staff member, "Name (platform)".
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Rating is a customer's 1–5 satisfaction rating of a closed case.
type Rating struct {
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// UserKey is the customer as "platform:user", the form `returnsbot forget` and Store.ByUser
// take.
func (r *Record) UserKey() string { return UserKey(r.Platform, r.User) }

// UserKey joins a platform and a user id on it as Record.UserKey does.
func UserKey(platform, user string) string { return platform + ":" + user }

// FromDecision fills the outcome, reason, quoted clauses and dates of r from d. The clauses
// are copied, so the record keeps them whatever happens to d.
func (r *Record) FromDecision(d policy.Decision) {
	r.Outcome = d.Outcome
	r.Reason = d.Reason
	r.Exclusion = d.Exclusion
	r.Clauses = append([]policy.Clause(nil), d.Clauses...)
	r.ReceiptDate = d.ReceiptDate
	r.LastReturnDay = d.LastReturnDay
	r.WarrantyEnd = d.WarrantyEnd
}

// Clone returns a deep copy of r: stores hand out copies, so a caller's edit changes nothing
// stored.
func (r Record) Clone() Record {
	if r.Answers != nil {
		a := make(map[string]string, len(r.Answers))
		for k, v := range r.Answers {
			a[k] = v
		}
		r.Answers = a
	}
	r.Clauses = append([]policy.Clause(nil), r.Clauses...)
	if r.Override != nil {
		o := *r.Override
		r.Override = &o
	}
	if r.Rating != nil {
		g := *r.Rating
		r.Rating = &g
	}
	return r
}

// Errors the stores return; test them with errors.Is.
var (
	// ErrExists: Create was given an id already stored. The caller makes a new id and retries.
	ErrExists = errors.New("claim id already exists")
	// ErrNotFound: no claim has that id (or it outlived its retention).
	ErrNotFound = errors.New("claim not found")
	// ErrConflict: an Update lost the race too many times in a row.
	ErrConflict = errors.New("claim changed concurrently")
)
