package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/internal/pause"
)

// ReturnCommand is the slash command customers start with, in a server or a DM, its
// description in every Discord locale of a language the bot speaks.
func ReturnCommand() *discordgo.ApplicationCommand {
	c := i18n.Current()
	loc := map[discordgo.Locale]string{}
	for _, l := range discordLocales {
		if lang := c.Match(string(l)); c.Has(string(l)) {
			loc[l] = c.Text(lang, "menu.start", nil)
		}
	}
	return &discordgo.ApplicationCommand{
		Name:                     "return",
		Type:                     discordgo.ChatApplicationCommand,
		Description:              c.Text("en", "menu.start", nil),
		DescriptionLocalizations: &loc,
		Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM},
		Options:                  []*discordgo.ApplicationCommandOption{},
	}
}

// discordLocales are the locales Discord offers (developer docs, "Locales").
var discordLocales = []discordgo.Locale{
	"id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl",
	"pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
}

// registerCommands replaces the bot's global commands with /return and Config.Commands.
func (a *Adapter) registerCommands(ctx context.Context) error {
	app, _ := a.ids()
	if app == "" {
		return errors.New("discord: register commands: READY named no application")
	}
	cmds := append([]*discordgo.ApplicationCommand{ReturnCommand()}, a.cfg.Commands...)
	err := a.call(ctx, "register commands", func(opts ...discordgo.RequestOption) error {
		_, err := a.s.ApplicationCommandBulkOverwrite(app, "", cmds, opts...)
		return err
	})
	if f := fatal(err); f != nil {
		return f
	}
	if err != nil {
		return fmt.Errorf("discord: register /return: %w", err)
	}
	return nil
}

// call runs a discordgo request, waiting out 429 answers for as long as Discord says, at
// most RateLimitRetries times, and giving up when ctx is done.
func (a *Adapter) call(ctx context.Context, op string, f func(opts ...discordgo.RequestOption) error) error {
	for attempt := 0; ; attempt++ {
		err := f(discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) || rl.TooManyRequests == nil {
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			return nil
		}
		if attempt >= a.cfg.RateLimitRetries {
			return fmt.Errorf("%s: still rate limited after %d retries: %w", op, attempt, err)
		}
		wait := rl.RetryAfter
		a.log.Info("rate limited, waiting", "op", op, "retry_after", wait)
		if pause.For(ctx, wait) != nil {
			return fmt.Errorf("%s: rate limited: %w", op, ctx.Err())
		}
	}
}

// request sends an interaction API request (callback, edit or delete of the response)
// through discordgo, shaped the way we need (an update that keeps the content but removes
// the buttons).
func (a *Adapter) request(ctx context.Context, op, method, endpoint string, body any) ([]byte, error) {
	var resp []byte
	err := a.call(ctx, op, func(opts ...discordgo.RequestOption) error {
		var data []byte
		if body != nil {
			var err error
			if data, err = json.Marshal(body); err != nil {
				return err
			}
		}
		var err error
		resp, err = a.s.RequestWithLockedBucket(method, endpoint, "application/json", data, a.tokenBucket(method+" "+endpoint), 0, opts...)
		return err
	})
	return resp, scrub(err)
}

// tokenBucket returns the rate-limit bucket of one interaction-token endpoint, locked.
// Each interaction has its own limits, so sharing buckets would queue acknowledgements
// behind each other and miss the 3 seconds under load; but discordgo's rate limiter keeps
// every bucket forever. These buckets live in a limiter of our own, replaced when it
// has seen many tokens (tokens last 15 minutes; a replaced bucket only loses its
// remaining count).
func (a *Adapter) tokenBucket(key string) *discordgo.Bucket {
	a.mu.Lock()
	if a.tokenLimits == nil || a.tokenKeys >= 10000 {
		a.tokenLimits, a.tokenKeys = discordgo.NewRatelimiter(), 0
	}
	a.tokenKeys++
	rl := a.tokenLimits
	a.mu.Unlock()
	return rl.LockBucket(key)
}

// recent remembers the last event ids seen, to drop events Discord delivers twice.
type recent struct {
	mu   sync.Mutex
	ids  map[string]struct{}
	ring [4096]string
	next int
}

// add records id and reports whether it is new.
func (r *recent) add(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]struct{}{}
	}
	if _, ok := r.ids[id]; ok {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.ids, old)
	}
	r.ring[r.next] = id
	r.next = (r.next + 1) % len(r.ring)
	r.ids[id] = struct{}{}
	return true
}
