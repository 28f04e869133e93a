package bounded_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/returnsbot/returnsbot/internal/bounded"
)

func TestTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	tests := []struct {
		max     int64
		wantErr bool
	}{{2000, false}, {1000, false}, {999, true}, {10, true}}
	for _, tt := range tests {
		c := &http.Client{Transport: &bounded.Transport{Max: tt.max}}
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := errors.Is(err, bounded.ErrTooLarge); got != tt.wantErr {
			t.Errorf("max %d: got %d bytes, error %v; want ErrTooLarge %v", tt.max, len(data), err, tt.wantErr)
		}
		if int64(len(data)) > tt.max {
			t.Errorf("max %d: read %d bytes", tt.max, len(data))
		}
	}
}

func TestReadFile(t *testing.T) {
	small := filepath.Join(t.TempDir(), "small")
	if err := os.WriteFile(small, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := bounded.ReadFile(context.Background(), small, 5); err != nil || string(data) != "hello" {
		t.Errorf("small file: got %q, %v; want hello", data, err)
	}
	if _, err := bounded.ReadFile(context.Background(), small, 4); !errors.Is(err, bounded.ErrTooLarge) {
		t.Errorf("small file, max 4: got %v, want ErrTooLarge", err)
	}
	if _, err := bounded.ReadFile(context.Background(), "/dev/zero", 1<<20); !errors.Is(err, bounded.ErrTooLarge) {
		t.Errorf("/dev/zero: got %v, want ErrTooLarge", err)
	}
	// A FIFO held open by a writer that sends nothing: the read ends with ctx.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := bounded.ReadFile(ctx, fifo, 1<<20); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("FIFO after cancel: got %v, want context.Canceled", err)
	}
}
