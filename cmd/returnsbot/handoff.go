package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/internal/bounded"
)

// defaultRenotify is HANDOFF_RENOTIFY when unset.
const defaultRenotify = 15 * time.Minute

// minRenotify is the shortest HANDOFF_RENOTIFY other than 0: shorter, the reminder loop
// spins for nothing. A variable so the end-to-end test of reminders need not wait it out.
var minRenotify = time.Minute

// handoffConfig is the staff desk configuration from the environment (see docs/handoff.md).
type handoffConfig struct {
	desks     []bot.Address
	access    handoff.Access
	renotify  time.Duration
	idleClose time.Duration
}

// handoffFromEnv reads the staff desk variables. It returns false when no desk is
// configured, and an error for a configuration that would strand customers or let anyone
// act: a desk on a platform that is not enabled, or a desk without staff.
func handoffFromEnv(getenv func(string) string) (handoffConfig, bool, error) {
	cfg := handoffConfig{
		access:   handoff.Access{Users: map[string]bool{}, Roles: map[string]bool{}},
		renotify: defaultRenotify, idleClose: handoff.DefaultIdleClose,
	}
	tgChat, dcChannel := strings.TrimSpace(getenv("STAFF_TELEGRAM_CHAT")), strings.TrimSpace(getenv("STAFF_DISCORD_CHANNEL"))
	if tgChat == "" && dcChannel == "" {
		return cfg, false, nil
	}
	if tgChat != "" {
		if n, err := strconv.ParseInt(tgChat, 10, 64); err != nil || !strings.HasPrefix(tgChat, "-100") || n >= 0 {
			return cfg, false, fmt.Errorf("STAFF_TELEGRAM_CHAT: want the negative id of a supergroup with topics such as -1001234567890, got %q", tgChat)
		}
		if getenv("TELEGRAM_TOKEN") == "" {
			return cfg, false, errors.New("STAFF_TELEGRAM_CHAT is set but TELEGRAM_TOKEN is not: the desk needs the Telegram adapter")
		}
		cfg.desks = append(cfg.desks, bot.Address{Platform: "telegram", Chat: tgChat})
	}
	if dcChannel != "" {
		if getenv("DISCORD_TOKEN") == "" {
			return cfg, false, errors.New("STAFF_DISCORD_CHANNEL is set but DISCORD_TOKEN is not: the desk needs the Discord adapter")
		}
		if ok, _ := strconv.ParseBool(getenv("DISCORD_GUILD_MESSAGES")); !ok {
			return cfg, false, errors.New("STAFF_DISCORD_CHANNEL needs DISCORD_GUILD_MESSAGES=true: the bot must read staff messages in server threads")
		}
		cfg.desks = append(cfg.desks, bot.Address{Platform: "discord", Chat: dcChannel})
	}
	for _, v := range []struct {
		name, platform string
		into           map[string]bool
	}{
		{"STAFF_TELEGRAM_USERS", "telegram", cfg.access.Users},
		{"STAFF_DISCORD_USERS", "discord", cfg.access.Users},
		{"STAFF_DISCORD_ROLES", "discord", cfg.access.Roles},
	} {
		for _, id := range strings.Split(getenv(v.name), ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if n, err := strconv.ParseUint(id, 10, 64); err != nil || n == 0 {
				return cfg, false, fmt.Errorf("%s: want positive numeric ids separated by commas, got %q", v.name, id)
			}
			v.into[handoff.UserRef(v.platform, id)] = true
		}
	}
	if len(cfg.access.Users) == 0 && len(cfg.access.Roles) == 0 {
		return cfg, false, errors.New("a staff desk is configured but no staff: set STAFF_TELEGRAM_USERS, STAFF_DISCORD_USERS or STAFF_DISCORD_ROLES")
	}
	if v := getenv("HANDOFF_RENOTIFY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 0 && d < minRenotify {
			// Under a minute the reminder loop would spin for nothing.
			return cfg, false, fmt.Errorf("HANDOFF_RENOTIFY: want 0 (no reminders) or a Go duration of at least 1m such as 15m, got %q", v)
		}
		cfg.renotify = d
	}
	if v := getenv("HANDOFF_IDLE_CLOSE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 0 && d < time.Hour {
			return cfg, false, fmt.Errorf("HANDOFF_IDLE_CLOSE: want 0 (never) or a Go duration of at least 1h such as 72h, got %q", v)
		}
		cfg.idleClose = d
	}
	return cfg, true, nil
}

// newHandoff wraps svc in a staff Desk when the environment configures one, keeping its
// cases in st beside the sessions and claims. It returns the handler for the adapters and
// a function that sends reminders until its context ends (to run once the adapters have
// added themselves to router).
func newHandoff(ctx context.Context, getenv func(string) string, svc *bot.Service, st *storage, router bot.Router, logger *slog.Logger) (bot.Handler, func(context.Context) error, error) {
	cfg, ok, err := handoffFromEnv(getenv)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		contact := svc.Engine.Policy().Contact
		if contact == "" {
			logger.Warn("no staff desk configured (STAFF_TELEGRAM_CHAT, STAFF_DISCORD_CHANNEL) and the policy file has no contact: setting: escalations have nowhere to go; customers who ask for a person are only told to contact the shop, and the claims are recorded as escalated (claims export, webhook claim.escalated)")
		} else {
			logger.Warn("no staff desk configured (STAFF_TELEGRAM_CHAT, STAFF_DISCORD_CHANNEL): escalations have nowhere to go in the chat; customers who ask for a person are given the policy's contact, and the claims are recorded as escalated (claims export, webhook claim.escalated)")
		}
		nd := &handoff.NoDesk{Dialog: svc, Engine: svc.Engine, Now: svc.Now, Contact: contact, Log: logger}
		return nd, func(ctx context.Context) error { <-ctx.Done(); return nil }, nil
	}
	lang, err := staffLanguage(getenv, i18n.Current())
	if err != nil {
		return nil, nil, usageError{err.Error()}
	}
	hours, err := handoff.ParseHours(getenv("STAFF_HOURS"), getenv("STAFF_HOLIDAYS"), svc.Engine.Policy().Location)
	if err != nil {
		return nil, nil, usageError{"STAFF_HOURS/STAFF_HOLIDAYS: " + err.Error()}
	}
	snippets, err := loadSnippets(ctx, getenv("SNIPPETS_FILE"))
	if err != nil {
		return nil, nil, err
	}
	if st.memory {
		logger.Warn("cases are kept in memory: they are lost on restart; set REDIS_URL to keep them")
	}
	svc.ForgetCases = st.cases.Forget
	desk := &handoff.Desk{
		Dialog: svc, Engine: svc.Engine, Claims: svc.Claims, Outbox: svc.Outbox, Metrics: svc.Metrics, Now: svc.Now,
		Cases: st.cases, Desks: cfg.desks, Access: cfg.access,
		Router: router, Renotify: cfg.renotify, Lang: lang, Log: logger,
		Hours: hours, IdleClose: cfg.idleClose, Snippets: snippets,
	}
	var names []string
	for _, d := range cfg.desks {
		names = append(names, d.Key())
	}
	logger.Info("staff handoff enabled", "desks", strings.Join(names, " "), "language", lang, "staff", len(cfg.access.Users), "roles", len(cfg.access.Roles), "renotify", cfg.renotify.String(), "hours", hours.String(), "idle_close", cfg.idleClose.String(), "snippets", len(snippets.Names()))
	return desk, desk.Run, nil
}

// loadSnippets reads SNIPPETS_FILE, the desk's canned replies; none when path is empty.
func loadSnippets(ctx context.Context, path string) (*handoff.Snippets, error) {
	if path == "" {
		return nil, nil
	}
	data, err := bounded.ReadFile(ctx, path, handoff.MaxSnippetsBytes)
	if err != nil {
		return nil, usageError{fmt.Sprintf("SNIPPETS_FILE %s: %v", path, err)}
	}
	s, err := handoff.ParseSnippets(string(data))
	if err != nil {
		return nil, usageError{fmt.Sprintf("SNIPPETS_FILE %s: %v", path, err)}
	}
	return s, nil
}

// errNeedsRedis explains why the case commands cannot work on the in-memory store.
var errNeedsRedis = errors.New("REDIS_URL is not set: cases and sessions are kept in Redis only; without it they live and die with the running bot, and there is nothing to read or erase")

// runCase is "returnsbot case show ID": a case with its whole transcript.
func runCase(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	if len(args) != 2 || args[0] != "show" {
		return usageError{"usage: returnsbot case show ID"}
	}
	if getenv("REDIS_URL") == "" {
		return fmt.Errorf("case show: %w", errNeedsRedis)
	}
	st, err := openStorage(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer st.close()
	c, err := st.cases.Get(ctx, args[1])
	if errors.Is(err, handoff.ErrNotFound) {
		return fmt.Errorf("case show: no case %q (ids are 8 letters and digits, as on the case card)", args[1])
	}
	if err != nil {
		return fmt.Errorf("case show: %w", err)
	}
	es, err := st.cases.Transcript(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("case show: %w", err)
	}
	if err := handoff.WriteCase(stdout, c, es); err != nil {
		return err
	}
	return writeCaseClaim(ctx, st, stdout, c)
}

// writeCaseClaim writes the stored decision of the case's claim, if it has one.
func writeCaseClaim(ctx context.Context, st *storage, stdout io.Writer, c *handoff.Case) error {
	if c.Claim == "" {
		return nil
	}
	r, err := st.claims.Get(ctx, claims.ID(c.Claim))
	if errors.Is(err, claims.ErrNotFound) {
		_, err = fmt.Fprintf(stdout, "\nClaim %s: no longer stored (past CLAIM_RETENTION, or erased)\n", c.Claim)
		return err
	}
	if err != nil {
		return fmt.Errorf("case show: claim %s: %w", c.Claim, err)
	}
	var b strings.Builder
	handoff.WriteClaim(&b, r)
	_, err = io.WriteString(stdout, b.String())
	return err
}

// runForget is "returnsbot forget USER": it erases the customer's cases, transcripts,
// conversation logs and dialog sessions.
func runForget(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	if len(args) != 1 || !strings.Contains(args[0], ":") {
		return usageError{"usage: returnsbot forget USER, where USER is platform:id as on the case card (telegram:12345, discord:67890) or a conversation key"}
	}
	who := args[0]
	if getenv("REDIS_URL") == "" {
		return fmt.Errorf("forget: %w", errNeedsRedis)
	}
	st, err := openStorage(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer st.close()
	convs, err := st.cases.Forget(ctx, who)
	if err != nil {
		return fmt.Errorf("forget %s: %w", who, err)
	}
	nClaims, err := st.claims.Forget(ctx, who)
	if err != nil {
		return fmt.Errorf("forget %s: claims: %w", who, err)
	}
	nEvents, err := st.outbox.Forget(ctx, who)
	if err != nil {
		return fmt.Errorf("forget %s: webhook events: %w", who, err)
	}
	// USER may itself be a conversation key (a Telegram private chat's is the user's id).
	keys := convs
	if !slices.Contains(keys, who) {
		keys = append(keys, who)
	}
	slices.Sort(keys)
	var sessions []string
	for _, k := range keys {
		had, err := hasSession(ctx, st.sessions, k)
		if err != nil {
			return fmt.Errorf("forget %s: session %s: %w", who, k, err)
		}
		if err := st.sessions.Delete(ctx, k); err != nil {
			return fmt.Errorf("forget %s: session %s: %w", who, k, err)
		}
		if had {
			sessions = append(sessions, k)
		}
	}
	if len(convs) == 0 && len(sessions) == 0 && nClaims == 0 && nEvents == 0 {
		fmt.Fprintf(stdout, "forgot %s: nothing stored\n", who)
		return nil
	}
	logger.Info("customer data erased", "user", who, "conversations", len(keys), "claims", nClaims, "events", nEvents)
	fmt.Fprintf(stdout, "forgot %s: erased %d claim(s), %d webhook event(s), and the cases, transcripts, logs and sessions of %s\n",
		who, nClaims, nEvents, strings.Join(keys, ", "))
	return nil
}

// hasSession reports whether a session is stored under key (an unreadable one counts).
func hasSession(ctx context.Context, st dialog.Store, key string) (bool, error) {
	s, err := st.Load(ctx, key)
	if errors.Is(err, dialog.ErrUnreadable) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return s.Version != 0, nil
}
