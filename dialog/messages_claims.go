package dialog

import (
	"slices"
	"sync/atomic"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/policy"
)

// The sentences of claims, /status and /forget, in the catalogs of package i18n.
const (
	msgClaimNumber       msg = "claims.claim_number"
	msgStatusNone        msg = "claims.status_none"
	msgStatusHead        msg = "claims.status_head"
	msgStatusLine        msg = "claims.status_line"
	msgStatusOne         msg = "claims.status_one"
	msgStatusClosedWhy   msg = "claims.status_closed_why"
	msgStatusNotFound    msg = "claims.status_not_found"
	msgStatusBadID       msg = "claims.status_bad_id"
	msgStatusUnavailable msg = "claims.status_unavailable"
	lblStateDecided      msg = "claims.state_decided"
	lblStateWithStaff    msg = "claims.state_with_staff"
	lblStateClosed       msg = "claims.state_closed"
	msgForgetAsk         msg = "claims.forget_ask"
	msgForgetDone        msg = "claims.forget_done"
	msgForgetKept        msg = "claims.forget_kept"
	msgForgetFailed      msg = "claims.forget_failed"
	lblForgetYes         msg = "claims.label_forget_yes"
	lblForgetNo          msg = "claims.label_forget_no"
)

func init() {
	argNames[msgClaimNumber] = []string{"ID"}
	argNames[msgStatusLine] = []string{"ID", "Date", "Outcome", "State"}
	argNames[msgStatusOne] = []string{"ID", "Date", "Outcome", "State"}
	argNames[msgStatusClosedWhy] = []string{"Reason"}
	argNames[msgStatusNotFound] = []string{"ID"}
	argNames[msgStatusBadID] = []string{"Text"}
}

// outcome names an outcome in /status: a short label, "claims.outcome.<outcome>".
func (t texts) outcome(o policy.Outcome) string { return t.get(msg("claims.outcome." + string(o))) }

func (t texts) state(s claims.State) string {
	switch s {
	case claims.StateWithStaff:
		return t.get(lblStateWithStaff)
	case claims.StateClosed:
		return t.get(lblStateClosed)
	}
	return t.get(lblStateDecided)
}

// requestWords lists the plain words of a catalog list ("command.status") in every
// language the bot speaks: the requests are whole phrases, so one language's cannot be
// mistaken for an answer in another's.
func requestWords(c *i18n.Catalog, id string) []string {
	var words []string
	for _, l := range c.Languages() {
		for _, w := range c.List(l, id) {
			if !slices.Contains(words, w) {
				words = append(words, w)
			}
		}
	}
	return words
}

// requests are the request words of one set of catalogs, built once: every message is
// checked against them, and building them walks every language's lists (it was a quarter
// of a message's CPU, BenchmarkHandle).
type requests struct {
	cat            *i18n.Catalog
	status, forget []string
	// byLang maps a language's command words to their commands (commandWords).
	byLang map[string]map[string]string
}

// commands returns the command words of language l, for command.
func (r *requests) commands(l string) map[string]string { return r.byLang[l] }

// requestsNow holds the request words of the catalogs last in use; i18n.Use changes
// those at start-up only, so it is rebuilt once, or whenever a test switches catalogs.
var requestsNow atomic.Pointer[requests]

func currentRequests() *requests {
	c := i18n.Current()
	if r := requestsNow.Load(); r != nil && r.cat == c {
		return r
	}
	r := &requests{cat: c, status: requestWords(c, "command.status"), forget: requestWords(c, "command.forget"),
		byLang: map[string]map[string]string{}}
	for _, l := range c.Languages() {
		r.byLang[l] = commandWords(c, l)
	}
	requestsNow.Store(r)
	return r
}

// statusWords are the plain words that ask for /status; "status R-7K2Q9M" works as
// "/status R-7K2Q9M" does.
func statusWords() []string { return currentRequests().status }

// forgetWords are the plain words that ask for /forget.
func forgetWords() []string { return currentRequests().forget }
