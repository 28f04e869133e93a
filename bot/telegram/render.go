package telegram

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/dialog"
)

// Replies are sent in HTML parse mode: every piece of text is escaped with
// html.EscapeString, and the policy clauses a decision quotes become blockquotes, so the
// quotation stands out and its words stay exactly the policy's.

// maxCallbackData is Telegram's limit on callback_data, in bytes.
const maxCallbackData = 64

// maxChunk is how many characters of plain text go in one message. Telegram allows 4096
// after parsing; the margin leaves room for a split inside a paragraph.
const maxChunk = 4000

// ErrButtonID is wrapped by the error Send returns for a button id Telegram cannot carry.
var ErrButtonID = errors.New("button id unusable as callback_data")

// render turns a reply's text into HTML messages, in order, each at most
// maxChunk characters of text.
func render(r dialog.Reply) []string {
	var quotes []string
	if r.Decision != nil {
		for _, c := range r.Decision.Clauses {
			quotes = append(quotes, c.Text)
		}
	}
	var out []string
	for _, chunk := range split(r.Text, maxChunk) {
		out = append(out, renderHTML(chunk, quotes))
	}
	return out
}

// renderHTML escapes text, setting the paragraphs that quote a clause (“…”) as blockquotes.
func renderHTML(text string, quotes []string) string {
	var b strings.Builder
	rest := text
	for _, q := range quotes {
		quoted := "“" + q + "”"
		i := strings.Index(rest, quoted)
		if i < 0 {
			continue
		}
		b.WriteString(html.EscapeString(rest[:i]))
		b.WriteString("<blockquote>" + html.EscapeString(q) + "</blockquote>")
		rest = strings.TrimPrefix(rest[i+len(quoted):], "\n")
	}
	b.WriteString(html.EscapeString(rest))
	return b.String()
}

// split cuts text into pieces of at most limit characters, at paragraph breaks where it
// can, else at line breaks or spaces, else anywhere between characters.
func split(text string, limit int) []string {
	var out []string
	for utf8.RuneCountInString(text) > limit {
		cut := byteIndexOfRune(text, limit)
		head := text[:cut]
		at := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i > 0 {
				at = i
				break
			}
		}
		if at <= 0 {
			at = cut
		}
		out = append(out, strings.TrimRight(text[:at], " \n"))
		text = strings.TrimLeft(text[at:], " \n")
	}
	if strings.TrimSpace(text) != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

func byteIndexOfRune(s string, n int) int {
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// maxRowChars is how many label characters fit side by side on a phone.
const maxRowChars = 24

// keyboard lays out buttons as an inline keyboard: short labels share a row (Yes | No),
// long ones get a row each. It returns nil for no buttons.
func keyboard(buttons []dialog.Button) (*models.InlineKeyboardMarkup, error) {
	if len(buttons) == 0 {
		return nil, nil
	}
	var rows [][]models.InlineKeyboardButton
	var row []models.InlineKeyboardButton
	width := 0
	for _, b := range buttons {
		if err := checkButtonID(b.ID); err != nil {
			return nil, err
		}
		w := utf8.RuneCountInString(b.Label)
		if len(row) > 0 && (width+w > maxRowChars || len(row) == 3) {
			rows, row, width = append(rows, row), nil, 0
		}
		row = append(row, models.InlineKeyboardButton{Text: b.Label, CallbackData: b.ID})
		width += w
	}
	rows = append(rows, row)
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}, nil
}

func checkButtonID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrButtonID)
	case len(id) > maxCallbackData:
		return fmt.Errorf("%w: %q is %d bytes, Telegram allows %d", ErrButtonID, id, len(id), maxCallbackData)
	case !utf8.ValidString(id):
		return fmt.Errorf("%w: %q is not UTF-8", ErrButtonID, id)
	}
	return nil
}
