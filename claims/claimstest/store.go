package claimstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/policy"
)

// StoreSetup tells RunStore how to make the stores it tests.
type StoreSetup struct {
	// New returns an empty store keeping claims for retention, which reads clock where it
	// can. Each call gets a store of its own.
	New func(t *testing.T, clock *Clock, retention time.Duration) claims.Store
	// FollowsClock: the store expires claims by clock (memclaims). Stores that expire by the
	// server's time (Redis TTLs) set it false and check their TTLs in their own tests.
	FollowsClock bool
}

// Claim returns a typical record for the customer, created at t.
func Claim(id claims.ID, platform, user string, t time.Time) claims.Record {
	return claims.Record{
		ID: id, Address: claims.Address{Platform: platform, Chat: user}, User: user, UserName: "Alice",
		Language: "en",
		Answers: map[string]string{
			"receipt_date": "2026-11-20", "packaging": "intact", "carrier_check": "no", "defect": "yes",
			"defect_details": "it stopped heating", "confirm_water": "no", "order_number": "10042",
		},
		Outcome:       policy.WarrantyRepair,
		Clauses:       []policy.Clause{{ID: "warranty", Text: "Defects that appear within 24 months of receipt are repaired free of charge."}},
		ReceiptDate:   time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		LastReturnDay: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
		WarrantyEnd:   time.Date(2028, 11, 20, 0, 0, 0, 0, time.UTC),
		PolicyVersion: "v3@3f2a9c01b7de",
		State:         claims.StateDecided,
		Created:       t, Updated: t,
	}
}

// RunStore runs the store conformance suite.
func RunStore(t *testing.T, setup StoreSetup) {
	ctx := context.Background()
	newStore := func(t *testing.T) (claims.Store, *Clock) {
		c := NewClock(Epoch)
		return setup.New(t, c, claims.DefaultRetention), c
	}

	t.Run("CreateGet", func(t *testing.T) {
		s, c := newStore(t)
		want := Claim("R-AAAAAA", "telegram", "42", c.Now())
		if err := s.Create(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "Get", got, want)
		got.Answers["packaging"] = "changed by the caller"
		again, _ := s.Get(ctx, want.ID)
		same(t, "Get after the caller edited its copy", again, want)
	})

	t.Run("CreateSetsTimes", func(t *testing.T) {
		s, c := newStore(t)
		r := Claim("R-AAAAAB", "telegram", "42", time.Time{})
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Created.Equal(c.Now()) || !got.Updated.Equal(c.Now()) {
			t.Errorf("a claim created without times has Created %v, Updated %v; want both %v", got.Created, got.Updated, c.Now())
		}
	})

	t.Run("GetMissing", func(t *testing.T) {
		s, _ := newStore(t)
		if _, err := s.Get(ctx, "R-NOSUCH"); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("Get of an unknown id: got %v, want ErrNotFound", err)
		}
	})

	t.Run("DuplicateID", func(t *testing.T) {
		s, c := newStore(t)
		first := Claim("R-DUPDUP", "telegram", "42", c.Now())
		if err := s.Create(ctx, first); err != nil {
			t.Fatal(err)
		}
		second := Claim("R-DUPDUP", "discord", "7", c.Now())
		if err := s.Create(ctx, second); !errors.Is(err, claims.ErrExists) {
			t.Fatalf("Create of a taken id: got %v, want ErrExists", err)
		}
		got, _ := s.Get(ctx, first.ID)
		same(t, "the claim after a duplicate Create", got, first)
		if rs, _ := s.ByUser(ctx, second.UserKey(), 10); len(rs) != 0 {
			t.Errorf("the refused claim's customer has %d claims, want 0", len(rs))
		}
	})

	t.Run("ConcurrentCreateSameID", func(t *testing.T) {
		s, c := newStore(t)
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			go func() { errs <- s.Create(ctx, Claim("R-RACERR", "telegram", strconv.Itoa(i), c.Now())) }()
		}
		won := 0
		for range n {
			err := <-errs
			switch {
			case err == nil:
				won++
			case !errors.Is(err, claims.ErrExists):
				t.Errorf("Create: got %v, want nil or ErrExists", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent Creates of one id succeeded, want 1", won, n)
		}
	})

	t.Run("Update", func(t *testing.T) {
		s, c := newStore(t)
		r := Claim("R-UPDATE", "telegram", "42", c.Now())
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		later := c.Now().Add(time.Hour)
		got, err := s.Update(ctx, r.ID, func(r *claims.Record) error {
			r.State, r.CaseID, r.Updated = claims.StateWithStaff, "C-9", later
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		r.State, r.CaseID, r.Updated = claims.StateWithStaff, "C-9", later
		same(t, "Update's result", got, r)
		stored, _ := s.Get(ctx, r.ID)
		same(t, "Get after Update", stored, r)

		c.Advance(time.Minute)
		got, err = s.Update(ctx, r.ID, func(r *claims.Record) error { r.CloseReason = "none yet"; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if !got.Updated.Equal(c.Now()) {
			t.Errorf("Update that leaves Updated alone: Updated %v, want now %v", got.Updated, c.Now())
		}
		r = got

		boom := errors.New("boom")
		if _, err := s.Update(ctx, r.ID, func(r *claims.Record) error { r.State = claims.StateClosed; return boom }); !errors.Is(err, boom) {
			t.Errorf("Update whose fn fails: got %v, want the fn's error", err)
		}
		stored, _ = s.Get(ctx, r.ID)
		same(t, "the claim after a failed Update", stored, r)

		if _, err := s.Update(ctx, "R-NOSUCH", func(*claims.Record) error { return nil }); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("Update of an unknown id: got %v, want ErrNotFound", err)
		}
		if _, err := s.Update(ctx, r.ID, func(r *claims.Record) error { r.ID = "R-OTHERS"; return nil }); err == nil {
			t.Errorf("Update that changes the id: got no error")
		}
	})

	t.Run("ConcurrentUpdates", func(t *testing.T) {
		s, c := newStore(t)
		r := Claim("R-COUNTS", "telegram", "42", c.Now())
		r.Answers["n"] = "0"
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 10
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					_, err := s.Update(ctx, r.ID, func(r *claims.Record) error {
						n, _ := strconv.Atoi(r.Answers["n"])
						r.Answers["n"] = strconv.Itoa(n + 1)
						return nil
					})
					if err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		got, _ := s.Get(ctx, r.ID)
		if want := strconv.Itoa(workers * each); got.Answers["n"] != want {
			t.Errorf("after %d concurrent increments n = %s, want %s", workers*each, got.Answers["n"], want)
		}
	})

	t.Run("ByUser", func(t *testing.T) {
		s, c := newStore(t)
		var alice []claims.ID
		for i := range 5 {
			r := Claim(claims.ID(fmt.Sprintf("R-ALICE%d", i)), "telegram", "alice", c.Now().Add(time.Duration(i)*time.Minute))
			alice = append(alice, r.ID)
			mustCreate(t, s, r)
			mustCreate(t, s, Claim(claims.ID(fmt.Sprintf("R-BOBBB%d", i)), "discord", "bob", c.Now()))
		}
		got, err := s.ByUser(ctx, claims.UserKey("telegram", "alice"), 3)
		if err != nil {
			t.Fatal(err)
		}
		if want := []claims.ID{alice[4], alice[3], alice[2]}; fmt.Sprint(ids(got)) != fmt.Sprint(want) {
			t.Errorf("ByUser(alice, 3) = %v, want %v (newest first)", ids(got), want)
		}
		if got, _ := s.ByUser(ctx, claims.UserKey("discord", "alice"), 3); len(got) != 0 {
			t.Errorf("ByUser(discord:alice) = %v, want none: alice is on telegram", ids(got))
		}
	})

	t.Run("ByUserBounded", func(t *testing.T) {
		s, c := newStore(t)
		for i := range claims.MaxByUser + 5 {
			mustCreate(t, s, Claim(claims.ID(fmt.Sprintf("R-MANY%03d", i)), "telegram", "42", c.Now().Add(time.Duration(i)*time.Second)))
		}
		for _, n := range []int{0, -1, 1000} {
			got, err := s.ByUser(ctx, "telegram:42", n)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != claims.MaxByUser {
				t.Errorf("ByUser(n=%d) returned %d claims, want MaxByUser=%d", n, len(got), claims.MaxByUser)
			}
		}
	})

	t.Run("ListPages", func(t *testing.T) {
		s, c := newStore(t)
		var want []claims.ID
		for i := range 25 {
			r := Claim(claims.ID(fmt.Sprintf("R-LIST%02d", i)), "telegram", strconv.Itoa(i%3), c.Now().Add(time.Duration(i)*time.Hour))
			want = append(want, r.ID)
			mustCreate(t, s, r)
		}
		var got []claims.ID
		q := claims.Query{Limit: 10}
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatalf("List of 25 claims in pages of 10 gave more than 3 pages")
			}
			page, next, err := s.List(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 10 {
				t.Fatalf("List with Limit 10 returned %d claims", len(page))
			}
			got = append(got, ids(page)...)
			if next == "" {
				break
			}
			q.Cursor = next
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("List pages = %v, want %v", got, want)
		}

		page, _, err := s.List(ctx, claims.Query{Since: Epoch.Add(5 * time.Hour), Until: Epoch.Add(8 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(page)) != fmt.Sprint(want[5:8]) {
			t.Errorf("List(since +5h, until +8h) = %v, want %v", ids(page), want[5:8])
		}
	})

	t.Run("ListBounded", func(t *testing.T) {
		s, c := newStore(t)
		for i := range claims.MaxList + 1 {
			mustCreate(t, s, Claim(claims.ID(fmt.Sprintf("R-BIG%05d", i)), "telegram", strconv.Itoa(i), c.Now()))
		}
		page, next, err := s.List(ctx, claims.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != claims.MaxList || next == "" {
			t.Fatalf("List with no limit of %d claims: %d claims, next %q; want MaxList=%d and a cursor", claims.MaxList+1, len(page), next, claims.MaxList)
		}
		rest, next, err := s.List(ctx, claims.Query{Cursor: next})
		if err != nil {
			t.Fatal(err)
		}
		if len(rest) != 1 || next != "" {
			t.Errorf("the second page: %d claims, next %q; want 1 and no cursor", len(rest), next)
		}
	})

	t.Run("Forget", func(t *testing.T) {
		s, c := newStore(t)
		for i := range 3 {
			mustCreate(t, s, Claim(claims.ID(fmt.Sprintf("R-FORGT%d", i)), "telegram", "42", c.Now()))
		}
		keep := Claim("R-KEEPME", "telegram", "43", c.Now())
		mustCreate(t, s, keep)
		n, err := s.Forget(ctx, "telegram:42")
		if err != nil || n != 3 {
			t.Fatalf("Forget = %d, %v; want 3, nil", n, err)
		}
		if _, err := s.Get(ctx, "R-FORGT0"); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("Get of a forgotten claim: got %v, want ErrNotFound", err)
		}
		if rs, _ := s.ByUser(ctx, "telegram:42", 10); len(rs) != 0 {
			t.Errorf("ByUser after Forget = %v, want none", ids(rs))
		}
		if page, _, _ := s.List(ctx, claims.Query{}); fmt.Sprint(ids(page)) != "[R-KEEPME]" {
			t.Errorf("List after Forget = %v, want [R-KEEPME]", ids(page))
		}
		if n, err := s.Forget(ctx, "telegram:never-seen"); err != nil || n != 0 {
			t.Errorf("Forget of an unknown customer = %d, %v; want 0, nil", n, err)
		}
	})

	if !setup.FollowsClock {
		return
	}
	t.Run("Retention", func(t *testing.T) {
		c := NewClock(Epoch)
		s := setup.New(t, c, 24*time.Hour)
		old := Claim("R-OLDOLD", "telegram", "42", c.Now())
		mustCreate(t, s, old)
		c.Advance(23 * time.Hour)
		young := Claim("R-YOUNGG", "telegram", "42", c.Now())
		mustCreate(t, s, young)
		if _, err := s.Get(ctx, old.ID); err != nil {
			t.Fatalf("Get of a claim within its retention: %v", err)
		}
		c.Advance(2 * time.Hour)
		if _, err := s.Get(ctx, old.ID); !errors.Is(err, claims.ErrNotFound) {
			t.Errorf("Get of a claim past its retention: got %v, want ErrNotFound", err)
		}
		if rs, _ := s.ByUser(ctx, "telegram:42", 10); fmt.Sprint(ids(rs)) != "[R-YOUNGG]" {
			t.Errorf("ByUser after the retention = %v, want [R-YOUNGG]", ids(rs))
		}
		if page, _, _ := s.List(ctx, claims.Query{}); fmt.Sprint(ids(page)) != "[R-YOUNGG]" {
			t.Errorf("List after the retention = %v, want [R-YOUNGG]", ids(page))
		}
		if err := s.Create(ctx, Claim(old.ID, "discord", "7", c.Now())); err != nil {
			t.Errorf("Create reusing an expired id: %v", err)
		}
		if n, _ := s.Forget(ctx, "telegram:42"); n != 1 {
			t.Errorf("Forget after the retention erased %d claims, want 1", n)
		}
	})
}

func mustCreate(t *testing.T, s claims.Store, r claims.Record) {
	t.Helper()
	if err := s.Create(context.Background(), r); err != nil {
		t.Fatalf("Create %s: %v", r.ID, err)
	}
}

func ids(rs []claims.Record) []claims.ID {
	out := make([]claims.ID, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// same fails t unless got and want encode to the same JSON: the stores keep records as JSON,
// and times read back lose their monotonic clock reading.
func same(t *testing.T, what string, got, want claims.Record) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}
