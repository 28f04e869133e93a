package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cookieName is the session cookie the login form sets.
const cookieName = "returnsbot_admin"

// sessionFor is how long a login lasts.
const sessionFor = 12 * time.Hour

// auth checks the token. The cookie holds no token: it is an expiry time and its HMAC
// under a key derived from the token, so it cannot be forged or extended without the
// token, and changing ADMIN_TOKEN ends every session. Logging out clears the cookie in
// the browser; a copied cookie stays valid until it expires.
type auth struct {
	tokenSum [32]byte
	key      []byte
	now      func() time.Time
	log      *slog.Logger

	// Wrong tokens are logged at most once a minute, with how many there were. There is
	// no lockout: ADMIN_TOKEN has at least 16 characters, so guessing is hopeless, and a
	// lockout would let anyone who reaches the port lock the owner out.
	mu       sync.Mutex
	failures int
	lastLog  time.Time
	logEvery time.Duration
}

func newAuth(token string, now func() time.Time, log *slog.Logger) *auth {
	k := sha256.Sum256([]byte("returnsbot admin session key\x00" + token))
	return &auth{
		tokenSum: sha256.Sum256([]byte(token)),
		key:      k[:],
		now:      now,
		log:      log,
		logEvery: time.Minute,
	}
}

// failed counts a wrong token, and logs the count at most once a minute.
func (a *auth) failed(r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures++
	if t := a.now(); t.Sub(a.lastLog) >= a.logEvery {
		a.log.Warn("admin: wrong token", "count", a.failures, "last_remote", r.RemoteAddr)
		a.failures, a.lastLog = 0, t
	}
}

// validToken compares in constant time; hashing first hides the token's length too.
func (a *auth) validToken(s string) bool {
	got := sha256.Sum256([]byte(s))
	return subtle.ConstantTimeCompare(got[:], a.tokenSum[:]) == 1
}

func (a *auth) sign(expiry int64) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte("session|" + strconv.FormatInt(expiry, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (a *auth) cookieValue() (string, time.Time) {
	exp := a.now().Add(sessionFor)
	return strconv.FormatInt(exp.Unix(), 10) + "." + a.sign(exp.Unix()), exp
}

func (a *auth) validCookie(v string) bool {
	ts, mac, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	exp, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || a.now().Unix() >= exp {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(a.sign(exp)))
}

// allowed reports whether the request carries the token or a valid session; wrong says
// it sent an Authorization header that is neither (a script, as opposed to a person).
// Another scheme (a proxy's Basic) leaves the cookie to decide.
func (a *auth) allowed(r *http.Request) (allowed, wrong bool) {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		if a.validToken(strings.TrimSpace(tok)) {
			return true, false
		}
		a.failed(r)
		return false, true
	}
	if c, err := r.Cookie(cookieName); err == nil && a.validCookie(c.Value) {
		return true, false
	}
	return false, h != ""
}

// require serves h to requests with the token or a session. Others get 401 when they sent
// an Authorization header (a script), a redirect to the login form otherwise (a person).
func (a *auth) require(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wrong := a.allowed(r)
		switch {
		case ok:
			h(w, r)
		case wrong:
			w.Header().Set("WWW-Authenticate", `Bearer realm="returnsbot admin"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		default:
			http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
		}
	})
}

// secure reports whether the browser reached us over TLS, here or at a proxy in front,
// so the cookie is marked Secure (and a browser on plain HTTP, in a test or on
// localhost, can still log in).
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (d *dashboard) loginForm(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, http.StatusOK, "login", loginPage{})
}

// maxForm bounds the login form's body.
const maxForm = 4 << 10

func (d *dashboard) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	tok := r.PostFormValue("token")
	if !d.auth.validToken(tok) {
		d.auth.failed(r)
		d.render(w, r, http.StatusUnauthorized, "login", loginPage{Error: "That token is not right."})
		return
	}
	v, exp := d.auth.cookieValue()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: v, Path: Prefix, Expires: exp, MaxAge: int(sessionFor.Seconds()),
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

func (d *dashboard) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: "", Path: Prefix, MaxAge: -1,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

type loginPage struct{ Error string }
