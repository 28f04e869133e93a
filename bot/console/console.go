// Package console is the adapter for a terminal: a human chat on stdin and stdout, or the
// line-delimited JSON protocol of CONTRACT.md that scripts and acceptance checks drive.
package console

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// Platform is the Address.Platform of console conversations.
const Platform = "console"

// maxLine bounds one input line. Longer lines are answered with an error and skipped, so a
// runaway producer cannot exhaust memory.
const maxLine = 1 << 20

// Input is one line of the JSON protocol.
type Input struct {
	User   string `json:"user"`
	Text   string `json:"text,omitempty"`
	Button string `json:"button,omitempty"`
}

// Output is one bot message in the JSON protocol. Awaiting and Decision are always
// written ("" and null when unset), Buttons always as an array.
type Output struct {
	User     string           `json:"user"`
	Text     string           `json:"text"`
	Buttons  []dialog.Button  `json:"buttons"`
	Awaiting string           `json:"awaiting"`
	Decision *policy.Decision `json:"decision"`
}

// ServeJSON reads one JSON Input per line from r and writes every reply as one JSON Output
// line to w, flushed after each input. Bad lines get {"error": "..."} and the session goes
// on. It returns nil at the end of input, or the context's error.
func ServeJSON(ctx context.Context, h bot.Handler, r io.Reader, w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var werr error // the first failure to write, which ends the session
	write := func(v any) error {
		if err := enc.Encode(v); err != nil && werr == nil {
			werr = err
		}
		return werr
	}
	d := newDispatcher(h, func(_ context.Context, out []bot.Outbound) error {
		for _, o := range out {
			if err := write(toOutput(o)); err != nil {
				return err
			}
		}
		return nil
	})
	defer d.Close()
	return eachLine(ctx, r, func(line string, tooLong bool) error {
		if strings.TrimSpace(line) == "" && !tooLong {
			return nil
		}
		var in Input
		switch err := json.Unmarshal([]byte(line), &in); {
		case tooLong:
			return enc.Encode(errorLine{fmt.Sprintf("line longer than %d bytes skipped", maxLine)})
		case err != nil:
			return enc.Encode(errorLine{"not a JSON object: " + err.Error()})
		case in.User == "":
			return enc.Encode(errorLine{`missing "user"`})
		}
		m := bot.Message{
			From: bot.Address{Platform: Platform, Chat: in.User}, User: in.User,
			Text: in.Text, Button: in.Button,
		}
		do(d, m, func(hctx context.Context) error {
			out, err := h.Handle(hctx, m)
			if err != nil && len(out) == 0 {
				return write(errorLine{err.Error()})
			}
			for _, o := range out {
				if err := write(toOutput(o)); err != nil {
					return err
				}
			}
			return nil
		})
		return werr
	})
}

type errorLine struct {
	Error string `json:"error"`
}

func toOutput(o bot.Outbound) Output {
	buttons := o.Buttons
	if buttons == nil {
		buttons = []dialog.Button{}
	}
	return Output{User: o.To.Chat, Text: o.Text, Buttons: buttons, Awaiting: o.Awaiting, Decision: o.Decision}
}

// ServeChat runs a chat for one person in a terminal: it prints the bot's messages with
// numbered buttons, and reads typed lines, where a number presses the button it names.
func ServeChat(ctx context.Context, h bot.Handler, user string, r io.Reader, w io.Writer) error {
	var buttons []dialog.Button
	show := func(out []bot.Outbound) {
		for _, o := range out {
			buttons = o.Buttons
			fmt.Fprintf(w, "\nbot> %s\n", strings.ReplaceAll(o.Text, "\n", "\n     "))
			for i, b := range o.Buttons {
				fmt.Fprintf(w, "     [%d] %s\n", i+1, b.Label)
			}
		}
	}
	d := newDispatcher(h, func(_ context.Context, out []bot.Outbound) error { show(out); return nil })
	defer d.Close()
	send := func(m bot.Message) error {
		do(d, m, func(hctx context.Context) error {
			out, err := h.Handle(hctx, m)
			show(out)
			if err != nil && len(out) == 0 {
				fmt.Fprintf(w, "error: %v\n", err)
			}
			return nil
		})
		fmt.Fprint(w, "\nyou> ")
		return nil
	}
	from := bot.Address{Platform: Platform, Chat: user}
	fmt.Fprintln(w, "returnsbot console. Type your message and press Enter; a number presses a button. Ctrl-D quits.")
	if err := send(bot.Message{From: from, User: user, Text: "/start"}); err != nil {
		return err
	}
	return eachLine(ctx, r, func(line string, tooLong bool) error {
		m := bot.Message{From: from, User: user, Text: line}
		if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && n >= 1 && n <= len(buttons) {
			m.Text, m.Button = "", buttons[n-1].ID
		}
		if tooLong {
			m.Text = strings.Repeat("x", dialog.MaxTextLen+1) // the dialog explains the limit
		}
		return send(m)
	})
}

// eachLine calls fn for every line of r until the end of input or ctx is done. A line over
// maxLine is passed as empty with tooLong set, and reading goes on after it.
func eachLine(ctx context.Context, r io.Reader, fn func(line string, tooLong bool) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, tooLong, err := readLine(br)
		if errors.Is(err, io.EOF) && line == "" && !tooLong {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read console input: %w", err)
		}
		if ferr := fn(line, tooLong); ferr != nil {
			return fmt.Errorf("write console output: %w", ferr)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// readLine reads a line without its end of line; past maxLine it discards the rest.
func readLine(br *bufio.Reader) (string, bool, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := br.ReadLine()
		if b.Len()+len(chunk) <= maxLine {
			b.Write(chunk)
		} else {
			b.Reset()
			for isPrefix && err == nil {
				_, isPrefix, err = br.ReadLine()
			}
			return "", true, err
		}
		if err != nil || !isPrefix {
			return b.String(), false, err
		}
	}
}
