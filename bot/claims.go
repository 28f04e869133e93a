package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// maxClaimIDTries bounds the ids drawn for one claim when the store refuses them as other
// customers' (with 30^6 ids, one retry is already rare).
const maxClaimIDTries = 5

// ClaimEventID is the id of the event that records a claim's creation: derived from the
// claim, so creating the record again after a crash adds the same event, which the outbox
// keeps once. It has the form of claims.NewEventID.
func ClaimEventID(id claims.ID, typ claims.EventType) string {
	sum := sha256.Sum256([]byte(string(id) + "\x00" + string(typ)))
	return "evt_" + hex.EncodeToString(sum[:13])
}

// stated returns the reply of replies that states a decision or an escalation with a
// claim id, if any.
func stated(replies []dialog.Reply) (*policy.Decision, bool) {
	for _, r := range replies {
		if r.Decision != nil && r.Decision.Claim != "" {
			return r.Decision, true
		}
	}
	return nil, false
}

// recordClaim stores the claim the saved step stated, if it stated one, with its event
// for the outbox (claims.CreateWithEvent: one write where the store can). The claim id
// was saved with the session, so a message handled again finds the record and creates no
// second one; a store failure is logged and the record is created when the message comes
// again (Repeat). If the id is another customer's, a new
// one is drawn, saved in the session and put into the replies, which have not gone out.
func (s *Service) recordClaim(ctx context.Context, m Message, sess *dialog.Session, replies []dialog.Reply) []dialog.Reply {
	if s.Claims == nil {
		return replies
	}
	d, ok := stated(replies)
	if !ok {
		return replies
	}
	key := m.From.Key()
	for try := 0; try < maxClaimIDTries; try++ {
		r := s.claimRecord(m, sess, *d)
		err := claims.CreateWithEvent(ctx, s.Claims, s.Outbox, r, s.creationEvent(r))
		if errors.Is(err, claims.ErrNotQueued) { // the claim is stored
			s.eventNotQueued(ctx, r, err)
			err = nil
		}
		if err == nil {
			s.log().DebugContext(ctx, "claim recorded", "claim", r.ID, "conversation", key, "outcome", r.Outcome)
			return replies
		}
		if !errors.Is(err, claims.ErrExists) {
			s.Metrics.count(metricClaimFailed)
			s.log().ErrorContext(ctx, "claim not recorded; it is when the message comes again", "claim", r.ID, "conversation", key, "err", err)
			return replies
		}
		stored, gerr := s.Claims.Get(ctx, r.ID)
		if gerr == nil && stored.UserKey() == r.UserKey() && stored.Address == r.Address {
			if r.Outcome == policy.Escalated && stored.Outcome != policy.Escalated {
				s.disputed(ctx, stored.ID, r.Reason, sess.DecidedAt)
				return replies
			}
			// Ours: created by an earlier attempt at this message. Its event may not have
			// been added before that attempt stopped; adding it again is a no-op if it was.
			s.addEvent(ctx, stored)
			return replies
		}
		old, fresh := string(r.ID), s.Engine.NewClaimID()
		_, uerr := s.Update(ctx, key, func(cur *dialog.Session) []dialog.Reply {
			if cur.Claim == old {
				cur.Claim = fresh
			}
			return nil
		})
		if uerr != nil {
			s.log().ErrorContext(ctx, "claim id taken and the session could not take a new one", "claim", old, "conversation", key, "err", uerr)
			return replies
		}
		dialog.ReplaceClaim(sess, replies, old, fresh)
		d, _ = stated(replies)
	}
	s.log().ErrorContext(ctx, "claim not recorded: every id drawn was taken", "conversation", key, "tries", maxClaimIDTries)
	return replies
}

// claimRecord is the record of decision d, stated in the session of message m.
func (s *Service) claimRecord(m Message, sess *dialog.Session, d policy.Decision) claims.Record {
	now := s.now().UTC()
	r := claims.Record{
		ID:            claims.ID(d.Claim),
		Address:       claims.Address{Platform: m.From.Platform, Chat: m.From.Chat, Thread: m.From.Thread},
		User:          m.User,
		UserName:      m.UserName,
		Language:      sess.Lang,
		Answers:       s.Engine.AnswerValues(sess),
		PolicyVersion: s.PolicyVersion,
		State:         claims.StateDecided,
		Created:       now,
		Updated:       now,
	}
	if r.User == "" {
		r.User = m.From.Chat
	}
	if r.Language == "" {
		r.Language = "en"
	}
	r.FromDecision(d)
	if d.Outcome == policy.Escalated {
		r.State = claims.StateWithStaff
	}
	return r
}

// disputed hands a decided claim to staff: the customer disputes it, and the dialog kept
// its id. The decision stays as stated; the claim's state and reason change, and
// claim.escalated is queued, its id derived from the claim and the escalation's time as the
// session keeps it (at), so the message handled again queues the same event and a later
// dispute of the same claim a new one.
func (s *Service) disputed(ctx context.Context, id claims.ID, reason string, at int64) {
	r, err := s.Claims.Update(ctx, id, func(r *claims.Record) error {
		r.State, r.Reason = claims.StateWithStaff, reason
		return nil
	})
	if err != nil {
		s.Metrics.count(metricClaimFailed)
		s.log().ErrorContext(ctx, "disputed claim not updated", "claim", id, "err", err)
		return
	}
	e := claims.NewEvent(claims.ClaimEscalated, r, s.now())
	e.ID = ClaimEventID(id, claims.EventType(fmt.Sprintf("%s@%d", claims.ClaimEscalated, at)))
	if s.Outbox != nil {
		if err := s.Outbox.Add(ctx, e); err != nil {
			s.Metrics.count(metricClaimFailed)
			s.log().ErrorContext(ctx, "webhook event not queued", "claim", id, "event", e.Type, "err", err)
		}
	}
}

func createdEvent(r claims.Record) claims.EventType {
	if r.Outcome == policy.Escalated {
		return claims.ClaimEscalated
	}
	return claims.ClaimDecided
}

// creationEvent is the event of r's creation. Its id is derived from the claim, so the
// event of a record created again after a crash is the same one, which the outbox keeps once.
func (s *Service) creationEvent(r claims.Record) claims.Event {
	e := claims.NewEvent(createdEvent(r), r, s.now())
	e.ID = ClaimEventID(r.ID, e.Type)
	return e
}

// addEvent puts the event of r's creation into the outbox. A failure is logged: the claim
// is recorded, and the event is what a webhook receiver misses.
func (s *Service) addEvent(ctx context.Context, r claims.Record) {
	if s.Outbox == nil {
		return
	}
	if err := s.Outbox.Add(ctx, s.creationEvent(r)); err != nil {
		s.eventNotQueued(ctx, r, err)
	}
}

func (s *Service) eventNotQueued(ctx context.Context, r claims.Record, err error) {
	s.Metrics.count(metricClaimFailed)
	s.log().ErrorContext(ctx, "webhook event not queued", "claim", r.ID, "event", createdEvent(r), "err", err)
}

// ensureClaim creates the record of a decided or escalated session whose message is
// answered again (Repeat), and queues its event: the earlier attempt may have stopped
// between saving the session and creating the record, or between the record and its event.
func (s *Service) ensureClaim(ctx context.Context, m Message, sess *dialog.Session) {
	if s.Claims == nil || sess.Claim == "" || sess.Outcome == "" {
		return
	}
	stored, err := s.Claims.Get(ctx, claims.ID(sess.Claim))
	if err == nil {
		// The earlier attempt may have stopped between creating the record and queueing
		// its event, which lives in another slot; queueing it again is a no-op if it was.
		s.addEvent(ctx, stored)
		return
	}
	if !errors.Is(err, claims.ErrNotFound) {
		return
	}
	d, ok := s.Engine.Decision(sess)
	if !ok {
		return
	}
	if sess.Outcome == policy.Escalated && d.Outcome != policy.Escalated {
		d = policy.Decision{Outcome: policy.Escalated, Reason: sess.Reason, Clauses: []policy.Clause{}}
	}
	d.Claim = sess.Claim
	s.recordClaim(ctx, m, sess, []dialog.Reply{{Decision: &d}})
}

// statusAsked returns the argument of m if it is a /status request (a text, not a button).
func statusAsked(m Message) (arg string, ok bool) {
	if m.Button != "" {
		return "", false
	}
	return dialog.StatusRequest(m.Text)
}

// status answers a /status request from the claim store, or reports false if text is none.
func (s *Service) status(ctx context.Context, m Message) ([]Outbound, bool, error) {
	arg, ok := statusAsked(m)
	if !ok {
		return nil, false, nil
	}
	key := m.From.Key()
	sess, err := s.Store.Load(ctx, key)
	if err != nil && !errors.Is(err, dialog.ErrUnreadable) {
		out, err := s.unavailable(m, fmt.Errorf("status: %w", err))
		return out, true, err
	}
	if sess == nil || errors.Is(err, dialog.ErrUnreadable) {
		sess = &dialog.Session{}
	}
	if sess.Lang == "" {
		sess.Lang = s.language(m.Lang)
	}
	user := m.User
	if user == "" {
		user = m.From.Chat
	}
	userKey := claims.UserKey(m.From.Platform, user)
	var replies []dialog.Reply
	switch {
	case s.Claims == nil:
		replies = s.Engine.StatusUnavailable(sess)
	case arg == "":
		recs, err := s.Claims.ByUser(ctx, userKey, 10)
		if err != nil {
			s.log().ErrorContext(ctx, "status: list claims", "conversation", key, "err", err)
			replies = s.Engine.StatusUnavailable(sess)
			break
		}
		replies = s.Engine.StatusList(sess, recs)
	default:
		id, err := dialog.ParseStatusID(arg)
		if err != nil {
			replies = s.Engine.StatusBadID(sess, arg)
			break
		}
		r, err := s.Claims.Get(ctx, id)
		switch {
		case errors.Is(err, claims.ErrNotFound) || (err == nil && r.UserKey() != userKey):
			// Another customer's claim is "not found" too: its existence is theirs.
			replies = s.Engine.StatusOne(sess, id, nil)
		case err != nil:
			s.log().ErrorContext(ctx, "status: get claim", "conversation", key, "err", err)
			replies = s.Engine.StatusUnavailable(sess)
		default:
			replies = s.Engine.StatusOne(sess, id, &r)
		}
	}
	return s.outbound(m.From, replies), true, nil
}
