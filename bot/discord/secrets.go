package discord

import (
	"errors"
	"net/url"
	"regexp"
)

// Interaction tokens sit in the URLs of the interaction endpoints
// (/interactions/<id>/<token>/callback, /webhooks/<app>/<token>/messages/@original), and
// URLs end up in transport errors and so in logs. A token lets anyone answer as the app
// for 15 minutes: mask it as the Telegram adapter masks its bot token. (The bot token
// itself travels in the Authorization header, never in a URL.)
var tokenInURL = regexp.MustCompile(`(/(?:interactions|webhooks)/[0-9]+/)[^/?#\s"]+`)

const masked = "${1}<token>"

// scrub hides the interaction tokens in err's text, keeping err for errors.As and Is.
func scrub(err error) error {
	if err == nil {
		return nil
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		uerr.URL = tokenInURL.ReplaceAllString(uerr.URL, masked)
	}
	msg := err.Error()
	if !tokenInURL.MatchString(msg) {
		return err
	}
	return &scrubbed{err: err, msg: tokenInURL.ReplaceAllString(msg, masked)}
}

type scrubbed struct {
	err error
	msg string
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }
