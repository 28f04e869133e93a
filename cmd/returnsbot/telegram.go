package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram"
)

// The Telegram adapter runs when TELEGRAM_TOKEN is set: by long polling, or by webhook
// when TELEGRAM_WEBHOOK_URL is set (served on LISTEN_ADDR at the URL's path).
func init() {
	adapters = append(adapters, adapter{
		name:    telegram.Platform,
		enabled: func(getenv func(string) string) bool { return getenv("TELEGRAM_TOKEN") != "" },
		start:   startTelegram,
	})
}

func startTelegram(ctx context.Context, env adapterEnv) (func(context.Context) error, error) {
	cfg := telegram.Config{
		Token:         env.Getenv("TELEGRAM_TOKEN"),
		APIURL:        env.Getenv("TELEGRAM_API_URL"),
		WebhookURL:    env.Getenv("TELEGRAM_WEBHOOK_URL"),
		WebhookSecret: env.Getenv("TELEGRAM_WEBHOOK_SECRET"),
		Log:           env.Log,
	}
	var err error
	if cfg.Dispatch.InboundRate, err = inboundRate(env.Getenv); err != nil {
		return nil, err
	}
	if cfg.ChatInterval, err = pace(env.Getenv, "TELEGRAM_CHAT_INTERVAL"); err != nil {
		return nil, err
	}
	if cfg.GroupInterval, err = pace(env.Getenv, "TELEGRAM_GROUP_INTERVAL"); err != nil {
		return nil, err
	}
	if v := env.Getenv("TELEGRAM_GLOBAL_RATE"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case v == "off":
			cfg.GlobalRate = -1
		case err != nil || n <= 0:
			return nil, fmt.Errorf("TELEGRAM_GLOBAL_RATE %q: want messages per second, such as 30, or off", v)
		default:
			cfg.GlobalRate = n
		}
	}
	var route string
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("TELEGRAM_WEBHOOK_URL %q is not an absolute URL", cfg.WebhookURL)
		}
		if env.Getenv("LISTEN_ADDR") == "" {
			return nil, errors.New("TELEGRAM_WEBHOOK_URL needs LISTEN_ADDR, the address to serve the webhook on")
		}
		route = u.Path
		if route == "" {
			route = "/"
		}
	}
	a, err := telegram.New(ctx, cfg, env.Handler, env.Router)
	if err != nil {
		return nil, err
	}
	env.Router[telegram.Platform] = a
	if route != "" {
		env.Mux.Handle("POST "+route, a.WebhookHandler())
	}
	return a.Run, nil
}

// pace reads an outbound pace from the environment: a duration such as 1s, or off. Unset
// is 0, the adapter's default.
func pace(getenv func(string) string, name string) (time.Duration, error) {
	v := getenv(name)
	switch v {
	case "":
		return 0, nil
	case "off":
		return -1, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: want a duration such as 1s, or off", name, v)
	}
	return d, nil
}
