package claims_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/policy"
)

// contractID is the claim id form of the external contract (CONTRACT.md).
var contractID = regexp.MustCompile(`^[A-Za-z0-9-]{6,16}$`)

func TestNewID(t *testing.T) {
	// 29^6 ids: among 2000, a repeat comes about once in 300 runs, two about once in 150,000.
	// A generator that repeats at all often repeats far more than once.
	seen, repeats := map[claims.ID]bool{}, 0
	for range 2000 {
		id := claims.NewID()
		if !contractID.MatchString(string(id)) || !strings.HasPrefix(string(id), "R-") {
			t.Fatalf("NewID() = %q, want R- and 6 symbols, 6-16 letters, digits or -", id)
		}
		if strings.ContainsAny(string(id[2:]), "01ILOU") {
			t.Fatalf("NewID() = %q holds an ambiguous character", id)
		}
		if seen[id] {
			repeats++
		}
		seen[id] = true
	}
	if repeats > 1 {
		t.Fatalf("NewID() gave %d repeats within 2000 ids, want at most 1", repeats)
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in      string
		want    claims.ID
		wantErr bool
	}{
		{"R-7K2Q9M", "R-7K2Q9M", false},
		{"  r-7k2q9m\n", "R-7K2Q9M", false},
		{"R-7K2Q9O", "", true},
		{"R-7K", "", true},
		{"R-7K2Q9M7K2Q9M7K2", "", true},
		{"R_7K2Q9M", "", true},
	}
	for _, tt := range tests {
		got, err := claims.ParseID(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseID(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPolicyVersion(t *testing.T) {
	a := claims.PolicyVersion([]byte("return within 14 days"), "")
	tests := []struct {
		raw, setting string
		same         bool
	}{
		{"return within 14 days", "", true},
		{"return within 30 days", "", false},
		{"return within 14 days", "2026-11", false},
	}
	for _, tt := range tests {
		got := claims.PolicyVersion([]byte(tt.raw), tt.setting)
		if (got == a) != tt.same {
			t.Errorf("PolicyVersion(%q, %q) = %q beside %q: same %v, want %v", tt.raw, tt.setting, got, a, got == a, tt.same)
		}
	}
	if got := claims.PolicyVersion([]byte("x"), " v7 "); !strings.HasPrefix(got, "v7@") {
		t.Errorf("PolicyVersion with setting v7 = %q, want it to begin with v7@", got)
	}
}

func TestFromDecisionCopiesClauses(t *testing.T) {
	d := policy.Decision{Outcome: policy.ReturnEligible, Clauses: []policy.Clause{{ID: "return_window", Text: "14 days"}}}
	var r claims.Record
	r.FromDecision(d)
	d.Clauses[0].Text = "edited later"
	if got := r.Clauses[0].Text; got != "14 days" {
		t.Errorf("after editing the decision, the record quotes %q, want %q", got, "14 days")
	}
}

// sample returns records with different answer sets, including cells a spreadsheet would
// read as formulas.
func sample() []claims.Record {
	created := time.Date(2026, 11, 23, 10, 4, 5, 123000000, time.UTC)
	return []claims.Record{
		{
			ID: "R-7K2Q9M", Address: claims.Address{Platform: "telegram", Chat: "42"}, User: "42", UserName: "Alice, \"A\"",
			Language: "en", Answers: map[string]string{"receipt_date": "2026-11-20", "packaging": "intact", "defect": "no", "order_number": "=1+2"},
			Outcome: policy.ReturnEligible, Clauses: []policy.Clause{{ID: "return_window", Text: "Goods may be returned within 14 days."}},
			ReceiptDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), LastReturnDay: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
			PolicyVersion: "v1@3f2a9c01b7de", State: claims.StateDecided, Created: created, Updated: created,
		},
		{
			ID: "R-ABCDEF", Address: claims.Address{Platform: "discord", Chat: "9", Thread: "t1"}, User: "7", Language: "de",
			Answers: map[string]string{"defect": "yes", "defect_details": "geht nicht\nmehr an", "confirm_water": "no"},
			Outcome: policy.Escalated, Reason: policy.ReasonAsked, State: claims.StateClosed, CloseReason: "resolved", CaseID: "C-1", Rating: &claims.Rating{Score: 4},
			PolicyVersion: "3f2a9c01b7de", Created: created.Add(time.Hour), Updated: created.Add(2 * time.Hour),
		},
	}
}

func TestCSVRoundTrip(t *testing.T) {
	in := sample()
	var buf bytes.Buffer
	if err := claims.WriteCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(buf.String(), "\n")
	wantTail := "answer:receipt_date,answer:packaging,answer:defect,answer:defect_details,answer:confirm_water,answer:order_number"
	if !strings.HasSuffix(header, wantTail) {
		t.Errorf("CSV header = %q, want it to end with %q", header, wantTail)
	}
	if strings.Contains(buf.String(), ",=1+2") {
		t.Errorf("CSV holds the formula cell =1+2 unguarded:\n%s", buf.String())
	}
	out, err := claims.ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read back %d records, want %d", len(out), len(in))
	}
	for i := range in {
		got, _ := json.Marshal(out[i])
		want, _ := json.Marshal(in[i])
		if !bytes.Equal(got, want) {
			t.Errorf("record %d read back as\n%s\nwant\n%s", i, got, want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	for _, in := range [][]claims.Record{nil, sample()} {
		var buf bytes.Buffer
		if err := claims.WriteJSON(&buf, in); err != nil {
			t.Fatal(err)
		}
		var out []claims.Record
		if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
			t.Fatalf("WriteJSON wrote invalid JSON: %v\n%s", err, buf.String())
		}
		if len(out) != len(in) {
			t.Fatalf("WriteJSON of %d records reads back as %d", len(in), len(out))
		}
		for i := range in {
			if out[i].ID != in[i].ID || out[i].Answers["defect"] != in[i].Answers["defect"] {
				t.Errorf("record %d reads back as %+v, want %+v", i, out[i], in[i])
			}
		}
	}
}

func TestEventJSONContract(t *testing.T) {
	r := sample()[0]
	e := claims.NewEvent(claims.ClaimDecided, r, time.Date(2026, 11, 23, 10, 4, 5, 999, time.UTC))
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["type"] != "claim.decided" || m["time"] != "2026-11-23T10:04:05Z" || m["id"] == "" {
		t.Errorf("event JSON = %s, want type claim.decided, time 2026-11-23T10:04:05Z and an id", b)
	}
	c, _ := m["claim"].(map[string]any)
	for _, k := range []string{"id", "outcome", "platform", "user", "language", "answers", "clauses", "policy_version"} {
		if _, ok := c[k]; !ok {
			t.Errorf("event claim JSON lacks %q: %s", k, b)
		}
	}
	if c["receipt_date"] != "2026-11-20" || c["last_return_day"] != "2026-12-04" {
		t.Errorf("event claim JSON gives the days as %v and %v, want 2026-11-20 and 2026-12-04", c["receipt_date"], c["last_return_day"])
	}
	if _, ok := c["warranty_end"]; ok {
		t.Errorf("event claim JSON gives an unknown warranty end: %s", b)
	}
	if other := claims.NewEvent(claims.ClaimDecided, r, e.Time); other.ID == e.ID {
		t.Errorf("two events share the id %q", e.ID)
	}
}
