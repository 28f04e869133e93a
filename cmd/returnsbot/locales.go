package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/returnsbot/returnsbot/dialog/understand"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/internal/bounded"
)

// wordsSuffix ends the name of a shop's answer-word file in LOCALES_DIR: nl.words.txt.
const wordsSuffix = ".words.txt"

// runLocales is `returnsbot locales check DIR`, `returnsbot locales default LANG` and
// `returnsbot locales default --words LANG`.
func runLocales(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 2 && args[0] == "default":
		data, err := i18n.DefaultFile(args[1])
		if err != nil {
			return usageError{"locales default: " + err.Error()}
		}
		_, err = stdout.Write(data)
		return err
	case len(args) == 3 && args[0] == "default" && args[1] == "--words":
		data, err := understand.BuiltinFile(args[2])
		if err != nil {
			return usageError{"locales default --words: " + err.Error()}
		}
		_, err = stdout.Write(data)
		return err
	case len(args) == 2 && args[0] == "check":
		return checkLocales(args[1], stdout)
	}
	return usageError{"usage: returnsbot locales check DIR | returnsbot locales default [--words] LANG (" + strings.Join(i18n.Shipped, " ") + ")"}
}

// localeDir is what a shop's LOCALES_DIR holds: its catalogs (<code>.json) and its
// answer-word files (<code>.words.txt), by base language code.
type localeDir struct {
	catalogs  map[string]string // code -> file name
	words     map[string][]byte // code -> the file's text
	wordFiles map[string]string // code -> file name
}

// readLocaleDir lists the catalogs of dir and reads its word files (each bounded as a
// catalog is); package i18n reads the catalogs themselves.
func readLocaleDir(dir string) (*localeDir, error) {
	d := &localeDir{catalogs: map[string]string{}, words: map[string][]byte{}, wordFiles: map[string]string{}}
	catalogs, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	for _, f := range catalogs {
		if code, ok := i18n.FileLanguage(f); ok {
			d.catalogs[code] = filepath.Base(f)
		}
	}
	words, err := filepath.Glob(filepath.Join(dir, "*"+wordsSuffix))
	if err != nil {
		return nil, err
	}
	if len(catalogs) == 0 && len(words) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, err
		}
	}
	for _, f := range words {
		name := filepath.Base(f)
		code, ok := i18n.BaseCode(strings.TrimSuffix(name, wordsSuffix))
		if !ok {
			return nil, fmt.Errorf("%s: name a word file by its language, like nl%s", name, wordsSuffix)
		}
		if other, dup := d.wordFiles[code]; dup {
			return nil, fmt.Errorf("%s and %s are both words of %s: keep one", other, name, code)
		}
		data, err := bounded.ReadFile(context.Background(), f, i18n.MaxFileBytes)
		if err != nil {
			return nil, err
		}
		d.words[code], d.wordFiles[code] = data, name
	}
	return d, nil
}

// unpaired says, by file name, which languages of d have texts but no answer words or
// answer words but no texts: a language needs both, the built-in ones count.
func (d *localeDir) unpaired() map[string]string {
	out := map[string]string{}
	for code, name := range d.catalogs {
		if _, ok := d.words[code]; !ok && !understand.HasBuiltin(code) {
			out[name] = fmt.Sprintf("a new language needs its answer words too: add %s%s (start from `returnsbot locales default --words en`)", code, wordsSuffix)
		}
	}
	for code, name := range d.wordFiles {
		if _, ok := d.catalogs[code]; !ok && !i18n.HasBuiltin(code+".json") {
			out[name] = fmt.Sprintf("no texts for %s: add %s.json (start from `returnsbot locales default en`)", code, code)
		}
	}
	return out
}

// loadWords makes the dialog's readers read with the built-in answer words and, when dir
// is set, the shop's word files in it; it refuses a language with texts but no words or
// the reverse, as `locales check` does.
func loadWords(dir string) error {
	if dir == "" {
		understand.Use(nil)
		return nil
	}
	d, err := readLocaleDir(dir)
	if err != nil {
		return fmt.Errorf("LOCALES_DIR: %w", err)
	}
	if bad := d.unpaired(); len(bad) > 0 {
		names := make([]string, 0, len(bad))
		for name := range bad {
			names = append(names, name)
		}
		sort.Strings(names)
		return fmt.Errorf("LOCALES_DIR %s: %s: %s", dir, names[0], bad[names[0]])
	}
	w, err := understand.NewWords(d.words)
	if err != nil {
		return fmt.Errorf("LOCALES_DIR %s: %w", dir, err)
	}
	understand.Use(w)
	return nil
}

// checkLocales validates every language file of dir as the bot would load it: a file of a
// shipped language may override some of its texts or word sections, a new language must
// have every text and every word section, in a catalog and a word file both.
func checkLocales(dir string, stdout io.Writer) error {
	d, err := readLocaleDir(dir)
	if err != nil {
		return fmt.Errorf("locales check: %w", err)
	}
	if len(d.catalogs) == 0 && len(d.words) == 0 {
		return fmt.Errorf("locales check: no language files (*.json, *%s) in %s", wordsSuffix, dir)
	}
	unpaired := d.unpaired()
	problems := map[string][]string{}
	kinds := map[string]string{}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return fmt.Errorf("locales check: %w", err)
	}
	for _, f := range files {
		data, err := bounded.ReadFile(context.Background(), f, i18n.MaxFileBytes)
		if err != nil {
			return fmt.Errorf("locales check: %w", err)
		}
		name := filepath.Base(f)
		override := i18n.HasBuiltin(name)
		problems[name] = i18n.Check(data, name, override)
		kinds[name] = "a new language, complete"
		if override {
			kinds[name] = "overrides built-in texts"
		}
	}
	for code, name := range d.wordFiles {
		problems[name] = understand.Check(code, d.words[code])
		kinds[name] = "a new language's answer words, complete"
		if understand.HasBuiltin(code) {
			kinds[name] = "replaces built-in answer words"
		}
	}
	names := make([]string, 0, len(problems))
	for name := range problems {
		names = append(names, name)
	}
	sort.Strings(names)
	bad := 0
	for _, name := range names {
		p := problems[name]
		if u, ok := unpaired[name]; ok {
			p = append(p, u)
		}
		if len(p) == 0 {
			fmt.Fprintf(stdout, "%s: ok (%s)\n", name, kinds[name])
			continue
		}
		bad++
		for _, line := range p {
			fmt.Fprintf(stdout, "%s: %s\n", name, line)
		}
	}
	if bad > 0 {
		return errors.New("locales check: " + fmt.Sprint(bad) + " of the files have problems")
	}
	return nil
}
