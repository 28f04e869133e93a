// Package dialog is the finite-state conversation that gathers the facts of a return or
// warranty claim and states the policy's decision. It knows nothing of chat platforms: an
// Engine takes a Session and an Input and returns Replies; a Store keeps Sessions.
package dialog

import (
	"context"
	"errors"

	"github.com/returnsbot/returnsbot/policy"
)

// Session is one customer's conversation state. It is small and flat because it is read
// and written on every message; the JSON names are short for the same reason.
type Session struct {
	// Version is managed by the Store for compare-and-set; it is not part of the encoding.
	Version int64 `json:"-"`
	// State is the dialog state: a question being asked, StateSummary (the read-back),
	// StateDecided or StateEscalated.
	State   string  `json:"s,omitempty"`
	Answers Answers `json:"a"`
	// Lang is the customer's language code; empty means English.
	Lang string `json:"l,omitempty"`
	// Outcome is the last decision stated, and DecidedAt (Unix seconds) when.
	Outcome   policy.Outcome `json:"o,omitempty"`
	DecidedAt int64          `json:"dt,omitempty"`
	// Resume is the state an escalated session returns to when staff hand it back, and
	// Reason why it was escalated.
	Resume string `json:"rs,omitempty"`
	Reason string `json:"er,omitempty"`
	// Claim is the id of the claim record of the decision or escalation stated last. It
	// is drawn in the step that states it, so it is saved with that step: a message
	// delivered again finds it and creates no second claim.
	Claim string `json:"cl,omitempty"`
	// Seen holds the ids of the last inbound messages handled, newest last, so a message a
	// platform delivers twice is handled once.
	Seen []string `json:"n,omitempty"`
	// Updated is when the session last changed, in Unix seconds.
	Updated int64 `json:"u,omitempty"`
	// Misses counts the answers to the current question the bot could not read; at
	// maxMisses it offers a person.
	Misses int `json:"m,omitempty"`
}

// Answers are the customer's answers so far. A zero field is a question not yet answered.
type Answers struct {
	// Receipt is the receipt date as YYYY-MM-DD, or ReceiptPending at pickup.
	Receipt        string           `json:"r,omitempty"`
	Packaging      policy.Packaging `json:"p,omitempty"`
	CarrierChecked *bool            `json:"c,omitempty"`
	Defect         *bool            `json:"d,omitempty"`
	Details        string           `json:"t,omitempty"`
	// Exclusions maps an exclusion id to the customer's yes (true) or no to its question.
	Exclusions map[string]bool `json:"x,omitempty"`
	// Photos are platform references to pictures sent as evidence.
	Photos []string `json:"ph,omitempty"`
	// Shop maps the id of a shop's own question (policy.Question) to its answer.
	Shop map[string]string `json:"q,omitempty"`
}

// ReceiptPending is the Receipt answer of a customer still at pickup.
const ReceiptPending = "pending"

// seenLimit bounds Session.Seen: platforms redeliver a message soon after the first try, and
// conversations are handled in order, so a short memory catches duplicates.
const seenLimit = 8

// HasSeen reports whether the inbound message id was already handled.
func (s *Session) HasSeen(id string) bool {
	if id == "" {
		return false
	}
	for _, v := range s.Seen {
		if v == id {
			return true
		}
	}
	return false
}

// MarkSeen records that the inbound message id was handled.
func (s *Session) MarkSeen(id string) {
	if id == "" || s.HasSeen(id) {
		return
	}
	s.Seen = append(s.Seen, id)
	if len(s.Seen) > seenLimit {
		s.Seen = append(s.Seen[:0], s.Seen[len(s.Seen)-seenLimit:]...)
	}
}

// ErrConflict means another writer saved the session since it was loaded.
var ErrConflict = errors.New("session changed concurrently")

// ErrDuplicate means the store remembers that an inbound message the session marks as
// seen was handled before: stores may remember ids longer than Session.Seen does.
// Nothing was stored.
var ErrDuplicate = errors.New("message already handled")

// ErrHeld means a save made unless the conversation is held (redisstore's
// SaveUnlessHeld) found it held by what runs in front of the dialog: a staff case open, a
// rating comment awaited. Nothing was stored; the message is that layer's to handle.
var ErrHeld = errors.New("conversation held in front of the dialog")

// ErrUnreadable means the value stored under a key cannot be decoded (written by a newer
// schema during a rolling upgrade, edited by hand, corrupted). It is that conversation's
// problem, not the store's: a Load returning it has put the value aside where an operator
// can find it, so the key holds no session and the conversation can start afresh with a
// Save at Version 0. Errors of an unreachable store never wrap it.
var ErrUnreadable = errors.New("stored session unreadable")

// Store keeps sessions by conversation key. Implementations must pass storetest.Run.
type Store interface {
	// Load returns the session stored under key, or a new one with Version 0. A stored
	// value it cannot decode is set aside and reported with an error wrapping
	// ErrUnreadable, once: the next Load finds no session.
	Load(ctx context.Context, key string) (*Session, error)
	// Save stores s under key if the stored version still equals s.Version (0: none
	// stored), and then sets s.Version to the new version. Otherwise it returns an error
	// wrapping ErrConflict (or ErrDuplicate, see there) and stores nothing.
	Save(ctx context.Context, key string, s *Session) error
	// Delete removes the session under key; deleting a missing session is not an error.
	Delete(ctx context.Context, key string) error
}
