package claims_test

import (
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
)

func TestParseRetention(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"", claims.DefaultRetention, false},
		{"365d", 365 * 24 * time.Hour, false},
		{" 30d ", 30 * 24 * time.Hour, false},
		{"720h", 720 * time.Hour, false},
		{"0d", 0, true},
		{"-5d", 0, true},
		{"1.5d", 0, true},
		{"0s", 0, true},
		{"a year", 0, true},
	}
	for _, tt := range tests {
		got, err := claims.ParseRetention(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseRetention(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
