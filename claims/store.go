package claims

import (
	"context"
	"fmt"
	"time"
)

// DefaultRetention is how long a claim is kept after its last change when CLAIM_RETENTION
// is unset.
const DefaultRetention = 365 * 24 * time.Hour

// MaxByUser bounds ByUser: a customer's /status lists at most this many claims.
const MaxByUser = 50

// MaxList bounds one List page.
const MaxList = 1000

// Store keeps claim records. Every record expires Retention after its last change.
// Implementations are safe for concurrent use.
type Store interface {
	// Create stores a new record. It returns ErrExists, storing nothing, if r.ID is taken
	// (here or by another instance sharing the store): the caller picks a new id.
	Create(ctx context.Context, r Record) error
	// Get returns the record with the id, or ErrNotFound.
	Get(ctx context.Context, id ID) (Record, error)
	// Update changes the record with the id by fn, compare-and-set: if another writer
	// changed it meanwhile, fn runs again on the newer record. fn must not change the ID
	// or the customer; if it leaves Updated as it was, the store sets it to now.
	// It returns the stored record, ErrNotFound, or ErrConflict after repeated losses.
	Update(ctx context.Context, id ID, fn func(*Record) error) (Record, error)
	// ByUser returns the customer's (UserKey) n most recent claims, newest first; n is
	// capped at MaxByUser.
	ByUser(ctx context.Context, userKey string, n int) ([]Record, error)
	// List returns one page of the claims created in [q.Since, q.Until), oldest first, and
	// the cursor of the next page ("" after the last).
	List(ctx context.Context, q Query) (page []Record, next string, err error)
	// Forget erases every claim of the customer and returns how many it erased.
	Forget(ctx context.Context, userKey string) (int, error)
}

// Query selects a page of claims for List.
type Query struct {
	// Since and Until bound the creation time; zero means unbounded.
	Since, Until time.Time
	// Limit is the page size: 0 or more than MaxList means MaxList.
	Limit int
	// Cursor is the next value of the previous page; "" starts at the beginning.
	Cursor string
}

// PageSize returns q.Limit within (0, MaxList].
func (q Query) PageSize() int {
	if q.Limit <= 0 || q.Limit > MaxList {
		return MaxList
	}
	return q.Limit
}

// ByUserSize returns n within (0, MaxByUser].
func ByUserSize(n int) int {
	if n <= 0 || n > MaxByUser {
		return MaxByUser
	}
	return n
}

// MaxUpdateTries bounds the compare-and-set loop of Update.
const MaxUpdateTries = 32

// CursorKey is the List order of a claim created at t with the id, and the form of List's
// cursors: the creation time in zero-padded Unix milliseconds, ":" and the id. Both stores
// use it, so a cursor means the same to either.
func CursorKey(t time.Time, id ID) string {
	return fmt.Sprintf("%016d:%s", t.UnixMilli(), id)
}
