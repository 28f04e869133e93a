package policy_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/policy"
)

func TestVersionSetting(t *testing.T) {
	tests := []struct {
		name, header, want string
	}{
		{"given", "version: 2026-11\n", "2026-11"},
		{"blank around", "version:   spring edition  \n", "spring edition"},
		{"absent", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse(tt.header + policy.DefaultFile())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Version != tt.want {
				t.Errorf("got version %q, want %q", p.Version, tt.want)
			}
		})
	}
}
