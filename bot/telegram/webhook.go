package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/bot"
)

// secretHeader carries the webhook's secret_token on every update Telegram posts.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBytes bounds a webhook request body; real updates are a few kilobytes.
const maxUpdateBytes = 1 << 20

// runWebhook registers the webhook and serves until ctx is done. Updates arrive through
// WebhookHandler, which cmd mounts on its HTTP server.
func (a *Adapter) runWebhook(ctx context.Context) error {
	_, err := a.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
		URL: a.cfg.WebhookURL, SecretToken: a.cfg.WebhookSecret, AllowedUpdates: allowedUpdates,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while registering: not a failure
		}
		return fmt.Errorf("telegram: setWebhook: %w", a.scrub(err))
	}
	a.log.Info("telegram: webhook set")
	<-ctx.Done()
	// The webhook stays set: Telegram keeps the updates that come while the process is
	// down and posts them once it is back.
	return nil
}

// WebhookHandler serves the updates Telegram posts to the webhook. A request without the
// right secret gets 401. An update is answered 200 only once it is handled and its
// replies are sent (or it was dropped, or released, as over its customer's inbound
// limit); if the store is unavailable, or shutdown cut it short, it gets 503, and
// Telegram posts it again later.
func (a *Adapter) WebhookHandler() http.Handler {
	want := sha256.Sum256([]byte(a.cfg.WebhookSecret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// Hashing first makes the comparison take the same time whatever the length.
		got := sha256.Sum256([]byte(r.Header.Get(secretHeader)))
		if a.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			a.log.Warn("telegram: webhook request with a wrong secret refused", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		var u models.Update
		if err := json.Unmarshal(body, &u); err != nil || u.ID == 0 {
			a.log.Warn("telegram: webhook body is not an update", "err", err)
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		in := convert(&u, a.name)
		// Answered (Telegram forgets the update) once handled and its replies sent, or
		// once released: its customer is over the inbound limit, and a request waiting on
		// their backlog must not hold up Telegram's deliveries to the others.
		answer := make(chan int, 2)
		j := a.job(in, func() { answer <- http.StatusOK }, func(o bot.Outcome) {
			if o == bot.Unfinished {
				answer <- http.StatusServiceUnavailable
				return
			}
			answer <- http.StatusOK
		})
		j.NoRetry = true // a 503 makes Telegram post it again
		a.d.Submit(j)
		select {
		case status := <-answer:
			if status != http.StatusOK {
				http.Error(w, "not handled, try again", status)
				return
			}
			w.WriteHeader(http.StatusOK)
		case <-r.Context().Done():
			// Telegram gave up waiting and will post the update again; the lane finishes
			// this one and the core drops the repeat.
		}
	})
}
