package dialog_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// checkAppendJSON fails t unless s.AppendJSON writes exactly what json.Marshal does: the
// two encoders must stay interchangeable for the sessions already stored.
func checkAppendJSON(t *testing.T, s *dialog.Session) {
	t.Helper()
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.AppendJSON(nil); !bytes.Equal(got, want) {
		t.Errorf("AppendJSON differs from json.Marshal\n got %s\nwant %s", got, want)
	}
}

func TestAppendJSON(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name string
		s    *dialog.Session
	}{
		{"nil", nil},
		{"empty", &dialog.Session{}},
		{"version only", &dialog.Session{Version: 42}},
		{"state only", &dialog.Session{State: dialog.StateNew}},
		{"answers only", &dialog.Session{Answers: dialog.Answers{Receipt: dialog.ReceiptPending}}},
		{"after answers only", &dialog.Session{Updated: 1}},
		{"full", &dialog.Session{
			Version: 7,
			State:   dialog.StateDecided,
			Answers: dialog.Answers{
				Receipt:        "2026-05-12",
				Packaging:      policy.PackagingIntact,
				CarrierChecked: &yes,
				Defect:         &no,
				Details:        "it stopped heating",
				Exclusions:     map[string]bool{"seals": false, "misuse": true},
				Photos:         []string{"ph1", "ph2"},
				Shop:           map[string]string{"order_number": "AB123456", "product": "kettle"},
			},
			Misses:    2,
			Lang:      "de",
			Outcome:   policy.WarrantyRepair,
			DecidedAt: 1_780_000_000,
			Resume:    dialog.StateDefect,
			Reason:    "customer asked for a human",
			Claim:     "R-7K2Q9M",
			Seen:      []string{"m1", "m2", "m3"},
			Updated:   1_780_000_123,
		}},
		{"negative and extreme ints", &dialog.Session{DecidedAt: -1, Updated: -1 << 63}},
		{"max int", &dialog.Session{DecidedAt: 1<<63 - 1}},
		{"false pointers", &dialog.Session{Answers: dialog.Answers{CarrierChecked: &no, Defect: &no}}},
		{"true pointers", &dialog.Session{Answers: dialog.Answers{CarrierChecked: &yes, Defect: &yes}}},
		{"quotes and backslashes", &dialog.Session{Answers: dialog.Answers{Details: `he said "it's \broken\" \\`}}},
		{"control characters", &dialog.Session{Answers: dialog.Answers{
			Details: "\x00\x01\b\t\n\v\f\r\x0e\x1b\x1f\x7f end"}}},
		{"html", &dialog.Session{Reason: `<script>alert("x")</script> & more`}},
		{"line and paragraph separators", &dialog.Session{Lang: "a\u2028b\u2029c\u202a"}},
		{"invalid utf-8", &dialog.Session{Answers: dialog.Answers{Details: "\xff\xfe ok \xc3 \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80"}}},
		{"invalid utf-8 at the end", &dialog.Session{State: "abc\xe2\x82"}},
		{"utf-8 and emoji", &dialog.Session{Answers: dialog.Answers{Details: "Kaffee über die Tastatur ☕ 🔥👍🏽 日本"}}},
		{"replacement character itself", &dialog.Session{State: "\ufffd"}},
		{"map with several keys", &dialog.Session{Answers: dialog.Answers{Exclusions: map[string]bool{
			"wear": true, "accident": false, "seals": true, "power": false, "software": true,
			"Zeta": false, "": true, "a\"b": false, "<&>": true, "é": false, "\xff": true,
		}}}},
		{"map with more keys than the stack array", &dialog.Session{Answers: dialog.Answers{Exclusions: manyKeys(40)}}},
		{"shop answers with escapes", &dialog.Session{Answers: dialog.Answers{Shop: map[string]string{
			"order_number": "AB<123>&\"456\"", "product": "Kaffeemaschine ☕", "": "\xff\u2028", "z": "",
		}}}},
		{"shop answers with more keys than the stack array", &dialog.Session{Answers: dialog.Answers{Shop: manyAnswers(40)}}},
		{"misses only", &dialog.Session{Misses: 3}},
		{"empty non-nil map and slices", &dialog.Session{
			Answers: dialog.Answers{Exclusions: map[string]bool{}, Photos: []string{}},
			Seen:    []string{},
		}},
		{"empty strings in slices", &dialog.Session{
			Answers: dialog.Answers{Photos: []string{""}},
			Seen:    []string{"", ""},
		}},
		{"escapes in slices", &dialog.Session{
			Answers: dialog.Answers{Photos: []string{"a\nb", "<img>"}},
			Seen:    []string{"id\"1", "id\\2", "\u2029"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAppendJSON(t, tt.s)
		})
	}
}

func manyKeys(n int) map[string]bool {
	m := make(map[string]bool, n)
	for i := range n {
		m[fmt.Sprintf("exclusion_%d", i)] = i%3 == 0
	}
	return m
}

func manyAnswers(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("question_%d", i)] = fmt.Sprintf("answer <%d>", i)
	}
	return m
}

// TestStoredSessionsStillLoad decodes a session as the code before the question table
// stored it (a rolling upgrade runs old and new instances on one store): every field
// reads back, the new code writes it back byte for byte, and the dialog goes on.
func TestStoredSessionsStillLoad(t *testing.T) {
	const stored = `{"s":"confirm_exclusion","a":{"r":"2026-05-12","p":"intact","d":true,"t":"It stopped heating","ph":["p1"]},"l":"de","n":["m1","m2"],"u":1780000123}`
	var s dialog.Session
	if err := json.Unmarshal([]byte(stored), &s); err != nil {
		t.Fatal(err)
	}
	if got := string(s.AppendJSON(nil)); got != stored {
		t.Fatalf("re-encoded as %s, want %s", got, stored)
	}
	e := dialog.NewEngine(policy.Default())
	r := e.Step(&s, dialog.Input{Button: "confirm_seals:yes"}, now)
	if last := r[len(r)-1]; last.Awaiting != dialog.StateSummary || !strings.Contains(last.Text, "It stopped heating") {
		t.Fatalf("after the stored session's question: %+v, want the read-back", r)
	}
	r = e.Step(&s, dialog.Input{Button: "confirm_summary:yes"}, now)
	if d := r[len(r)-1].Decision; d == nil || d.Outcome != policy.WarrantyRepair {
		t.Fatalf("decision %+v, want warranty_repair", r)
	}
}

func TestAppendJSONAppends(t *testing.T) {
	s := &dialog.Session{State: dialog.StateDefect, Answers: dialog.Answers{Details: "x"}}
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	prefix := []byte("SET key ")
	buf := slices.Clip(bytes.Clone(prefix)) // full, so the prefix must survive a grow
	got := s.AppendJSON(buf)
	if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Errorf("AppendJSON(%q) = %q, want the prefix followed by %s", prefix, got, want)
	}

	// With room to spare the prefix must survive too, and nothing beyond it be moved.
	buf = make([]byte, len(prefix), 1024)
	copy(buf, prefix)
	got = s.AppendJSON(buf)
	if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Errorf("AppendJSON(%q) = %q, want the prefix followed by %s", prefix, got, want)
	}
	if &got[0] != &buf[0] {
		t.Error("AppendJSON reallocated a buffer that had room")
	}
}

// TestAppendJSONCoversEveryField sets every field, found by reflection, to a value that is
// not empty: a field added to Session or Answers without teaching AppendJSON about it
// then shows up in json.Marshal's output only.
func TestAppendJSONCoversEveryField(t *testing.T) {
	var s dialog.Session
	fill(t, reflect.ValueOf(&s).Elem(), "Session")
	checkAppendJSON(t, &s)
}

func fill(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(path + ` "value" <&>`)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(len(path)) + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(len(path)) + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(len(path)) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), path)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(t, v.Index(0), path+"[0]")
		fill(t, v.Index(1), path+"[1]")
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for _, k := range []string{"b", "a"} {
			key := reflect.New(v.Type().Key()).Elem()
			fill(t, key, path+"."+k)
			val := reflect.New(v.Type().Elem()).Elem()
			fill(t, val, path+"["+k+"]")
			v.SetMapIndex(key, val)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				fill(t, v.Field(i), path+"."+f.Name)
			}
		}
	default:
		t.Fatalf("%s: cannot fill a %s; teach fill and AppendJSON about it", path, v.Type())
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("defect_details", "de", "warranty_repair", "defect", "asked for a human",
		"2026-05-12", "intact", "it stopped heating after I spilled water on it",
		"m1\xffm2\xffm3", "photo1\xffphoto2", "seals\xffmisuse\xffwear",
		int64(1_780_000_000), int64(1_780_000_123), uint16(0xffff))
	f.Add("", "", "", "", "", "", "", "", "", "", "", int64(0), int64(0), uint16(0))
	f.Add("\"\\\b\f\n\r\t\x00\x1f\x7f", "<>&", "\u2028\u2029", "\xff\xfe", "\xe2\x82",
		"🔥", "\ufffd", "über \"quotes\"", "\xff", "\xff\xff", "<a>\xff&b", int64(-1), int64(1<<63-1),
		uint16(0b1010_1010_1010))
	f.Fuzz(func(t *testing.T, state, lang, outcome, resume, reason, receipt, packaging, details,
		seen, photos, exclusions string, decidedAt, updated int64, flags uint16) {
		s := &dialog.Session{
			Version: decidedAt ^ updated,
			State:   state,
			Answers: dialog.Answers{
				Receipt:        receipt,
				Packaging:      policy.Packaging(packaging),
				CarrierChecked: optBool(flags, 0),
				Defect:         optBool(flags, 2),
				Details:        details,
				Photos:         list(photos, flags, 4),
			},
			Lang:      lang,
			Outcome:   policy.Outcome(outcome),
			DecidedAt: decidedAt,
			Resume:    resume,
			Reason:    reason,
			Seen:      list(seen, flags, 6),
			Updated:   updated,
		}
		if keys := list(exclusions, flags, 8); keys != nil {
			s.Answers.Exclusions = make(map[string]bool, len(keys))
			for i, k := range keys {
				s.Answers.Exclusions[k] = (len(k)+i+int(flags>>10))%2 == 0
			}
		}
		if keys := list(exclusions, flags, 11); keys != nil {
			s.Answers.Shop = make(map[string]string, len(keys))
			for _, k := range keys {
				s.Answers.Shop[k] = details + k
			}
		}
		s.Misses = int(flags >> 13)
		checkAppendJSON(t, s)
	})
}

// optBool reads bits bit and bit+1 of flags as a nil, false or true *bool.
func optBool(flags uint16, bit int) *bool {
	if flags>>bit&1 == 0 {
		return nil
	}
	v := flags>>(bit+1)&1 == 1
	return &v
}

// list reads bits bit and bit+1 of flags to make a nil slice, an empty one, or the
// elements of s separated by 0xff; the separator is an invalid UTF-8 byte, which the
// elements can still hold in other forms, and s holds any other byte.
func list(s string, flags uint16, bit int) []string {
	switch flags >> bit & 3 {
	case 0:
		return nil
	case 1:
		return []string{}
	default:
		return strings.Split(s, "\xff")
	}
}

// BenchmarkSessionJSON encodes a session in the middle of a warranty claim, as the store
// does on every step.
func BenchmarkSessionJSON(b *testing.B) {
	yes := true
	s := &dialog.Session{
		Version: 5,
		State:   dialog.StateConfirm,
		Answers: dialog.Answers{
			Receipt:        "2026-05-12",
			Packaging:      policy.PackagingIntact,
			CarrierChecked: &yes,
			Defect:         &yes,
			Details:        "It stopped heating after I spilled some water on it, and now the display shows \"E3\".",
			Exclusions:     map[string]bool{"foreign_substances": true, "mechanical_damage": false, "seals": false},
			Photos:         []string{"AgACAgIAAxkBAAIBZ2ZqY1cT4AABi2", "AgACAgIAAxkBAAIBaGZqY1dUX1NmZG"},
		},
		Lang:    "de",
		Seen:    []string{"1234567890:101", "1234567890:102", "1234567890:103", "1234567890:104", "1234567890:105"},
		Updated: 1_780_000_123,
	}
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = s.AppendJSON(buf[:0])
		}
	})
}
