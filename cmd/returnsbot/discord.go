package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/discord"
)

// The Discord adapter: DISCORD_TOKEN enables it, DISCORD_API_URL points it at another
// server (tests, proxies), DISCORD_GUILD_MESSAGES makes it read server channels too.
func init() {
	adapters = append(adapters, adapter{
		name:    discord.Platform,
		enabled: func(getenv func(string) string) bool { return getenv("DISCORD_TOKEN") != "" },
		start:   startDiscord,
	})
}

func startDiscord(ctx context.Context, env adapterEnv) (func(context.Context) error, error) {
	guild := false
	if v := env.Getenv("DISCORD_GUILD_MESSAGES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("DISCORD_GUILD_MESSAGES: want true or false, got %q", v)
		}
		guild = b
	}
	rate, err := inboundRate(env.Getenv)
	if err != nil {
		return nil, err
	}
	a, err := discord.New(discord.Config{
		Dispatch:      bot.DispatchConfig{InboundRate: rate},
		Token:         env.Getenv("DISCORD_TOKEN"),
		APIURL:        env.Getenv("DISCORD_API_URL"),
		Handler:       env.Handler,
		Router:        env.Router,
		GuildMessages: guild,
		Log:           env.Log,
	})
	if err != nil {
		return nil, err
	}
	env.Router[discord.Platform] = a
	return a.Run, nil
}
