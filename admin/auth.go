package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
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
	// failures slows down guessing: failed logins and Bearer headers share 10 at once,
	// then one every 6 seconds, for the whole process.
	failures *rate.Limiter
}

func newAuth(token string, now func() time.Time) *auth {
	k := sha256.Sum256([]byte("returnsbot admin session key\x00" + token))
	return &auth{
		tokenSum: sha256.Sum256([]byte(token)),
		key:      k[:],
		now:      now,
		failures: rate.NewLimiter(rate.Every(6*time.Second), 10),
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

// allowed reports whether the request carries the token or a valid session. ok is false
// for a request with credentials that are wrong (as opposed to none).
func (a *auth) allowed(r *http.Request) (allowed, wrong bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, isBearer := strings.CutPrefix(h, "Bearer ")
		if isBearer && a.validToken(strings.TrimSpace(tok)) {
			return true, false
		}
		return false, true
	}
	if c, err := r.Cookie(cookieName); err == nil {
		return a.validCookie(c.Value), false
	}
	return false, false
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
			if !a.failures.Allow() {
				http.Error(w, "too many attempts: wait a minute", http.StatusTooManyRequests)
				return
			}
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
		if !d.auth.failures.Allow() {
			d.render(w, r, http.StatusTooManyRequests, "login", loginPage{Error: "Too many attempts. Wait a minute and try again."})
			return
		}
		d.opt.Log.Warn("admin: failed login", "remote", r.RemoteAddr)
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
