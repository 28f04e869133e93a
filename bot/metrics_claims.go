package bot

import (
	"context"

	"github.com/returnsbot/returnsbot/claims"
)

// ObserveClaims returns st with every Update watched: when a record first gets its
// FirstStaffReply or its Rating (the staff desk sets them), m counts the time to that
// first answer or the score. Whoever writes them through the Service's claim store is
// counted, with no hook in the writer; a record changed by another instance is counted
// by that instance.
func ObserveClaims(st claims.Store, m *Metrics) claims.Store {
	if m == nil {
		return st
	}
	return observedClaims{Store: st, m: m}
}

type observedClaims struct {
	claims.Store
	m *Metrics
}

// Update implements claims.Store. fn may run more than once (compare-and-set); the
// figures count the run that was stored.
func (o observedClaims) Update(ctx context.Context, id claims.ID, fn func(*claims.Record) error) (claims.Record, error) {
	var hadReply, hadRating bool
	r, err := o.Store.Update(ctx, id, func(r *claims.Record) error {
		hadReply, hadRating = !r.FirstStaffReply.IsZero(), r.Rating != nil
		return fn(r)
	})
	if err != nil {
		return r, err
	}
	if !hadReply && !r.FirstStaffReply.IsZero() {
		o.m.FirstStaffReply(r.FirstStaffReply.Sub(r.Created))
	}
	if !hadRating && r.Rating != nil {
		o.m.Rated(r.Rating.Score)
	}
	return r, nil
}
