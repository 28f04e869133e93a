package telegramtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestParseHTML(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"plain", "plain", true},
		{"<b>bold</b> &amp; &lt;tag&gt; &quot;q&quot; &#34;n&#34;", `bold & <tag> "q" "n"`, true},
		{"<blockquote>clause</blockquote>", "clause", true},
		{"a < b", "", false},
		{"fish & chips", "", false},
		{"<b>unclosed", "", false},
		{"<b><i>crossed</b></i>", "", false},
		{"<script>x</script>", "", false},
		{"&nbsp;", "", false},
	}
	for _, tc := range tests {
		got, err := parseHTML(tc.raw)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseHTML(%q): got %q, %v, want %q, ok=%v", tc.raw, got, err, tc.want, tc.ok)
		}
	}
}

// call makes a Bot API call with URL parameters and decodes the result.
func call(t *testing.T, s *Server, token, method, query string) (ok bool, code int, result json.RawMessage) {
	t.Helper()
	resp, err := http.Post(s.URL+"/bot"+token+"/"+method+"?"+query, "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		OK        bool            `json:"ok"`
		ErrorCode int             `json:"error_code"`
		Result    json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.OK, r.ErrorCode, r.Result
}

func TestGetUpdatesOffset(t *testing.T) {
	s := NewServer(t, "")
	c := Private(1, "A", "")
	first := s.Text(c, "one")
	s.Text(c, "two")

	ids := func(raw json.RawMessage) []int64 {
		var us []struct {
			ID int64 `json:"update_id"`
		}
		json.Unmarshal(raw, &us)
		var out []int64
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	_, _, res := call(t, s, Token, "getUpdates", "")
	if got := ids(res); len(got) != 2 {
		t.Fatalf("getUpdates without offset: got %v, want both updates", got)
	}
	_, _, res = call(t, s, Token, "getUpdates", "offset="+itoa(first))
	if got := ids(res); len(got) != 2 {
		t.Errorf("offset = first id: got %v, want both (nothing confirmed)", got)
	}
	_, _, res = call(t, s, Token, "getUpdates", "offset="+itoa(first+1))
	if got := ids(res); len(got) != 1 || got[0] != first+1 {
		t.Errorf("offset = first+1: got %v, want [%d]", got, first+1)
	}
	if s.Pending() != 1 {
		t.Errorf("pending after confirming the first: got %d, want 1", s.Pending())
	}
	if ok, code, _ := call(t, s, "1:bad", "getMe", ""); ok || code != 401 {
		t.Errorf("wrong token: got ok=%v code=%d, want 401", ok, code)
	}
	s.Fail("getMe", TooManyRequests(3))
	if ok, code, _ := call(t, s, Token, "getMe", ""); ok || code != 429 {
		t.Errorf("queued failure: got ok=%v code=%d, want 429", ok, code)
	}
	if ok, _, _ := call(t, s, Token, "getMe", ""); !ok {
		t.Errorf("after the failure: got an error, want getMe to succeed")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
