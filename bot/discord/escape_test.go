package discord_test

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/returnsbot/returnsbot/bot/discord"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, no marks.", "plain text, no marks."},
		{"**water** _x_ ~~y~~ `z` ||spoiler||", `\*\*water\*\* \_x\_ \~\~y\~\~ \` + "`" + `z\` + "`" + ` \|\|spoiler\|\|`},
		{`back\slash`, `back\\slash`},
		{"[click](https://evil.example)", `\[click\](https://evil.example)`},
		{"@everyone and @here and @Everyone", "@\u200beveryone and @\u200bhere and @\u200bEveryone"},
		{"mail me@example.com", "mail me@example.com"},
		{"<@123> <@&456> <#789> <:e:1> <t:0> </cmd:1>", "<\u200b@123> <\u200b@&456> <\u200b#789> <\u200b:e:1> <\u200bt:0> <\u200b/cmd:1>"},
		{"I <3 it", "I <3 it"},
		{"> quote\n# head\n- item\n+ item\n  -# small", "\\> quote\n\\# head\n\\- item\n\\+ item\n  \\-# small"},
		{"1. first\n22. second\n3 apples", "1\\. first\n22\\. second\n3 apples"},
		{"a - b # c > d 1. e", "a - b # c > d 1. e"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := discord.Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q):\ngot  %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func FuzzEscapeReversible(f *testing.F) {
	f.Add("**water** @everyone <@1> 1. x")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // not an input the function is given
		}
		e := discord.Escape(s)
		// Removing the escapes gives the text back: escaping only adds.
		plain := strings.ReplaceAll(e, "\u200b", "")
		var b strings.Builder
		for i := 0; i < len(plain); i++ {
			if plain[i] == '\\' && i+1 < len(plain) {
				i++
			}
			b.WriteByte(plain[i])
		}
		if want := strings.ReplaceAll(s, "\u200b", ""); b.String() != want {
			t.Errorf("unescape(Escape(%q)) = %q", s, b.String())
		}
		if len(utf16.Encode([]rune(e))) < len(utf16.Encode([]rune(s))) {
			t.Errorf("Escape shortened %q", s)
		}
	})
}
