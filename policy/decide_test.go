package policy_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/policy"
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestDecide(t *testing.T) {
	p := policy.Default()
	now := date("2026-11-25").Add(15 * time.Hour)
	received := func(day string) policy.Facts {
		return policy.Facts{Received: true, ReceiptDate: date(day), Packaging: policy.PackagingIntact}
	}
	with := func(f policy.Facts, change func(*policy.Facts)) policy.Facts { change(&f); return f }
	defect := func(f *policy.Facts) { f.Defect, f.DefectDetails = true, "it does not heat" }

	tests := []struct {
		name        string
		facts       policy.Facts
		want        policy.Outcome
		wantClauses []string
		wantExcl    string
	}{
		{"received today", received("2026-11-25"), policy.ReturnEligible, []string{"return_window"}, ""},
		{"last day of the window (14 days)", received("2026-11-11"), policy.ReturnEligible, []string{"return_window"}, ""},
		{"first day after the window (15 days)", received("2026-11-10"), policy.ReturnExpired, []string{"return_window"}, ""},
		{"long ago, no defect", received("2025-01-01"), policy.ReturnExpired, []string{"return_window"}, ""},
		{"at pickup, intact", policy.Facts{Packaging: policy.PackagingIntact}, policy.ReturnEligible, []string{"return_window"}, ""},
		{"at pickup, damaged", policy.Facts{Packaging: policy.PackagingDamaged}, policy.RefuseAtDelivery, []string{"check_on_receipt", "refuse_delivery"}, ""},
		{"at pickup, incomplete", policy.Facts{Packaging: policy.PackagingIncomplete}, policy.RefuseAtDelivery, []string{"check_on_receipt", "refuse_delivery"}, ""},
		{"at pickup, defect found", policy.Facts{Packaging: policy.PackagingIntact, Defect: true}, policy.RefuseAtDelivery, []string{"check_on_receipt", "refuse_delivery"}, ""},
		{"damaged, not checked with carrier", with(received("2026-11-20"), func(f *policy.Facts) { f.Packaging = policy.PackagingDamaged }), policy.DamageNotCovered, []string{"carrier_check"}, ""},
		{"incomplete, not checked", with(received("2026-11-20"), func(f *policy.Facts) { f.Packaging = policy.PackagingIncomplete }), policy.DamageNotCovered, []string{"carrier_check"}, ""},
		{"damaged, recorded with carrier", with(received("2026-11-20"), func(f *policy.Facts) { f.Packaging, f.CarrierChecked = policy.PackagingDamaged, true }), policy.Escalated, []string{"carrier_check"}, ""},
		{"defect within window", with(received("2026-11-20"), defect), policy.WarrantyRepair, []string{"warranty", "return_window"}, ""},
		{"defect after window", with(received("2026-06-01"), defect), policy.WarrantyRepair, []string{"warranty"}, ""},
		{"defect on the last warranty day", with(received("2025-11-26"), defect), policy.WarrantyRepair, []string{"warranty"}, ""},
		{"defect the day the warranty ended", with(received("2025-11-25"), defect), policy.WarrantyExpired, []string{"warranty"}, ""},
		{"defect, excluded", with(received("2026-11-20"), func(f *policy.Facts) {
			defect(f)
			f.Exclusions = map[string]bool{"seals": false, "foreign_substances": true}
		}), policy.WarrantyExcluded, []string{"exclusions", "foreign_substances"}, "foreign_substances"},
		{"exclusion answered no", with(received("2026-11-20"), func(f *policy.Facts) {
			defect(f)
			f.Exclusions = map[string]bool{"seals": false, "foreign_substances": false}
		}), policy.WarrantyRepair, []string{"warranty", "return_window"}, ""},
		{"exclusion beats expiry", with(received("2020-01-01"), func(f *policy.Facts) {
			defect(f)
			f.Exclusions = map[string]bool{"wear": true}
		}), policy.WarrantyExcluded, []string{"exclusions", "wear"}, "wear"},
		{"first exclusion in policy order", with(received("2026-11-20"), func(f *policy.Facts) {
			defect(f)
			f.Exclusions = map[string]bool{"software": true, "seals": true}
		}), policy.WarrantyExcluded, []string{"exclusions", "seals"}, "seals"},
		{"receipt in the future", received("2026-12-01"), policy.Escalated, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.facts, now)
			if d.Outcome != tt.want {
				t.Fatalf("outcome = %s, want %s", d.Outcome, tt.want)
			}
			var ids []string
			for _, c := range d.Clauses {
				ids = append(ids, c.ID)
				if !strings.Contains(p.Text, c.Text) {
					t.Errorf("clause %s text %q is not in the policy", c.ID, c.Text)
				}
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantClauses, ",") {
				t.Errorf("clauses = %v, want %v", ids, tt.wantClauses)
			}
			if d.Exclusion != tt.wantExcl {
				t.Errorf("exclusion = %q, want %q", d.Exclusion, tt.wantExcl)
			}
		})
	}
}

func TestDecideComputedFacts(t *testing.T) {
	p := policy.Default()
	d := p.Decide(policy.Facts{Received: true, ReceiptDate: date("2026-11-01"), Packaging: policy.PackagingIntact}, date("2026-11-25"))
	if d.DaysSinceReceipt != 24 {
		t.Errorf("DaysSinceReceipt = %d, want 24", d.DaysSinceReceipt)
	}
	if got := d.LastReturnDay.Format(time.DateOnly); got != "2026-11-15" {
		t.Errorf("LastReturnDay = %s, want 2026-11-15", got)
	}
	if got := d.WarrantyEnd.Format(time.DateOnly); got != "2027-10-31" {
		t.Errorf("WarrantyEnd = %s, want 2027-10-31", got)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"outcome":"return_expired"`, `"last_return_day":"2026-11-15"`, `"days_since_receipt":24`, `"clauses":[{"id":"return_window"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

// Calendar days are counted in the policy's zone: 23:30 in Berlin is already the next day
// in Tokyo but still the same day in New York.
func TestDecideCountsDaysInPolicyZone(t *testing.T) {
	file := strings.Replace(policy.DefaultFile(), "timezone: UTC", "timezone: Pacific/Auckland", 1)
	p, err := policy.Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2026, 11, 11, 0, 0, 0, 0, p.Location)
	// 12:00 UTC on 25 November is already 26 November in Auckland: day 15, expired.
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	d := p.Decide(policy.Facts{Received: true, ReceiptDate: received, Packaging: policy.PackagingIntact}, now)
	if d.Outcome != policy.ReturnExpired || d.DaysSinceReceipt != 15 {
		t.Fatalf("got %s after %d days, want return_expired after 15", d.Outcome, d.DaysSinceReceipt)
	}
	if d := policy.Default().Decide(policy.Facts{Received: true, ReceiptDate: date("2026-11-11"), Packaging: policy.PackagingIntact}, now); d.Outcome != policy.ReturnEligible {
		t.Fatalf("in UTC the same instant is day 14: got %s, want return_eligible", d.Outcome)
	}
}

func BenchmarkDecide(b *testing.B) {
	p := policy.Default()
	f := policy.Facts{Received: true, ReceiptDate: date("2026-11-20"), Packaging: policy.PackagingIntact, Defect: true,
		Exclusions: map[string]bool{"seals": false, "foreign_substances": false}}
	now := date("2026-11-25")
	for b.Loop() {
		p.Decide(f, now)
	}
}
