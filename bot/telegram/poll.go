package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/internal/pause"
)

// Long polling that loses nothing.
//
// Telegram forgets an update once getUpdates is called with an offset above its id. The
// library's own poller moves the offset before its handlers run, so a crash loses what
// it held; this one asks with offset = the low-water mark, the lowest update not yet
// handled. Updates finish out of order (one lane per chat), so the tracker remembers
// which are in flight and which are done above the mark; getUpdates returns those again
// until the mark passes them, and the tracker drops the repeats. After a crash, Telegram
// delivers the unconfirmed updates again and the core drops those already handled by
// their update_id (dialog.Session.Seen). While updates are in flight the poll does not
// wait on the server (it would only return the same updates at once): it asks again when
// one finishes, or after PollIdle.

// A chat's backlog must not hold back other chats: getUpdates returns at most 100 updates
// from the offset, so a flooder's unfinished updates at the mark would fill every answer.
// The dispatcher limits each customer's inbound rate and drops the excess (confirmed: it
// was dropped on purpose); once a customer is over the limit, the updates held for them
// in their chat's bounded queue are released: the mark passes them although they are not
// handled yet. A crash (or a shutdown whose drain times out) loses those held updates, at
// most the queue bound per flooding chat; no other update is confirmed before it is done.

// tracker keeps the low-water mark of handled updates.
type tracker struct {
	mu       sync.Mutex
	inflight map[int64]bool // true: released, the mark may pass it
	done     map[int64]bool // finished, but above the low-water mark
	next     int64          // one past the highest update id taken; 0 before the first
	wake     chan struct{}  // a token when the mark may have moved
	once     sync.Once
}

func (t *tracker) init() {
	t.once.Do(func() {
		t.inflight, t.done = map[int64]bool{}, map[int64]bool{}
		t.wake = make(chan struct{}, 1)
	})
}

// low is the offset to poll with: every update below it is handled.
func (t *tracker) low() int64 {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lowLocked()
}

func (t *tracker) lowLocked() int64 {
	low := t.next
	for id, released := range t.inflight {
		if !released {
			low = min(low, id)
		}
	}
	return low
}

// busy reports whether updates at or above the mark are being handled: getUpdates
// returns them at once, so polling must not wait on the server.
func (t *tracker) busy() bool {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, released := range t.inflight {
		if !released {
			return true
		}
	}
	return false
}

// take records update id as in flight; false means it is already in flight or done.
func (t *tracker) take(id int64) bool {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.inflight[id]; ok || t.done[id] || (id < t.lowLocked() && t.next != 0) {
		return false
	}
	t.inflight[id] = false
	if id >= t.next {
		t.next = id + 1
	}
	return true
}

// release lets the mark pass update id, which is held but not yet handled.
func (t *tracker) release(id int64) {
	t.init()
	t.mu.Lock()
	if _, ok := t.inflight[id]; ok {
		t.inflight[id] = true
	}
	t.mu.Unlock()
	t.signal()
}

func (t *tracker) signal() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// finish records update id as handled; a handled update that was not (shutdown came
// first) stays in flight, so the mark never passes it and Telegram keeps it.
func (t *tracker) finish(id int64, handled bool) {
	t.init()
	if !handled {
		return
	}
	t.mu.Lock()
	delete(t.inflight, id)
	t.done[id] = true
	low := t.lowLocked()
	for d := range t.done {
		if d < low {
			delete(t.done, d)
		}
	}
	t.mu.Unlock()
	t.signal()
}

// pollLimit is how many updates one getUpdates returns at most (Telegram's maximum).
const pollLimit = 100

// poll takes updates by long polling until ctx is done.
func (a *Adapter) poll(ctx context.Context) error {
	a.track.init()
	// A webhook left set makes getUpdates fail with 409; polling mode means none is wanted.
	if _, err := a.api.DeleteWebhook(ctx, nil); err != nil && ctx.Err() == nil {
		a.log.Warn("telegram: deleteWebhook failed", "err", a.scrub(err))
	}
	failures := 0
	for ctx.Err() == nil {
		busy := a.track.busy()
		timeout := a.cfg.PollTimeout
		if busy {
			timeout = 0
		}
		updates, err := a.getUpdates(ctx, a.track.low(), timeout, pollLimit)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var fatal *fatalError
			if errors.As(err, &fatal) {
				return err
			}
			failures++
			wait := a.backoff(failures)
			var flood *retryAfterError
			if errors.As(err, &flood) {
				wait = flood.wait
			}
			a.log.Warn("telegram: getUpdates failed", "err", err, "retry_in", wait)
			if pause.For(ctx, wait) != nil {
				return nil
			}
			continue
		}
		failures = 0
		var fresh []models.Update
		for _, u := range updates {
			if a.track.take(u.ID) {
				fresh = append(fresh, u)
			}
		}
		for i := 0; i < len(fresh); {
			j := i + 1
			for j < len(fresh) && sameAlbum(&fresh[i], &fresh[j]) {
				j++
			}
			a.dispatch(fresh[i:j])
			i = j
		}
		switch {
		case len(updates) == 0:
			// An empty answer came at once from a server that does not hold long polls (or
			// one cut short): pause, so the loop never spins.
			if pause.For(ctx, a.cfg.PollIdle) != nil {
				return nil
			}
		case len(fresh) == 0:
			select {
			case <-a.track.wake:
			case <-time.After(a.cfg.PollIdle):
			case <-ctx.Done():
			}
		}
	}
	return nil
}

// dispatch queues updates on their conversation's lane: one update, or the photos of an
// album, which are handled as one message, so an album of five gets one answer, not five.
// The message takes the first update's id.
func (a *Adapter) dispatch(group []models.Update) {
	in := convert(&group[0], a.name)
	for i := range group[1:] {
		more := convert(&group[i+1], a.name)
		in.msg.Photos = append(in.msg.Photos, more.msg.Photos...)
		if in.msg.Text == "" {
			in.msg.Text = more.msg.Text
		}
	}
	ids := make([]int64, len(group))
	for i, u := range group {
		ids[i] = u.ID
	}
	a.d.Submit(a.job(in, func() {
		for _, id := range ids {
			a.track.release(id)
		}
	}, func(o bot.Outcome) {
		for _, id := range ids {
			a.track.finish(id, o != bot.Unfinished)
		}
	}))
}

// sameAlbum reports whether b is another picture of a's album (media group), sent by the
// same person in the same chat. Telegram delivers an album as one update per item,
// usually in one getUpdates answer.
func sameAlbum(a, b *models.Update) bool {
	if a.Message == nil || b.Message == nil || a.Message.MediaGroupID == "" || a.Message.From == nil || b.Message.From == nil {
		return false
	}
	return a.Message.MediaGroupID == b.Message.MediaGroupID && a.Message.Chat.ID == b.Message.Chat.ID &&
		a.Message.From.ID == b.Message.From.ID && a.Message.MessageThreadID == b.Message.MessageThreadID
}

// lost counts the released updates still not handled: confirmed (or about to be) yet
// never answered.
func (t *tracker) lost() int {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, released := range t.inflight {
		if released {
			n++
		}
	}
	return n
}

// confirm tells Telegram, on the way out, that the updates handled since the last poll
// are done, so a restart does not receive them again.
func (a *Adapter) confirm() {
	if n := a.track.lost(); n > 0 {
		a.log.Warn("telegram: messages held for customers over the inbound limit were not handled and are dropped", "messages", n)
	}
	low := a.track.low()
	if low == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := a.getUpdates(ctx, low, 0, 1); err != nil {
		a.log.Warn("telegram: confirming handled updates failed; they will be dropped as duplicates after restart", "err", err)
	}
}

// fatalError is a getUpdates failure retrying cannot fix, such as a revoked token.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// retryAfterError is a 429 answer to getUpdates.
type retryAfterError struct{ wait time.Duration }

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("telegram: getUpdates: too many requests, retry after %v", e.wait)
}

// getUpdates calls the Bot API method directly: the library offers no way to poll with
// an offset of our choosing. It decodes into the library's models.Update.
func (a *Adapter) getUpdates(ctx context.Context, offset int64, timeout time.Duration, limit int) ([]models.Update, error) {
	body, err := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(timeout / time.Second), "limit": limit, "allowed_updates": allowedUpdates,
	})
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", err)
	}
	// The poll has its own deadline: the client's timeout is shorter than a long poll.
	ctx, cancel := context.WithTimeout(ctx, timeout+30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.APIURL+"/bot"+a.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", a.scrub(err))
	}
	req.Header.Set("Content-Type", "application/json")
	client := *a.cfg.HTTPClient
	client.Timeout = 0
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", a.scrub(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: read: %w", a.scrub(err))
	}
	var r struct {
		OK          bool            `json:"ok"`
		Result      []models.Update `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: HTTP %d, undecodable answer: %w", resp.StatusCode, err)
	}
	if r.OK {
		return r.Result, nil
	}
	err = fmt.Errorf("telegram: getUpdates: %d %s", r.ErrorCode, r.Description)
	switch r.ErrorCode {
	case http.StatusTooManyRequests:
		return nil, &retryAfterError{wait: time.Duration(max(r.Parameters.RetryAfter, 1)) * time.Second}
	case http.StatusUnauthorized, http.StatusNotFound:
		return nil, &fatalError{err: fmt.Errorf("%w (is TELEGRAM_TOKEN right?)", err)}
	}
	return nil, a.scrub(err)
}
