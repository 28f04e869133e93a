package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/i18n"
)

// badSettings are values the program must refuse at start, with the variable and what it
// allows named in one line.
var badSettings = []struct {
	name, value, want string
}{
	{"REDIS_SESSION_TTL", "999us", "at least 1s"},
	{"REDIS_SESSION_TTL", "0", "at least 1s"},
	{"REDIS_SESSION_TTL", "forever", "at least 1s"},
	{"HANDOFF_RENOTIFY", "1ns", "at least 1m"},
	{"HANDOFF_RENOTIFY", "-5m", "at least 1m"},
	{"HANDOFF_IDLE_CLOSE", "30m", "at least 1h"},
	{"HANDOFF_IDLE_CLOSE", "3 days", "at least 1h"},
	{"STAFF_HOURS", "Mon-Fri 9-18", "HH:MM-HH:MM"},
	{"STAFF_HOURS", "weekdays 09:00-18:00", "want Mon, Tue"},
	{"STAFF_HOLIDAYS", "24.12.2026", "2026-12-24"},
	{"STAFF_TELEGRAM_USERS", "0", "positive"},
	{"STAFF_TELEGRAM_USERS", "12,-1001000", "positive"},
	{"STAFF_DISCORD_USERS", "bob", "positive"},
	{"STAFF_DISCORD_ROLES", "0", "positive"},
	{"STAFF_TELEGRAM_CHAT", "12345", "supergroup"},
	{"STAFF_TELEGRAM_CHAT", "-12345", "supergroup"},
	{"STAFF_DISCORD_CHANNEL", "#staff", "channel id"},
	{"TELEGRAM_WEBHOOK_URL", "https://bot.example/{x", "clean path"},
	{"TELEGRAM_WEBHOOK_URL", "https://bot.example/x/..", "clean path"},
	{"TELEGRAM_WEBHOOK_URL", "https://bot.example/x/./y", "clean path"},
	{"TELEGRAM_WEBHOOK_URL", "https://bot.example/a%2Fb", "clean path"},
	{"TELEGRAM_WEBHOOK_URL", "https://bot.example/tg?x=1", "clean path"},
	{"TELEGRAM_WEBHOOK_URL", "http://bot.example/tg", "https"},
	{"TELEGRAM_WEBHOOK_URL", "/tg", "absolute"},
	{"TELEGRAM_WEBHOOK_SECRET", "with space", "A-Z"},
	{"TELEGRAM_API_URL", "api.telegram.org", "http(s)://host"},
	{"TELEGRAM_GLOBAL_RATE", "0", "positive"},
	{"TELEGRAM_CHAT_INTERVAL", "fast", "TELEGRAM_CHAT_INTERVAL"},
	{"TELEGRAM_GROUP_INTERVAL", "-1s", "TELEGRAM_GROUP_INTERVAL"},
	{"TELEGRAM_TOKEN", "12 34", "spaces"},
	{"DISCORD_API_URL", "ftp://discord.com", "http(s)://host"},
	{"DISCORD_GUILD_MESSAGES", "yes please", "true, false"},
	{"DISCORD_TOKEN", "a\tb", "spaces"},
	{"ADMIN_TOKEN", "short", "at least 16"},
	{"ADMIN_TOKEN", "long enough but spaced", "at least 16"},
	{"INBOUND_RATE", "lots", "messages a minute"},
	{"INBOUND_RATE", "-3", "messages a minute"},
	{"LOG_LEVEL", "verbose", "debug, info, warn, error"},
	{"LISTEN_ADDR", "8080", "host:port"},
	{"METRICS_ADDR", "localhost", "host:port"},
	{"REDIS_URL", "localhost:6379", "scheme"},
	{"REDIS_URL", "http://:hunter2@localhost", "scheme"},
	{"REDIS_AUTOPIPELINE", "maybe", "on, off"},
	{"REDIS_KEY_PREFIX", "rb: ", "spaces"},
	{"WEBHOOK_URL", "hooks.example", "absolute URL"},
	{"CLAIM_RETENTION", "0d", "number of days"},
	{"STAFF_LANGUAGE", "xx", "no catalog"},
	{"STAFF_LANGUAGE", "klingon!", "no catalog"},
}

// TestBadSettingsRefused: every bad value stops every command before it does anything,
// with a usage error (exit 2) naming the variable and what it allows, in one line.
func TestBadSettingsRefused(t *testing.T) {
	for _, tt := range badSettings {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			env := map[string]string{tt.name: tt.value}
			var out bytes.Buffer
			err := run(context.Background(), []string{"policy", "default"}, func(k string) string { return env[k] }, nil, &out, &out)
			var u usageError
			if !errors.As(err, &u) {
				t.Fatalf("got %v, want a usage error (exit 2)", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.name) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("got %q, want one line starting with %s and saying %q", msg, tt.name, tt.want)
			}
			if secrets[tt.name] && strings.Contains(msg, tt.value) {
				t.Errorf("got %q: the refusal repeats the secret", msg)
			}
			if out.Len() != 0 {
				t.Errorf("the command ran: printed %d bytes", out.Len())
			}
		})
	}
}

// TestGoodSettingsAccepted: values at the limits pass.
func TestGoodSettingsAccepted(t *testing.T) {
	good := map[string]string{
		"REDIS_SESSION_TTL": "1s", "HANDOFF_RENOTIFY": "0", "STAFF_TELEGRAM_USERS": "11, 12",
		"TELEGRAM_WEBHOOK_URL": "https://bot.example.com/hooks/telegram-1", "TELEGRAM_TOKEN": "1:abc", "LISTEN_ADDR": ":8080",
		"METRICS_ADDR": "127.0.0.1:9090", "LOG_LEVEL": "WARN", "INBOUND_RATE": "off", "REDIS_URL": "rediss://u:p@redis:6380/2",
		"STAFF_LANGUAGE": "de-AT", "HANDOFF_IDLE_CLOSE": "0", "STAFF_HOURS": "Mon-Fri 09:00-18:00; Sat 10:00-14:00",
		"STAFF_HOLIDAYS": "2026-12-24, 2026-12-25",
	}
	for k, v := range good {
		if err := checkEnv(func(name string) string {
			if name == k {
				return v
			}
			return ""
		}); err != nil {
			t.Errorf("%s=%s: got %v, want accepted", k, v, err)
		}
	}
	if err := checkEnv(func(k string) string { return good[k] }); err != nil {
		t.Errorf("all together: got %v, want accepted", err)
	}
}

// TestBadSettingExitCode: the real binary exits 2 with one line on stderr, no panic.
func TestBadSettingExitCode(t *testing.T) {
	bin := buildBinary(t)
	for _, env := range []string{"TELEGRAM_WEBHOOK_URL=https://bot.example/{x", "REDIS_SESSION_TTL=999us", "STAFF_LANGUAGE=tlh"} {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), env, "TELEGRAM_TOKEN=1:abc", "LISTEN_ADDR=127.0.0.1:0")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%s: got %v, want exit status 2", env, err)
		}
		name, _, _ := strings.Cut(env, "=")
		if got := strings.TrimSpace(stderr.String()); strings.Count(got, "\n") != 0 || !strings.Contains(got, name) {
			t.Errorf("%s: got stderr %q, want one line naming %s", env, got, name)
		}
	}
}

// TestStaffLanguageSetting: STAFF_LANGUAGE is matched to a catalog, defaults to the shop's
// language, and a language without a catalog is refused naming the variable.
func TestStaffLanguageSetting(t *testing.T) {
	german, err := i18n.New(i18n.Options{Default: "de"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, value string
		cat         *i18n.Catalog
		want        string // the language, or a part of the error
		wantErr     bool
	}{
		{"unset, English shop", "", i18n.Builtin(), "en", false},
		{"unset, German shop", "", german, "de", false},
		{"a region", "de-AT", i18n.Builtin(), "de", false},
		{"underscore", "pt_BR", german, "pt", false},
		{"unknown", "tlh", i18n.Builtin(), `STAFF_LANGUAGE "tlh": no catalog`, true},
		{"garbage", "!!", german, `STAFF_LANGUAGE "!!": no catalog`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := staffLanguage(func(k string) string {
				if k == "STAFF_LANGUAGE" {
					return tt.value
				}
				return ""
			}, tt.cat)
			switch {
			case tt.wantErr && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %q, %v; want an error containing %q", got, err, tt.want)
			case !tt.wantErr && (err != nil || got != tt.want):
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
