// Command returnsbot runs the returns and warranty bot. With no arguments and no platform
// configured it starts a console chat on an in-memory store; see README.md for the rest.
//
//	returnsbot                          console chat, or serve if a platform is configured
//	returnsbot console [--json] [--now TIME] [--lang CODE]
//	returnsbot serve                    run every adapter configured in the environment
//	returnsbot policy check FILE        validate a policy file
//	returnsbot policy default           print the built-in policy file
//	returnsbot diagram                  print the dialog's state diagram (Mermaid)
//	returnsbot case show ID             print a staff case and its transcript (Redis)
//	returnsbot forget USER              erase a customer's claims, cases and sessions (Redis)
//	returnsbot claims export [--since DATE] [--until DATE] [--format csv|json]
//	returnsbot locales check DIR        validate a directory of language files
//	returnsbot locales default LANG     print a built-in language file
//	returnsbot locales default --words LANG   print a built-in answer-word file
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	// Shops name their time zone in the policy file; embed the zone database so that
	// works in minimal containers without one.
	_ "time/tzdata"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/console"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/internal/bounded"
	"github.com/returnsbot/returnsbot/policy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runUntilStopped(ctx, func() error {
		return run(ctx, os.Args[1:], os.Getenv, withContext(ctx, os.Stdin), os.Stdout, os.Stderr)
	})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "returnsbot:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage:
  returnsbot                                  console chat, or serve when a platform is configured
  returnsbot console [--json] [--now TIME] [--lang CODE]
  returnsbot serve                            run the adapters configured in the environment
  returnsbot policy check FILE                validate a policy file
  returnsbot policy default                   print the built-in policy file
  returnsbot diagram                          print the dialog's state diagram (Mermaid)
  returnsbot case show ID                     print a staff case and its transcript (needs REDIS_URL)
  returnsbot forget USER                      erase a customer's claims, cases and sessions (needs REDIS_URL)
  returnsbot claims export [--since DATE] [--until DATE] [--format csv|json]
                                              one row per claim (needs REDIS_URL)
  returnsbot locales check DIR                validate a directory of language files (LOCALES_DIR)
  returnsbot locales default LANG             print a built-in language file, a start for your own
  returnsbot locales default --words LANG     print a built-in answer-word file, a start for your own`

// run is the whole program, with its environment passed in so tests can run it in process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "help" && args[0] != "-h" && args[0] != "--help") {
		if err := checkEnv(getenv); err != nil {
			return err
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(getenv("LOG_LEVEL"))}))
	if len(args) == 0 {
		if platformsConfigured(getenv) {
			return serve(ctx, getenv, logger)
		}
		return runConsole(ctx, nil, getenv, stdin, stdout, logger)
	}
	switch args[0] {
	case "console":
		return runConsole(ctx, args[1:], getenv, stdin, stdout, logger)
	case "serve":
		return serve(ctx, getenv, logger)
	case "policy":
		return runPolicy(ctx, args[1:], stdout)
	case "diagram":
		// The shop's own questions change the machine: draw the one POLICY_FILE makes.
		p, err := loadPolicyAs(ctx, "POLICY_FILE", getenv("POLICY_FILE"))
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, dialog.NewEngine(p).Diagram())
		return err
	case "case":
		return runCase(ctx, args[1:], getenv, stdout, logger)
	case "forget":
		return runForget(ctx, args[1:], getenv, stdout, logger)
	case "claims":
		return runClaims(ctx, args[1:], getenv, stdout, logger)
	case "locales":
		return runLocales(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q\n%s", args[0], usage)}
}

func runConsole(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("console", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "speak the line-delimited JSON protocol")
	nowFlag := fs.String("now", "", "fix the bot's clock: 2026-11-23 or RFC 3339")
	lang := fs.String("lang", "", "language of the dialog (default English)")
	user := fs.String("user", "you", "the customer's name in a chat")
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("console: %v\n%s", err, usage)}
	}
	clock, err := parseNow(*nowFlag)
	if err != nil {
		return usageError{fmt.Sprintf("console --now: %v", err)}
	}
	svc, st, err := newService(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer st.close()
	if *lang != "" && !dialog.HasLanguage(*lang) {
		return usageError{fmt.Sprintf("console --lang: no translation for %q (have %s)", *lang, strings.Join(i18n.Current().Languages(), " "))}
	}
	deliverer, err := newDeliverer(getenv, svc.Outbox, logger)
	if err != nil {
		return err
	}
	svc.Now = clock
	if *lang != "" {
		svc.Lang = *lang
	}
	if *nowFlag != "" {
		svc.Engine.SetClaimIDs(fixedClaimIDs(clock()))
	}
	serveConsole := func() error { return console.ServeChat(ctx, svc, *user, stdin, stdout) }
	if *asJSON {
		serveConsole = func() error { return console.ServeJSON(ctx, svc, stdin, stdout) }
	}
	if err := serveConsole(); err != nil && (ctx.Err() == nil || !errors.Is(err, context.Canceled)) {
		return err
	}
	if ctx.Err() == nil { // end of input: deliver what the outbox holds, bounded
		flushWebhooks(ctx, deliverer, logger)
	}
	return nil // end of input, or stopped by a signal as serve is
}

// newService builds the dialog service from the environment: the policy from POLICY_FILE
// (or the default) and the stores from REDIS_URL (or memory). It returns the stores too,
// for the staff desk's cases and for closing them once.
func newService(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*bot.Service, *storage, error) {
	cat, err := loadLocales(getenv)
	if err != nil {
		return nil, nil, err
	}
	for lang, ids := range cat.Incomplete() {
		logger.Warn("LOCALES_DIR: a language lacks texts; they are said in the default language (see returnsbot locales check)",
			"language", lang, "default", cat.Default(), "missing", len(ids), "first", ids[0])
	}
	pol, version, err := loadPolicyVersion(ctx, "POLICY_FILE", getenv("POLICY_FILE"))
	if err != nil {
		return nil, nil, err
	}
	st, err := openStorage(ctx, getenv, logger)
	if err != nil {
		return nil, nil, err
	}
	svc := &bot.Service{Engine: dialog.NewEngine(pol), Store: st.sessions, Log: logger}
	if cat.Default() != "en" {
		svc.Lang = cat.Default()
	}
	wireClaims(svc, st, version, getenv)
	return svc, st, nil
}

// loadLocales makes the catalogs of package i18n and the answer words of the dialog's
// readers the built-in ones plus the shop's LOCALES_DIR, with DEFAULT_LANGUAGE the
// language for customers whose own the bot lacks.
func loadLocales(getenv func(string) string) (*i18n.Catalog, error) {
	dir, def := getenv("LOCALES_DIR"), getenv("DEFAULT_LANGUAGE")
	cat := i18n.Builtin()
	if dir != "" || def != "" {
		var err error
		if cat, err = i18n.New(i18n.Options{Dir: dir, Default: def}); err != nil {
			return nil, usageError{err.Error()}
		}
	}
	if err := loadWords(dir); err != nil {
		return nil, usageError{err.Error()}
	}
	i18n.Use(cat)
	return cat, nil
}

// loadPolicyAs loads the policy at path (the built-in one if empty), its errors starting
// with what, the setting or command.
func loadPolicyAs(ctx context.Context, what, path string) (*policy.Policy, error) {
	p, _, err := loadPolicyVersion(ctx, what, path)
	return p, err
}

// loadPolicyVersion loads the policy and names its version for claim records: its
// `version:` setting and a hash of the file.
func loadPolicyVersion(ctx context.Context, what, path string) (*policy.Policy, string, error) {
	if path == "" {
		p := policy.Default()
		return p, claims.PolicyVersion([]byte(policy.DefaultFile()), p.Version), nil
	}
	data, err := bounded.ReadFile(ctx, path, maxPolicyBytes)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", what, err)
	}
	p, err := policy.Parse(string(data))
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", what, path, err)
	}
	raw := append([]byte(nil), data...) // the version hashes the translations too: they are quoted
	for _, ref := range p.TranslationFiles {
		file := ref.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(filepath.Dir(path), file)
		}
		data, err := bounded.ReadFile(ctx, file, maxPolicyBytes)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s line %d: translation %s: %w", what, path, ref.Line, ref.Lang, err)
		}
		t, err := policy.ParseTranslation(p, ref.Lang, string(data))
		if err != nil {
			return nil, "", fmt.Errorf("%s %s line %d: translation %s (%s): %w", what, path, ref.Line, ref.Lang, file, err)
		}
		p.AddTranslation(t)
		raw = append(append(raw, 0), data...)
	}
	return p, claims.PolicyVersion(raw, p.Version), nil
}

func runPolicy(ctx context.Context, args []string, stdout io.Writer) error {
	switch {
	case len(args) == 1 && args[0] == "default":
		_, err := io.WriteString(stdout, policy.DefaultFile())
		return err
	case len(args) == 2 && args[0] == "check":
		p, err := loadPolicyAs(ctx, "policy check", args[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: ok: return window %d days, warranty %d months, %d exclusions, time zone %s\n",
			args[1], p.ReturnWindowDays, p.WarrantyMonths, len(p.Exclusions), p.Location)
		if p.Contact != "" {
			fmt.Fprintf(stdout, "contact: %s\n", p.Contact)
		} else {
			fmt.Fprintln(stdout, "contact: none; without a staff desk, customers who ask for a person cannot be told how to reach the shop")
		}
		if langs := p.Translations(); len(langs) > 0 {
			fmt.Fprintf(stdout, "translations: %s (every clause and exclusion mapped)\n", strings.Join(langs, " "))
		}
		for _, w := range p.Warnings() {
			fmt.Fprintln(stdout, "warning:", w)
		}
		return nil
	}
	return usageError{"usage: returnsbot policy check FILE | returnsbot policy default"}
}

// parseNow returns a clock fixed at s (a date or RFC 3339 time), or the real clock.
func parseNow(s string) (func() time.Time, error) {
	if s == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		var derr error
		t, derr = time.Parse(time.DateOnly, s)
		if derr != nil {
			return nil, fmt.Errorf("want 2026-11-23 or 2026-11-23T10:00:00Z, got %q", s)
		}
		t = t.Add(12 * time.Hour) // midday, so the date is the same in every time zone
	}
	return func() time.Time { return t }, nil
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return slog.LevelInfo
	}
	return l
}
