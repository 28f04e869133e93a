package jsonenc_test

import (
	"encoding/json"
	"testing"

	"github.com/returnsbot/returnsbot/internal/jsonenc"
)

// FuzzAppendString holds AppendString to json.Marshal on any string, valid UTF-8 or not.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f\x7f",
		"Grüße, 你好, 🎉", "\u2028\u2029", "bad \xff\xfe utf-8", "\xed\xa0\x80 surrogate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonenc.AppendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got[1:], want)
		}
	})
}
