package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/returnsbot/returnsbot/i18n"
)

// runLocales is `returnsbot locales check DIR` and `returnsbot locales default LANG`.
func runLocales(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 2 && args[0] == "default":
		data, err := i18n.DefaultFile(args[1])
		if err != nil {
			return usageError{"locales default: " + err.Error()}
		}
		_, err = stdout.Write(data)
		return err
	case len(args) == 2 && args[0] == "check":
		return checkLocales(args[1], stdout)
	}
	return usageError{"usage: returnsbot locales check DIR | returnsbot locales default LANG (" + strings.Join(i18n.Shipped, " ") + ")"}
}

// checkLocales validates every language file of dir as the bot would load it: a file of a
// shipped language may override some of its texts, a new language must have them all.
func checkLocales(dir string, stdout io.Writer) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return fmt.Errorf("locales check: %w", err)
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("locales check: %w", err)
		}
		return fmt.Errorf("locales check: no language files (*.json) in %s", dir)
	}
	bad := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("locales check: %w", err)
		}
		name := filepath.Base(f)
		override := i18n.HasBuiltin(name)
		problems := i18n.Check(data, name, override)
		if len(problems) == 0 {
			kind := "a new language, complete"
			if override {
				kind = "overrides built-in texts"
			}
			fmt.Fprintf(stdout, "%s: ok (%s)\n", name, kind)
			continue
		}
		bad++
		for _, p := range problems {
			fmt.Fprintf(stdout, "%s: %s\n", name, p)
		}
	}
	if bad > 0 {
		return errors.New("locales check: " + fmt.Sprint(bad) + " of the files have problems")
	}
	return nil
}
