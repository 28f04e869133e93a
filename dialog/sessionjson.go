package dialog

// A Session is encoded on every dialog step, and encoding/json's reflection showed up as
// about 6% of the CPU of a Redis-backed bot. AppendJSON writes the same bytes by hand,
// without allocating; TestAppendJSON and FuzzAppendJSON hold it to json.Marshal, so a
// stored session reads back the same whichever encoder wrote it.

import (
	"slices"
	"strconv"

	"github.com/returnsbot/returnsbot/internal/jsonenc"
)

// AppendJSON appends the JSON encoding of s to b and returns the extended buffer.
// It produces exactly what encoding/json's Marshal does, without reflection.
func (s *Session) AppendJSON(b []byte) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	// The first field may be omitted, so each field after "a" brings its own comma, and
	// "s" is the only one that has to put its comma after itself.
	b = append(b, '{')
	if s.State != "" {
		b = append(b, `"s":`...)
		b = jsonenc.AppendString(b, s.State)
		b = append(b, ',')
	}
	b = append(b, `"a":`...)
	b = s.Answers.appendJSON(b)
	if s.Lang != "" {
		b = append(b, `,"l":`...)
		b = jsonenc.AppendString(b, s.Lang)
	}
	if s.Outcome != "" {
		b = append(b, `,"o":`...)
		b = jsonenc.AppendString(b, string(s.Outcome))
	}
	if s.DecidedAt != 0 {
		b = append(b, `,"dt":`...)
		b = strconv.AppendInt(b, s.DecidedAt, 10)
	}
	if s.Resume != "" {
		b = append(b, `,"rs":`...)
		b = jsonenc.AppendString(b, s.Resume)
	}
	if s.Reason != "" {
		b = append(b, `,"er":`...)
		b = jsonenc.AppendString(b, s.Reason)
	}
	if s.Claim != "" {
		b = append(b, `,"cl":`...)
		b = jsonenc.AppendString(b, s.Claim)
	}
	if len(s.Seen) != 0 {
		b = append(b, `,"n":`...)
		b = appendStrings(b, s.Seen)
	}
	if s.Updated != 0 {
		b = append(b, `,"u":`...)
		b = strconv.AppendInt(b, s.Updated, 10)
	}
	if s.Misses != 0 {
		b = append(b, `,"m":`...)
		b = strconv.AppendInt(b, int64(s.Misses), 10)
	}
	return append(b, '}')
}

func (a *Answers) appendJSON(b []byte) []byte {
	// Every field may be omitted, so each one writes its leading comma unless it is first.
	b = append(b, '{')
	start := len(b)
	key := func(b []byte, name string) []byte {
		if len(b) != start {
			b = append(b, ',')
		}
		return append(b, name...)
	}
	if a.Receipt != "" {
		b = key(b, `"r":`)
		b = jsonenc.AppendString(b, a.Receipt)
	}
	if a.Packaging != "" {
		b = key(b, `"p":`)
		b = jsonenc.AppendString(b, string(a.Packaging))
	}
	if a.CarrierChecked != nil {
		b = key(b, `"c":`)
		b = strconv.AppendBool(b, *a.CarrierChecked)
	}
	if a.Defect != nil {
		b = key(b, `"d":`)
		b = strconv.AppendBool(b, *a.Defect)
	}
	if a.Details != "" {
		b = key(b, `"t":`)
		b = jsonenc.AppendString(b, a.Details)
	}
	if len(a.Exclusions) != 0 {
		b = key(b, `"x":`)
		b = appendMap(b, a.Exclusions, strconv.AppendBool)
	}
	if len(a.Photos) != 0 {
		b = key(b, `"ph":`)
		b = appendStrings(b, a.Photos)
	}
	if len(a.Shop) != 0 {
		b = key(b, `"q":`)
		b = appendMap(b, a.Shop, jsonenc.AppendString)
	}
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, v := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, v)
	}
	return append(b, ']')
}

// appendMap writes m's keys in sorted order, as encoding/json does, each value by
// appendValue. The keys of a session's maps are the policy's exclusion ids and a shop's
// question ids, a dozen or so, so sorting them in an array on the stack avoids an
// allocation on every step.
func appendMap[V any](b []byte, m map[string]V, appendValue func([]byte, V) []byte) []byte {
	var stack [16]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m[k])
	}
	return append(b, '}')
}
