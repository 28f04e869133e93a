package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/policy"
)

// Bounds of what one page reads and shows.
const (
	// scanLimit bounds the claims one list or figures page reads; a wider date range
	// is cut, and the page says so.
	scanLimit = 10000
	// showLimit bounds the rows of the claims list.
	showLimit = 200
	// defaultDays is the date range of a page that names none.
	defaultDays = 30
)

// filter is the claims list's form.
type filter struct {
	Outcome, State, Platform, Lang, Since, Until, Q string
}

// dateRange reads since and until (dates, until inclusive) from the form, defaulting to
// the last defaultDays days; it returns the problem with a bad one, and uses the default.
func (d *dashboard) dateRange(f *filter) (claims.Query, string) {
	today := d.opt.Now().UTC().Format(time.DateOnly)
	var problem string
	since, err := claims.ParseDay(f.Since, false)
	if err != nil || f.Since == "" {
		if err != nil {
			problem = "From: " + err.Error()
		}
		f.Since = d.opt.Now().UTC().AddDate(0, 0, -(defaultDays - 1)).Format(time.DateOnly)
		since, _ = claims.ParseDay(f.Since, false)
	}
	until, err := claims.ParseDay(f.Until, true)
	if err != nil || f.Until == "" {
		if err != nil {
			problem = "To: " + err.Error()
		}
		f.Until = today
		until, _ = claims.ParseDay(f.Until, true)
	}
	return claims.Query{Since: since, Until: until}, problem
}

func formOf(r *http.Request) filter {
	q := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return filter{
		Outcome: get("outcome"), State: get("state"), Platform: get("platform"), Lang: get("lang"),
		Since: get("since"), Until: get("until"), Q: get("q"),
	}
}

func (f filter) matches(r claims.Record) bool {
	return (f.Outcome == "" || string(r.Outcome) == f.Outcome) &&
		(f.State == "" || string(r.State) == f.State) &&
		(f.Platform == "" || r.Platform == f.Platform) &&
		(f.Lang == "" || r.Language == f.Lang) &&
		(f.Q == "" || searchHit(r, f.Q))
}

// searchHit: the claim id contains q, or an answer to a question whose id names an order
// ("order", "order_number", a shop's own) contains it; case-insensitive.
func searchHit(r claims.Record, q string) bool {
	q = strings.ToLower(q)
	if strings.Contains(strings.ToLower(string(r.ID)), q) {
		return true
	}
	for k, v := range r.Answers {
		if strings.Contains(k, "order") && strings.Contains(strings.ToLower(v), q) {
			return true
		}
	}
	return false
}

type listPage struct {
	Filter    filter
	Problem   string
	Rows      []claims.Record
	Matching  int
	Read      int
	Cut, More bool
	Outcomes  []policy.Outcome
	States    []claims.State
	Platforms []string
	Langs     []string
	ExportURL string
}

func (d *dashboard) list(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	q, problem := d.dateRange(&f)
	p := listPage{
		Filter: f, Problem: problem, Outcomes: policy.Outcomes,
		States:    []claims.State{claims.StateDecided, claims.StateWithStaff, claims.StateClosed},
		Platforms: []string{"telegram", "discord", "console"},
		Langs:     []string{"en", "de", "fr", "es", "it", "pt", "pl", "ru", "uk"},
		ExportURL: Prefix + "export.csv?" + url.Values{"since": {f.Since}, "until": {f.Until}}.Encode(),
	}
	// A claim id finds its claim whatever the dates.
	if f.Q != "" {
		if rec, err := d.opt.Claims.Get(r.Context(), claims.ID(strings.ToUpper(f.Q))); err == nil {
			p.Rows, p.Matching = []claims.Record{rec}, 1
			d.render(w, r, http.StatusOK, "list", p)
			return
		}
	}
	rs, more, err := claims.All(r.Context(), d.opt.Claims, q, scanLimit)
	if err != nil {
		d.fail(w, r, "list claims", err)
		return
	}
	p.Read, p.More = len(rs), more
	for i := len(rs) - 1; i >= 0; i-- { // newest first
		rec := rs[i]
		if !f.matches(rec) {
			continue
		}
		p.Matching++
		if len(p.Rows) < showLimit {
			p.Rows = append(p.Rows, rec)
		}
	}
	p.Cut = p.Matching > len(p.Rows)
	for _, rec := range rs { // languages a shop added
		if rec.Language != "" && !slices.Contains(p.Langs, rec.Language) {
			p.Langs = append(p.Langs, rec.Language)
		}
	}
	d.render(w, r, http.StatusOK, "list", p)
}

type claimPage struct {
	claims.Record
	Answers       []answer
	Transcript    []handoff.Entry
	TranscriptErr string
	// FirstReplyAfter is the time from the claim to staff's first answer, or "".
	FirstReplyAfter string
}

type answer struct{ Question, Value string }

func (d *dashboard) claim(w http.ResponseWriter, r *http.Request) {
	rec, err := d.opt.Claims.Get(r.Context(), claims.ID(r.PathValue("id")))
	if errors.Is(err, claims.ErrNotFound) {
		d.render(w, r, http.StatusNotFound, "notfound", nil)
		return
	}
	if err != nil {
		d.fail(w, r, "get claim", err)
		return
	}
	p := claimPage{Record: rec}
	for _, k := range claims.AnswerKeys(rec) {
		p.Answers = append(p.Answers, answer{k, rec.Answers[k]})
	}
	if !rec.FirstStaffReply.IsZero() {
		p.FirstReplyAfter = duration(rec.FirstStaffReply.Sub(rec.Created))
	}
	if rec.CaseID != "" && d.opt.Cases != nil {
		es, err := d.opt.Cases.Transcript(r.Context(), rec.CaseID)
		switch {
		case errors.Is(err, handoff.ErrNotFound):
			p.TranscriptErr = "The case's transcript is no longer kept."
		case err != nil:
			d.opt.Log.Warn("admin: transcript", "case", rec.CaseID, "err", err)
			p.TranscriptErr = "The transcript could not be read just now."
		default:
			p.Transcript = es
		}
	}
	d.render(w, r, http.StatusOK, "claim", p)
}

// export is `returnsbot claims export --since --until` as a download.
func (d *dashboard) export(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	var q claims.Query
	var err error
	if q.Since, err = claims.ParseDay(f.Since, false); err == nil {
		q.Until, err = claims.ParseDay(f.Until, true)
	}
	if err != nil {
		http.Error(w, "since/until: "+err.Error(), http.StatusBadRequest)
		return
	}
	rs, _, err := claims.All(r.Context(), d.opt.Claims, q, 0)
	if err != nil {
		d.fail(w, r, "export claims", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="claims.csv"`)
	if err := claims.WriteCSV(w, rs); err != nil {
		d.opt.Log.Warn("admin: export", "err", err)
	}
}

// fail answers a store failure with a page that names no internal error (that goes to
// the log).
func (d *dashboard) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	d.opt.Log.Warn("admin: "+what, "err", err)
	d.render(w, r, http.StatusServiceUnavailable, "unavailable", nil)
}

// duration says a span the way an owner reads it: 45s, 12m, 3h 5m, 2d 4h.
func duration(d time.Duration) string {
	switch {
	case d < 0:
		return "–"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}
