package discord_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/discord"
	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// cutProxy forwards to the fake Discord but drops the connection of every request whose
// path contains cut: the transport error then names the URL, as when Discord is
// unreachable.
func cutProxy(t *testing.T, target, cut string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, cut) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p.URL
}

// TestInteractionTokensMasked: when the interaction endpoints cannot be reached, the
// warnings name the endpoint with the interaction token masked.
func TestInteractionTokensMasked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, cut, warning string
	}{
		{"callback", "/interactions/", "interaction not acknowledged"},
		{"webhook", "/webhooks/", "cannot complete interaction response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var general string
			h := startWith(t, discordtest.Config{}, func(srv *discordtest.Server, c *discord.Config) {
				c.APIURL = cutProxy(t, srv.URL, tt.cut)
				general = srv.AddTextChannel("general")
				c.GuildMessages = true
			})
			h.srv.WaitReady(t)
			kim := h.srv.NewUser("kim")
			id := h.srv.Slash(kim, general, "return")
			token := h.srv.Interaction(id).Token
			waittest.For(t, "the warning "+tt.warning, func() bool { return strings.Contains(h.logs.String(), tt.warning) })
			logs := h.logs.String()
			if strings.Contains(logs, token) {
				t.Errorf("the log shows the interaction token %s:\n%s", token, logs)
			}
			if !strings.Contains(logs, tt.cut+"") || !strings.Contains(logs, "<token>") {
				t.Errorf("the log does not name the endpoint with the token masked:\n%s", logs)
			}
		})
	}
}
