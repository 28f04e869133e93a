// Package admin is the shop owner's web dashboard at /admin/: the claims list with
// filters and search, a claim's page (facts, the decision with its quoted clauses, the
// staff desk's transcript, staff actions, the rating), figures drawn on the server as SVG,
// and the CSV export of `returnsbot claims export`.
//
// Everything is embedded (templates, the style sheet; no script at all), every page is
// rendered with html/template, so every customer text is escaped, and served with a
// Content-Security-Policy that allows nothing inline. Access needs the ADMIN_TOKEN: as an
// Authorization: Bearer header (scripts) or a session cookie set by the login form
// (people); see auth.go.
package admin

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/funnel"
)

// Prefix is where the dashboard is served.
const Prefix = "/admin/"

// ClaimReader reads claims: one by id, or pages by creation time (claims.Store has it).
type ClaimReader interface {
	Get(ctx context.Context, id claims.ID) (claims.Record, error)
	claims.Lister
}

// Transcripts reads a staff desk case's transcript (handoff.Store has it).
type Transcripts interface {
	Transcript(ctx context.Context, caseID string) ([]handoff.Entry, error)
}

// Options configure the dashboard.
type Options struct {
	// Token is ADMIN_TOKEN; it must not be empty.
	Token  string
	Claims ClaimReader
	// Cases, if set, gives the transcripts of escalated claims.
	Cases Transcripts
	// Funnel, if set, gives the dialog funnel's figures.
	Funnel funnel.Tally
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
}

//go:embed templates static
var files embed.FS

// New returns the dashboard's handler, to be mounted at Prefix.
func New(opt Options) http.Handler {
	if opt.Token == "" {
		panic("admin.New: empty token")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	d := &dashboard{opt: opt, auth: newAuth(opt.Token, opt.Now, opt.Log), pages: parsePages()}
	static, _ := fs.Sub(files, "static")
	mux := http.NewServeMux()
	mux.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", http.FileServerFS(static)))
	mux.HandleFunc("GET "+Prefix+"login", d.loginForm)
	mux.HandleFunc("POST "+Prefix+"login", d.login)
	mux.HandleFunc("POST "+Prefix+"logout", d.logout)
	mux.Handle("GET "+Prefix+"{$}", d.auth.require(d.list))
	mux.Handle("GET "+Prefix+"claims/{id}", d.auth.require(d.claim))
	mux.Handle("GET "+Prefix+"figures", d.auth.require(d.figures))
	mux.Handle("GET "+Prefix+"export.csv", d.auth.require(d.export))
	mux.Handle(Prefix, d.auth.require(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
	// Cross-origin POSTs (a form on another site aimed at login or logout) are refused by
	// the browser's Sec-Fetch-Site and Origin headers; the cookie is SameSite=Strict too.
	return secureHeaders(http.NewCrossOriginProtection().Handler(mux))
}

// csp allows the embedded style sheet and nothing else: no script, no inline style, no
// frames, forms posting only here.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

type dashboard struct {
	opt   Options
	auth  *auth
	pages map[string]*page
}
