package webhook_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/webhook"
)

// TestSign checks a vector computed independently with
//
//	printf '%s' '1700000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac 's3cret'
func TestSign(t *testing.T) {
	got := webhook.Sign("s3cret", 1700000000, []byte(`{"id":"evt_1"}`))
	want := "sha256=8e6f5c9e12ccd802130a0cf337c2d90395d59605481627c32bb6c530172adf23"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	now := time.Unix(1700000000, 0)
	header := func(ts int64, sig string) http.Header {
		h := http.Header{}
		if ts != 0 {
			h.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts, 10))
		}
		if sig != "" {
			h.Set(webhook.HeaderSignature, sig)
		}
		return h
	}
	good := webhook.Sign("s3cret", now.Unix(), body)
	tests := []struct {
		name   string
		h      http.Header
		body   string
		secret string
		want   error
	}{
		{"good", header(now.Unix(), good), string(body), "s3cret", nil},
		{"other secret", header(now.Unix(), good), string(body), "other", webhook.ErrBadSignature},
		{"body changed", header(now.Unix(), good), `{"id":"evt_2"}`, "s3cret", webhook.ErrBadSignature},
		{"timestamp changed", header(now.Unix()+1, good), string(body), "s3cret", webhook.ErrBadSignature},
		{"no signature", header(now.Unix(), ""), string(body), "s3cret", webhook.ErrNoSignature},
		{"no timestamp", header(0, good), string(body), "s3cret", webhook.ErrNoSignature},
		{"replayed an hour later", header(now.Unix()-3600, webhook.Sign("s3cret", now.Unix()-3600, body)), string(body), "s3cret", webhook.ErrStale},
	}
	for _, tt := range tests {
		if err := webhook.Verify(tt.secret, tt.h, []byte(tt.body), now, 5*time.Minute); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://shop.example/hooks/returnsbot?token=x", true},
		{"http://127.0.0.1:8080/", true},
		{"shop.example/hook", false},
		{"ftp://shop.example/", false},
		{"https://", false},
		{"http://[::1", false},
	}
	for _, tt := range tests {
		err := webhook.CheckURL(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), "token") {
			t.Errorf("CheckURL(%q) = %v repeats the URL", tt.in, err)
		}
	}
}
