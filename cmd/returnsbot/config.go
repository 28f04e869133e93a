package main

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/i18n"
)

// checkEnv validates every setting the program reads before any command runs, so a bad
// value stops it at once with one line naming the variable and what it allows (exit 2),
// instead of starting in a state that cannot answer: a session TTL that rounds to 0, a
// reminder loop that spins, a webhook path that panics. Settings read by one command are
// parsed again where they are used; the parsers are shared.
func checkEnv(getenv func(string) string) error {
	for _, c := range envChecks {
		if v := getenv(c.name); v != "" {
			if err := c.check(v); err != nil {
				if secrets[c.name] {
					return usageError{fmt.Sprintf("%s (value not shown): %v", c.name, err)}
				}
				return usageError{fmt.Sprintf("%s %q: %v", c.name, v, err)}
			}
		}
	}
	// Settings that depend on each other, and the parsers the adapters use.
	checks := []func() error{
		func() error { _, err := inboundRate(getenv); return err },
		func() error {
			raw := getenv("REDIS_URL")
			if raw == "" {
				return nil
			}
			rdb, err := redisstore.NewClient(raw) // parses only: go-redis connects on first use
			if err != nil {
				return fmt.Errorf("REDIS_URL: %w", err)
			}
			return rdb.Close()
		},
		func() error { _, err := pace(getenv, "TELEGRAM_CHAT_INTERVAL"); return err },
		func() error { _, err := pace(getenv, "TELEGRAM_GROUP_INTERVAL"); return err },
		func() error { _, _, err := handoffFromEnv(getenv); return err },
		func() error {
			if getenv("LOCALES_DIR") != "" {
				return nil // the shop may add languages: checked against its catalogs once loaded
			}
			_, err := staffLanguage(getenv, i18n.Builtin())
			return err
		},
		func() error {
			if getenv("TELEGRAM_WEBHOOK_URL") != "" && getenv("TELEGRAM_TOKEN") != "" && getenv("LISTEN_ADDR") == "" {
				return fmt.Errorf("TELEGRAM_WEBHOOK_URL needs LISTEN_ADDR, the address to serve the webhook on")
			}
			return nil
		},
	}
	for _, f := range checks {
		if err := f(); err != nil {
			return usageError{err.Error()}
		}
	}
	return nil
}

// secrets are the variables whose value a refusal does not repeat: the error goes to the
// terminal and, under a supervisor, to the logs.
var secrets = map[string]bool{
	"TELEGRAM_TOKEN": true, "DISCORD_TOKEN": true, "TELEGRAM_WEBHOOK_SECRET": true,
	"WEBHOOK_SECRET": true, "ADMIN_TOKEN": true,
}

// envCheck validates one variable's value when it is set.
type envCheck struct {
	name  string
	check func(v string) error
}

var envChecks = []envCheck{
	{"LOG_LEVEL", oneOf("debug", "info", "warn", "error")},
	{"REDIS_SESSION_TTL", atLeast(time.Second, false, "a Go duration of at least 1s, such as 720h")},
	{"REDIS_KEY_PREFIX", printable},
	{"REDIS_AUTOPIPELINE", oneOf("on", "off", "true", "false", "1", "0")},
	{"TELEGRAM_TOKEN", printable},
	{"TELEGRAM_API_URL", apiURL},
	{"TELEGRAM_WEBHOOK_URL", webhookURL},
	{"TELEGRAM_WEBHOOK_SECRET", pattern(`^[A-Za-z0-9_-]{1,256}$`, "1 to 256 of A-Z a-z 0-9 _ - (what Telegram accepts)")},
	{"TELEGRAM_GLOBAL_RATE", positiveOrOff},
	{"DISCORD_TOKEN", printable},
	{"DISCORD_API_URL", apiURL},
	{"DISCORD_GUILD_MESSAGES", oneOf("true", "false", "1", "0")},
	{"LISTEN_ADDR", hostPort},
	{"METRICS_ADDR", hostPort},
	{"STAFF_TELEGRAM_CHAT", pattern(`^-100[0-9]{1,16}$`, "the negative id of a supergroup with topics, such as -1001234567890")},
	{"STAFF_TELEGRAM_USERS", idList},
	{"STAFF_DISCORD_CHANNEL", pattern(`^[1-9][0-9]{0,19}$`, "a channel id (digits)")},
	{"STAFF_DISCORD_USERS", idList},
	{"STAFF_DISCORD_ROLES", idList},
	{"WEBHOOK_URL", urlWith("http", "https")},
	{"ADMIN_TOKEN", func(v string) error {
		if len(v) < minAdminToken || printable(v) != nil {
			return fmt.Errorf("want at least %d printable characters without spaces, such as the output of openssl rand -hex 24", minAdminToken)
		}
		return nil
	}},
	{"CLAIM_RETENTION", func(v string) error { _, err := claims.ParseRetention(v); return err }},
	{"HANDOFF_RENOTIFY", func(v string) error {
		return atLeast(minRenotify, true, "0 (no reminders) or a Go duration of at least 1m, such as 15m")(v)
	}},
	{"HANDOFF_IDLE_CLOSE", atLeast(time.Hour, true, "0 (never) or a Go duration of at least 1h, such as 72h")},
	// The time zone is the policy's, known once it is loaded; the form does not depend on it.
	{"STAFF_HOURS", func(v string) error { _, err := handoff.ParseHours(v, "", time.UTC); return err }},
	{"STAFF_HOLIDAYS", func(v string) error { _, err := handoff.ParseHours("Mon 00:00-24:00", v, time.UTC); return err }},
}

func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				return nil
			}
		}
		return fmt.Errorf("want one of %s", strings.Join(allowed, ", "))
	}
}

func atLeast(lowest time.Duration, zeroOK bool, want string) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lowest && !(zeroOK && d == 0) {
			return fmt.Errorf("want %s", want)
		}
		return nil
	}
}

func pattern(expr, want string) func(string) error {
	re := regexp.MustCompile(expr)
	return func(v string) error {
		if !re.MatchString(strings.TrimSpace(v)) {
			return fmt.Errorf("want %s", want)
		}
		return nil
	}
}

// idList is a comma-separated list of positive platform ids (Telegram user ids, Discord
// snowflakes).
func idList(v string) error {
	for _, id := range strings.Split(v, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if n, err := strconv.ParseUint(id, 10, 64); err != nil || n == 0 {
			return fmt.Errorf("want positive numeric ids separated by commas; %q is not one", id)
		}
	}
	return nil
}

func positiveOrOff(v string) error {
	if v == "off" {
		return nil
	}
	if n, err := strconv.Atoi(v); err != nil || n <= 0 {
		return fmt.Errorf("want a positive whole number, or off")
	}
	return nil
}

func printable(v string) error {
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("want no spaces or control characters")
		}
	}
	return nil
}

func hostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("want host:port or :port, such as 127.0.0.1:8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("want a port number 0 to 65535")
	}
	return nil
}

func apiURL(v string) error {
	if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want the API URL as http(s)://host[:port]")
	}
	return nil
}

func urlWith(schemes ...string) func(string) error {
	return func(v string) error {
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" {
			return fmt.Errorf("want an absolute URL (%s)", strings.Join(schemes, ", "))
		}
		for _, s := range schemes {
			if u.Scheme == s {
				if u.Host == "" && s != "unix" {
					return fmt.Errorf("want an absolute URL with a host")
				}
				return nil
			}
		}
		return fmt.Errorf("want a URL with scheme %s", strings.Join(schemes, ", "))
	}
}

// webhookPath is what a webhook path may hold: it becomes an HTTP route, where { } are
// wildcards, and . and .. segments would not mean what they say; no segment starts with a dot.
var webhookPath = regexp.MustCompile(`^(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*/?$`)

// webhookURL is an https URL Telegram can post to, with a clean path of plain segments:
// http only for a loopback host (tests, a local TLS proxy).
func webhookURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return fmt.Errorf("want an absolute https URL such as https://bot.example.com/telegram")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback(u.Hostname()):
	default:
		return fmt.Errorf("want an https URL (Telegram posts only to https), such as https://bot.example.com/telegram")
	}
	p := u.EscapedPath()
	if p != u.Path || !webhookPath.MatchString(p) || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("want a clean path of letters, digits and - _ . ~ segments, without query, such as /telegram")
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// staffLanguage is the language of the staff desk's texts: STAFF_LANGUAGE, matched to a
// catalog of cat ("de-AT" reads German), or the shop's default language (DEFAULT_LANGUAGE,
// else English). A language no catalog has is an error: staff would read a fallback they
// did not ask for.
func staffLanguage(getenv func(string) string, cat *i18n.Catalog) (string, error) {
	v := strings.TrimSpace(getenv("STAFF_LANGUAGE"))
	if v == "" {
		return cat.Default(), nil
	}
	if !cat.Has(v) {
		return "", fmt.Errorf("STAFF_LANGUAGE %q: no catalog for it (have %s)", v, strings.Join(cat.Languages(), " "))
	}
	return cat.Match(v), nil
}
