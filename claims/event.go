package claims

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"
)

// EventType names a webhook event. The names are part of the external contract.
type EventType string

// The event types of ../shared/CONTRACT.md.
const (
	ClaimDecided    EventType = "claim.decided"
	ClaimEscalated  EventType = "claim.escalated"
	CaseClaimed     EventType = "case.claimed"
	CaseReturned    EventType = "case.returned"
	CaseClosed      EventType = "case.closed"
	ClaimOverridden EventType = "claim.overridden"
	// CaseReopened: staff reopened the claim's closed case (as a new case, Record.CaseID).
	CaseReopened EventType = "case.reopened"
	// ClaimRated: the customer rated the closed case of the claim (Record.Rating).
	ClaimRated EventType = "claim.rated"
)

// EventTypes lists every event type, in the order of the contract.
var EventTypes = []EventType{ClaimDecided, ClaimEscalated, CaseClaimed, CaseReturned, CaseClosed, ClaimOverridden, CaseReopened, ClaimRated}

// Event is something that happened to a claim, as the webhook receiver gets it: its JSON is
// the request body.
type Event struct {
	// ID is unique per event: receivers deduplicate by it, since delivery is at least once.
	ID   string    `json:"id"`
	Type EventType `json:"type"`
	Time time.Time `json:"time"`
	// Claim is the record as it was when the event happened.
	Claim Record `json:"claim"`
}

// NewEvent returns an event of type typ about r at time now, with a fresh id.
func NewEvent(typ EventType, r Record, now time.Time) Event {
	return Event{ID: NewEventID(), Type: typ, Time: now.UTC().Truncate(time.Second), Claim: r.Clone()}
}

// NewEventID returns a random event id, "evt_" and 26 hex digits (104 bits).
func NewEventID() string {
	var b [13]byte
	_, _ = rand.Read(b[:])
	return "evt_" + hex.EncodeToString(b[:])
}

// Delivery is an event leased from an Outbox for one delivery attempt.
type Delivery struct {
	Event Event
	// Added is when the event entered the outbox.
	Added time.Time
	// Attempts counts the leases so far, this one included.
	Attempts int
	// LastError is why the previous attempt failed, if one did.
	LastError string
}

// Failure is an event the outbox gave up on.
type Failure struct {
	Event    Event
	Added    time.Time
	Failed   time.Time
	Attempts int
	// Reason is the last attempt's error.
	Reason string
}

// Counts are the outbox's figures for /metrics.
type Counts struct {
	// Pending events wait for delivery (leased ones included).
	Pending int64
	// Delivered counts acknowledged events (since the counter's retention began).
	Delivered int64
	// Failed events were given up on and are kept for inspection.
	Failed int64
}

// ErrUnknownEvent: Ack, Fail or GiveUp named an event the outbox does not hold as pending
// (acknowledged already, given up on, or never added).
var ErrUnknownEvent = errors.New("event not pending in the outbox")

// MaxLease bounds one Lease call.
const MaxLease = 100

// MaxFailed bounds the failed set: beyond it, the oldest failures are dropped.
const MaxFailed = 10000

// Outbox holds events until a webhook delivery is acknowledged. Adding is durable in the
// Redis implementation: an event survives a crash of the process that added or leased it.
// Implementations are safe for concurrent use by several workers and instances.
type Outbox interface {
	// Add stores the event for delivery now. Adding an id already present does nothing.
	Add(ctx context.Context, e Event) error
	// Lease takes up to n (at most MaxLease) events due at now, oldest due first, and hides
	// them from other Lease calls until now+lease: an event leased and never acknowledged
	// (the worker crashed) is due again then.
	Lease(ctx context.Context, now time.Time, n int, lease time.Duration) ([]Delivery, error)
	// Ack removes a delivered event and counts it delivered.
	Ack(ctx context.Context, id string) error
	// Fail records a failed attempt and makes the event due again at retry.
	Fail(ctx context.Context, id string, retry time.Time, reason string) error
	// GiveUp moves the event to the failed set, kept for Retention (and at most MaxFailed).
	GiveUp(ctx context.Context, id string, now time.Time, reason string) error
	// Failed lists up to n failures, most recent first.
	Failed(ctx context.Context, n int) ([]Failure, error)
	// Counts returns pending, delivered and failed.
	Counts(ctx context.Context) (Counts, error)
	// Forget erases the pending and failed events about the customer's (UserKey) claims,
	// and returns how many it erased. It reads every event held: the outbox is bounded.
	Forget(ctx context.Context, userKey string) (int, error)
}

// ErrOutboxFull: Add found the outbox holding its maximum of pending events (the endpoint
// has been down long). The event is not stored; the caller logs it and goes on.
var ErrOutboxFull = errors.New("outbox full")

// DefaultMaxPending bounds the pending events of an outbox unless its options say otherwise.
const DefaultMaxPending = 100000
