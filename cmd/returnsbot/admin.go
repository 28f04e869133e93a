package main

import (
	"log/slog"
	"net/http"

	"github.com/returnsbot/returnsbot/admin"
)

// minAdminToken is the shortest ADMIN_TOKEN accepted: it guards every claim and
// transcript, and the login form can be tried from anywhere that reaches LISTEN_ADDR.
const minAdminToken = 16

// mountAdmin serves the dashboard at /admin/ when ADMIN_TOKEN is set (checkEnv has
// checked its length).
func mountAdmin(mux *http.ServeMux, getenv func(string) string, st *storage, logger *slog.Logger) {
	tok := getenv("ADMIN_TOKEN")
	if tok == "" {
		return
	}
	if getenv("LISTEN_ADDR") == "" {
		logger.Warn("ADMIN_TOKEN is set but LISTEN_ADDR is not: the dashboard is not served")
		return
	}
	mux.Handle(admin.Prefix, admin.New(admin.Options{
		Token: tok, Claims: st.claims, Cases: st.cases, Funnel: st.funnel, Log: logger,
	}))
	logger.Info("dashboard enabled", "path", admin.Prefix)
}
