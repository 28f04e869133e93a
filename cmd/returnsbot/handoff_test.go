package main

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestHandoffFromEnv(t *testing.T) {
	base := map[string]string{
		"TELEGRAM_TOKEN": "t", "DISCORD_TOKEN": "d", "DISCORD_GUILD_MESSAGES": "true",
		"STAFF_TELEGRAM_CHAT": "-1001234", "STAFF_TELEGRAM_USERS": "11, 12",
		"STAFF_DISCORD_CHANNEL": "555", "STAFF_DISCORD_USERS": "21", "STAFF_DISCORD_ROLES": "31,32",
	}
	with := func(changes map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range changes {
			m[k] = v
		}
		return m
	}

	cfg, ok, err := handoffFromEnv(envOf(base))
	if err != nil || !ok {
		t.Fatalf("full config: ok %v, err %v; want enabled", ok, err)
	}
	wantDesks := []bot.Address{{Platform: "telegram", Chat: "-1001234"}, {Platform: "discord", Chat: "555"}}
	if !reflect.DeepEqual(cfg.desks, wantDesks) {
		t.Errorf("desks = %v, want %v", cfg.desks, wantDesks)
	}
	wantUsers := map[string]bool{"telegram:11": true, "telegram:12": true, "discord:21": true}
	wantRoles := map[string]bool{"discord:31": true, "discord:32": true}
	if !reflect.DeepEqual(cfg.access.Users, wantUsers) || !reflect.DeepEqual(cfg.access.Roles, wantRoles) {
		t.Errorf("access = %v %v, want %v %v", cfg.access.Users, cfg.access.Roles, wantUsers, wantRoles)
	}
	if cfg.renotify != defaultRenotify {
		t.Errorf("renotify = %v, want the default %v", cfg.renotify, defaultRenotify)
	}
	// A Discord user id is not a Telegram user id.
	if cfg.access.Allows(bot.Message{From: bot.Address{Platform: "telegram", Chat: "-1001234"}, User: "21"}) {
		t.Errorf("Discord staff id 21 allowed on Telegram")
	}

	if _, ok, err := handoffFromEnv(envOf(map[string]string{"TELEGRAM_TOKEN": "t"})); ok || err != nil {
		t.Errorf("no desk: ok %v, err %v; want disabled without error", ok, err)
	}
	if cfg, _, err := handoffFromEnv(envOf(with(map[string]string{"HANDOFF_RENOTIFY": "90s"}))); err != nil || cfg.renotify != 90*time.Second {
		t.Errorf("HANDOFF_RENOTIFY=90s: renotify %v, err %v", cfg.renotify, err)
	}
	if cfg, _, err := handoffFromEnv(envOf(with(map[string]string{"HANDOFF_RENOTIFY": "0"}))); err != nil || cfg.renotify != 0 {
		t.Errorf("HANDOFF_RENOTIFY=0: renotify %v, err %v; want reminders off", cfg.renotify, err)
	}

	bad := []struct {
		name    string
		changes map[string]string
		want    string
	}{
		{"telegram chat not a number", map[string]string{"STAFF_TELEGRAM_CHAT": "@desk"}, "STAFF_TELEGRAM_CHAT"},
		{"telegram desk without telegram", map[string]string{"TELEGRAM_TOKEN": ""}, "TELEGRAM_TOKEN"},
		{"discord desk without discord", map[string]string{"DISCORD_TOKEN": ""}, "DISCORD_TOKEN"},
		{"discord desk without guild messages", map[string]string{"DISCORD_GUILD_MESSAGES": ""}, "DISCORD_GUILD_MESSAGES=true"},
		{"no staff", map[string]string{"STAFF_TELEGRAM_USERS": "", "STAFF_DISCORD_USERS": "", "STAFF_DISCORD_ROLES": ""}, "no staff"},
		{"user name instead of id", map[string]string{"STAFF_TELEGRAM_USERS": "11,@tanya"}, "STAFF_TELEGRAM_USERS"},
		{"bad role", map[string]string{"STAFF_DISCORD_ROLES": "admins"}, "STAFF_DISCORD_ROLES"},
		{"bad renotify", map[string]string{"HANDOFF_RENOTIFY": "soon"}, "HANDOFF_RENOTIFY"},
		{"negative renotify", map[string]string{"HANDOFF_RENOTIFY": "-1m"}, "HANDOFF_RENOTIFY"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, err := handoffFromEnv(envOf(with(tt.changes)))
			if err == nil || ok || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got ok %v, err %v; want an error naming %s", ok, err, tt.want)
			}
		})
	}
}

func TestCaseCommandsNeedRedis(t *testing.T) {
	for _, args := range [][]string{{"case", "show", "abcdefgh"}, {"forget", "telegram:1"}} {
		var out bytes.Buffer
		err := run(context.Background(), args, envOf(nil), nil, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "REDIS_URL is not set") {
			t.Errorf("%v without REDIS_URL: error %v, want one saying REDIS_URL is not set", args, err)
		}
	}
	for _, args := range [][]string{{"case"}, {"case", "list"}, {"case", "show"}, {"forget"}, {"forget", "alice"}} {
		var out bytes.Buffer
		err := run(context.Background(), args, envOf(map[string]string{"REDIS_URL": "redis://127.0.0.1:6379"}), nil, &out, &out)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%v: error %v, want a usage error", args, err)
		}
	}
}

func TestCaseShowUnknownCase(t *testing.T) {
	env := envOf(map[string]string{"REDIS_URL": redistest.URL(t), "REDIS_KEY_PREFIX": redistest.Prefix(t)})
	var out bytes.Buffer
	err := run(context.Background(), []string{"case", "show", "zzzzzzzz"}, env, nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), `no case "zzzzzzzz"`) {
		t.Fatalf("case show of an unknown id: %v, want no case", err)
	}
}
