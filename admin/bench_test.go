package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/admin"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/funnel"
	"github.com/returnsbot/returnsbot/policy"
)

// BenchmarkPages measures the list and figures pages over a full scan: 10,000 claims in
// the range (the most a page reads), on the memory store, so the figure is the
// dashboard's own cost (a Redis store adds its 10 pages of reads).
//
//	go test -run '^$' -bench Pages -benchmem ./admin/
func BenchmarkPages(b *testing.B) {
	st := memclaims.New(memclaims.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	for i := range 10000 {
		o := policy.Outcomes[i%len(policy.Outcomes)]
		r := claims.Record{ID: claims.ID(fmt.Sprintf("R-%06d", i)), Address: claims.Address{Platform: "telegram", Chat: fmt.Sprint(i)},
			User: fmt.Sprint(i), Language: "en", Answers: map[string]string{"receipt_date": "2026-11-20", "packaging": "intact"},
			Outcome: o, State: claims.StateDecided, PolicyVersion: "v1@0123456789ab",
			Created: now.Add(-time.Duration(i) * 4 * time.Minute)}
		if o == policy.Escalated {
			r.Reason, r.FirstStaffReply = policy.ReasonAsked, r.Created.Add(20*time.Minute)
			r.Rating = &claims.Rating{Score: 1 + i%5}
		}
		if err := st.Create(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	h := admin.New(admin.Options{Token: token, Claims: st, Funnel: &funnel.Memory{}, Now: func() time.Time { return now }})
	for _, page := range []struct{ name, path string }{{"list", "/admin/?outcome=escalated"}, {"figures", "/admin/figures"}} {
		path := page.path
		b.Run(page.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, rec.Code)
				}
			}
		})
	}
}
