// Package webhook delivers the claims outbox's events to the shop's endpoint (WEBHOOK_URL),
// signed with WEBHOOK_SECRET as ../shared/CONTRACT.md says, at least once: a Deliverer
// leases due events, POSTs them, acknowledges 2xx answers and retries everything else
// with exponential backoff and jitter until MaxAge, then leaves the event in the outbox's
// failed set.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// The request headers of the contract.
const (
	// HeaderTimestamp carries the signing time in Unix seconds.
	HeaderTimestamp = "X-Returnsbot-Timestamp"
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>".
	HeaderSignature = "X-Returnsbot-Signature"
)

// Sign returns the X-Returnsbot-Signature value of body sent at timestamp (Unix seconds):
// "sha256=" and the hex of HMAC-SHA256(secret, "<timestamp>.<body>").
func Sign(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(strconv.AppendInt(nil, timestamp, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("webhook: no timestamp or signature header")
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrStale        = errors.New("webhook: timestamp too far from now")
)

// Verify checks a received request's headers against its raw body, as a receiver should:
// the signature in constant time, and the timestamp within maxSkew of now (0: any time),
// which stops an old request being replayed.
func Verify(secret string, h http.Header, body []byte, now time.Time, maxSkew time.Duration) error {
	ts, sig := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if ts == "" || sig == "" {
		return ErrNoSignature
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrNoSignature
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(secret, t, body))) {
		return ErrBadSignature
	}
	if maxSkew > 0 {
		if d := now.Sub(time.Unix(t, 0)); d > maxSkew || d < -maxSkew {
			return ErrStale
		}
	}
	return nil
}
