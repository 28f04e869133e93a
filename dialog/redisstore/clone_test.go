package redisstore

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
)

// TestCloneCoversSession lists every field of Session that shares memory when copied
// (maps, slices, pointers). If Session gains one, clone must copy it and this list must
// name it; otherwise the cache would hand two callers the same memory.
func TestCloneCoversSession(t *testing.T) {
	want := []string{"Answers.CarrierChecked", "Answers.Defect", "Answers.Exclusions", "Answers.Photos", "Answers.Shop", "Seen"}
	var got []string
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			switch f.Type.Kind() {
			case reflect.Struct:
				walk(prefix+f.Name+".", f.Type)
			case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func, reflect.Array:
				got = append(got, prefix+f.Name)
			}
		}
	}
	walk("", reflect.TypeFor[dialog.Session]())
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("Session's reference fields are %v; clone copies %v: update clone and this test", got, want)
	}
}

func TestCloneIsDeep(t *testing.T) {
	yes := true
	s := &dialog.Session{
		State: dialog.StateDefect, Version: 7, Seen: []string{"1"},
		Answers: dialog.Answers{Defect: &yes, CarrierChecked: &yes, Exclusions: map[string]bool{"a": true}, Photos: []string{"p"},
			Shop: map[string]string{"order_number": "AB123456"}},
	}
	c := clone(s)
	if !reflect.DeepEqual(c, s) {
		t.Fatalf("clone = %+v, want %+v", c, s)
	}
	*c.Answers.Defect, *c.Answers.CarrierChecked = false, false
	c.Answers.Exclusions["a"], c.Answers.Photos[0], c.Seen[0] = false, "q", "2"
	c.Answers.Shop["order_number"] = "ZZ000000"
	if !*s.Answers.Defect || !*s.Answers.CarrierChecked || !s.Answers.Exclusions["a"] || s.Answers.Photos[0] != "p" || s.Seen[0] != "1" ||
		s.Answers.Shop["order_number"] != "AB123456" {
		t.Fatalf("changing the clone changed the original: %+v", s)
	}
	if clone(&dialog.Session{}).Seen != nil {
		t.Fatal("clone of a nil slice is not nil")
	}
}

// TestCacheNeverGoesBack plays the answers of concurrent writes arriving out of order:
// the cache may forget a session, never return to an older one.
func TestCacheNeverGoesBack(t *testing.T) {
	c := &cache{max: 10, age: time.Minute, m: map[string]entry{}}
	c.fill("k", entry{version: 1})
	// Writers A and B both start from version 1; Redis takes A's write (2), refuses
	// B's and hands it 2, then takes C's (3) — but the answers arrive C's refusal of
	// someone at 2 first, A's success last.
	c.replace("k", 1, entry{version: 2}) // B's conflict reply, holding 2
	c.replace("k", 2, entry{version: 3}) // C's success from 2
	c.replace("k", 1, entry{version: 2}) // A's success, late
	if e, ok := c.get("k"); ok && e.version != 3 {
		t.Fatalf("cache holds version %d after version 3 was cached, want 3 or nothing", e.version)
	}
	// A Load that read Redis before a write was cached must not overwrite it.
	c.m = map[string]entry{}
	c.fill("j", entry{version: 5})
	c.fill("j", entry{version: 4})
	if e, ok := c.get("j"); ok && e.version != 5 {
		t.Fatalf("cache holds version %d, want 5 or nothing", e.version)
	}
}
