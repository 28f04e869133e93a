package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
)

// forget handles /forget and its confirmation buttons (see dialog.ForgetRequest), or
// reports false if m is none of them. Confirmed, it erases the customer's claims, their
// webhook events, what ForgetCases erases (the staff desk's cases and logs) and the
// session, as `returnsbot forget` does.
func (s *Service) forget(ctx context.Context, m Message) ([]Outbound, bool, error) {
	asks, ok := forgetAsked(m)
	if !ok {
		return nil, false, nil
	}
	key := m.From.Key()
	sess, err := s.Store.Load(ctx, key)
	if errors.Is(err, dialog.ErrUnreadable) {
		sess, err = &dialog.Session{}, nil
	}
	if err != nil {
		out, err := s.unavailable(m, fmt.Errorf("forget: %w", err))
		return out, true, err
	}
	if sess.Lang == "" {
		sess.Lang = s.language(m.Lang)
	}
	switch {
	case asks:
		return s.outbound(m.From, []dialog.Reply{s.Engine.ForgetAsk(sess)}), true, nil
	case m.Button == dialog.ForgetNo:
		return s.outbound(m.From, s.Engine.ForgetKept(sess)), true, nil
	}
	if err := s.erase(ctx, m); err != nil {
		s.log().ErrorContext(ctx, "customer's erasure failed", "conversation", key, "err", err)
		return s.outbound(m.From, []dialog.Reply{dialog.ForgetFailed(sess.Lang)}), true, nil
	}
	s.log().InfoContext(ctx, "customer erased their data", "conversation", key)
	return s.outbound(m.From, []dialog.Reply{dialog.ForgetDone(sess.Lang)}), true, nil
}

// forgetAsked reports whether m is /forget (asks) or, either way, a message of that
// conversation: /forget or a button of its question (ok).
func forgetAsked(m Message) (asks, ok bool) {
	asks = m.Button == "" && dialog.ForgetRequest(m.Text)
	return asks, asks || m.Button == dialog.ForgetYes || m.Button == dialog.ForgetNo
}

// erase removes what is kept about the customer of m. Each part is idempotent, so a
// failure part-way is mended by pressing again.
func (s *Service) erase(ctx context.Context, m Message) error {
	user := m.User
	if user == "" {
		user = m.From.Chat
	}
	who := claims.UserKey(m.From.Platform, user)
	if s.Claims != nil {
		if _, err := s.Claims.Forget(ctx, who); err != nil {
			return fmt.Errorf("claims: %w", err)
		}
	}
	if s.Outbox != nil {
		if _, err := s.Outbox.Forget(ctx, who); err != nil {
			return fmt.Errorf("webhook events: %w", err)
		}
	}
	keys := []string{m.From.Key()}
	if s.ForgetCases != nil {
		convs, err := s.ForgetCases(ctx, who)
		if err != nil {
			return fmt.Errorf("cases: %w", err)
		}
		keys = append(keys, convs...)
	}
	for _, k := range keys {
		if err := s.Store.Delete(ctx, k); err != nil {
			return fmt.Errorf("session %s: %w", k, err)
		}
	}
	return nil
}
