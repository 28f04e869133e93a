package handoff

import (
	"strings"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/internal/safetext"
)

// continuation starts the second and later lines of one transcript entry or relayed
// message, so a line break in a customer's text cannot pass for an entry of its own.
const continuation = "    | "

// relayInText is a customer's message as staff see it in the case threads: labelled with
// its real author (never the case's name: whoever wrote it is who staff read), the text
// neutralised and its continuation lines marked.
func relayInText(lang string, m bot.Message) string {
	who := displayName(m.UserName, m.User)
	if strings.TrimSpace(m.Text) == "" {
		return staffText(lang, "customer_photos", map[string]any{"Name": who, "Number": len(m.Photos)})
	}
	return staffText(lang, "customer_relay", map[string]any{"Name": who, "Text": safetext.Block(m.Text, continuation)})
}
