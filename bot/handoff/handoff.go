// Package handoff hands conversations the bot cannot finish to people. A Desk wraps the
// dialog's bot.Service like net/http middleware: when the dialog escalates, it opens a case
// with a thread on every configured staff desk (a Telegram forum topic, a Discord thread),
// relays the customer's messages there and the claiming staff member's answers back, and
// gives the conversation back to the bot or closes it when staff say so.
//
// Cases live in a Store (memory or Redis), so they survive restarts and several instances
// can serve the same desks: every change to a case is a compare-and-set, which is what
// makes a claim exclusive when two staff members press at once.
package handoff

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/policy"
)

// Status is where a case stands.
type Status string

// Case statuses. Only an open case relays messages; the other two keep their transcript.
const (
	Open     Status = "open"
	Returned Status = "returned" // handed back to the bot
	Closed   Status = "closed"
)

// Case is one escalated conversation and what staff did with it.
type Case struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Customer is the customer's chat; its Key is the dialog session key.
	Customer bot.Address `json:"customer"`
	// User is the customer's platform user id, Name how they call themselves.
	User string `json:"user,omitempty"`
	Name string `json:"name,omitempty"`
	// Lang is the customer's language code, for what the Desk tells them.
	Lang string `json:"lang,omitempty"`
	// Reason is the dialog's escalation reason (policy.ReasonAsked, ...).
	Reason string `json:"reason,omitempty"`
	// Claim is the id of the claim record of the escalation (claims.Record), whose
	// stored decision the card shows.
	Claim  string    `json:"claim,omitempty"`
	Opened time.Time `json:"opened"`
	// Threads are the case's threads on the staff desks, one per desk at most.
	Threads []bot.Address `json:"threads,omitempty"`
	// Claimed is the staff member handling the case, or nil.
	Claimed   *Staff    `json:"claimed,omitempty"`
	ClaimedAt time.Time `json:"claimed_at,omitzero"`
	// Notified is when staff were last told about the unclaimed case (its card or a
	// reminder); re-notification counts from it.
	Notified time.Time `json:"notified"`
	Override *Override `json:"override,omitempty"`
	Ended    time.Time `json:"ended,omitzero"`
	EndedBy  *Staff    `json:"ended_by,omitempty"`
	// CloseReason is the reason code of a closed case (CloseReasons), CloseNote the
	// staff member's words after it.
	CloseReason string `json:"close_reason,omitempty"`
	CloseNote   string `json:"close_note,omitempty"`
	// Active is when the last message of the case went either way (zero: none since it
	// opened); IdleWarned is when both sides were told the idle case will close.
	Active     time.Time `json:"active,omitzero"`
	IdleWarned time.Time `json:"idle_warned,omitzero"`
	// Reopened is the ended case this one reopened; ReopenedAs the case that reopened this.
	Reopened   string `json:"reopened,omitempty"`
	ReopenedAs string `json:"reopened_as,omitempty"`
	// Answered is when staff first wrote to the customer, zero until then.
	Answered time.Time `json:"answered,omitzero"`
	// Told is when the waiting customer was last told where they stand in the queue.
	Told time.Time `json:"told,omitzero"`
	// Rating is the customer's 1-5 rating of the closed case, 0 until they give one, and
	// RatingComment what they added to it.
	Rating        int    `json:"rating,omitempty"`
	RatingComment string `json:"rating_comment,omitempty"`
	// Seen holds the ids of the last messages relayed, so a redelivered one is relayed once.
	Seen []string `json:"seen,omitempty"`
}

// Staff is a staff member as a platform knows them.
type Staff struct {
	Platform string `json:"platform"`
	User     string `json:"user"`
	Name     string `json:"name,omitempty"`
}

func (s Staff) String() string {
	name := s.Name
	if name == "" {
		name = s.User
	}
	return name + " (" + s.Platform + ")"
}

// Override is a decision staff put in place of the bot's.
type Override struct {
	From policy.Outcome `json:"from,omitempty"`
	To   policy.Outcome `json:"to"`
	Note string         `json:"note,omitempty"`
	By   Staff          `json:"by"`
	At   time.Time      `json:"at"`
}

// Who says who wrote a transcript entry.
type Who string

// Transcript authors.
const (
	Customer Who = "customer"
	Bot      Who = "bot"
	StaffWho Who = "staff"
	// System entries record what happened to the case: claimed, overridden, closed.
	System Who = "system"
	// Note entries are staff's internal notes (/note): never relayed to the customer.
	Note Who = "note"
)

// CloseReasons are the reason codes of /close REASON, stored on the case and its claim
// (claims.Record.CloseReason) for export and the webhook. The button and a bare /close
// close as ReasonResolved. ReasonCustomerLeft and ReasonIdle are the desk's own: the
// customer went back to the bot, or the case was idle for HANDOFF_IDLE_CLOSE.
var CloseReasons = []string{ReasonResolved, "refund", "exchange", "repair", "goodwill", "rejected", "duplicate", "no_reply", "other"}

// Close reason codes the desk sets itself.
const (
	ReasonResolved     = "resolved"
	ReasonCustomerLeft = "customer_left"
	ReasonIdle         = "idle"
)

// Entry is one line of a transcript.
type Entry struct {
	At     time.Time `json:"at"`
	Who    Who       `json:"who"`
	Name   string    `json:"name,omitempty"`
	Text   string    `json:"text,omitempty"`
	Photos int       `json:"photos,omitempty"`
}

// Limits of what a store keeps.
const (
	// RecentLimit bounds the rolling log of a conversation kept before any case exists,
	// which becomes the start of a case's transcript.
	RecentLimit = 30
	// TranscriptLimit bounds a case's transcript; the oldest entries go first.
	TranscriptLimit = 500
	// seenLimit bounds Case.Seen: platforms redeliver soon after the first try.
	seenLimit = 16
)

// Errors of a Store.
var (
	ErrNotFound = errors.New("case not found")
)

// Store keeps cases. Implementations must pass casetest.Run.
type Store interface {
	// Open stores c as the open case of its customer conversation unless that
	// conversation already has one; it returns the open case and whether it is c.
	Open(ctx context.Context, c *Case) (*Case, bool, error)
	// Get returns the case with the id, in any status, or an error wrapping ErrNotFound.
	Get(ctx context.Context, id string) (*Case, error)
	// OpenFor returns the open case of the conversation key, or ErrNotFound.
	OpenFor(ctx context.Context, conv string) (*Case, error)
	// Arrival is OpenFor and, when the conversation has no open case and take is set,
	// TakeComment, in one round trip where the store can: what the desk reads first of a
	// customer message the dialog left to it (bot.Service.HandleUnlessHeld). With an open
	// case the comment is left.
	Arrival(ctx context.Context, conv string, take bool) (open *Case, comment string, err error)
	// ByThread returns the case whose thread has the address key, or ErrNotFound.
	ByThread(ctx context.Context, thread string) (*Case, error)
	// Update applies fn to the case atomically: if the case changes between load and
	// save, fn runs again on the new state. When fn returns an error nothing is saved,
	// and Update returns the case as fn saw it with that error.
	Update(ctx context.Context, id string, fn func(*Case) error) (*Case, error)
	// Append adds entries to the case's transcript, keeping the last TranscriptLimit.
	Append(ctx context.Context, id string, es ...Entry) error
	// Transcript returns the case's transcript, oldest first.
	Transcript(ctx context.Context, id string) ([]Entry, error)
	// Record adds entries to the rolling log of a conversation (the last RecentLimit),
	// and remembers that the conversation belongs to user ("platform:id") for Forget. A
	// store may write them after it returns, in the order of the calls, as long as
	// Recent and Forget of the same store see them.
	Record(ctx context.Context, conv, user string, es ...Entry) error
	// Recent returns the rolling log of a conversation, oldest first.
	Recent(ctx context.Context, conv string) ([]Entry, error)
	// Due returns the ids of open, unclaimed cases whose staff were last notified at or
	// before the time.
	Due(ctx context.Context, before time.Time) ([]string, error)
	// Idle returns the ids of up to limit open cases, least recently active first, whose
	// last activity (LastActive) is at or before the time.
	Idle(ctx context.Context, before time.Time, limit int) ([]string, error)
	// AwaitComment remembers for ttl that the conversation's next message is a comment on
	// the rating of case id; TakeComment returns that id and forgets it, or "" when the
	// conversation awaits none (or ttl has passed).
	AwaitComment(ctx context.Context, conv, id string, ttl time.Duration) error
	TakeComment(ctx context.Context, conv string) (string, error)
	// Forget erases every case, transcript and log of a customer, named by a conversation
	// key or a "platform:user" id, and returns the conversation keys it found, so the
	// caller can erase their dialog sessions too.
	Forget(ctx context.Context, who string) ([]string, error)
}

// UserRef names a platform user for Store.Record and Store.Forget: the claims' user key,
// which bot.Service's /forget hands to Store.Forget, so the two must be one.
func UserRef(platform, user string) string { return claims.UserKey(platform, user) }

// Refs are the names Forget finds the case by: the conversation key and, when it differs,
// the customer's UserRef. Stores index the case under each.
func (c *Case) Refs() []string {
	refs := []string{c.Customer.Key()}
	if c.User != "" {
		if u := UserRef(c.Customer.Platform, c.User); u != refs[0] {
			refs = append(refs, u)
		}
	}
	return refs
}

// Waiting reports whether the case waits for a staff member to claim it: the cases a
// Store's Due returns.
func (c *Case) Waiting() bool { return c.Status == Open && c.Claimed == nil }

// LastActive is when the last message of the case went either way, or when it opened.
func (c *Case) LastActive() time.Time {
	if c.Active.After(c.Opened) {
		return c.Active
	}
	return c.Opened
}

// thread returns the case's thread on the platform.
func (c *Case) thread(platform string) (bot.Address, bool) {
	for _, t := range c.Threads {
		if t.Platform == platform {
			return t, true
		}
	}
	return bot.Address{}, false
}

// seen reports whether a message id was relayed, and remembers it.
func (c *Case) seen(id string) bool {
	if id == "" {
		return false
	}
	if slices.Contains(c.Seen, id) {
		return true
	}
	c.Seen = append(c.Seen, id)
	if len(c.Seen) > seenLimit {
		c.Seen = slices.Clone(c.Seen[len(c.Seen)-seenLimit:])
	}
	return false
}

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewID returns a short random case id: 8 letters and digits staff can read out and type,
// short enough for Telegram's 64-byte button data.
func NewID() string {
	var b [5]byte
	rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// validID reports whether s can be a case id, so a forged button cannot smuggle anything
// into a store key.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 16 {
		return false
	}
	return strings.Trim(s, "abcdefghijkmnpqrstuvwxyz23456789") == ""
}
