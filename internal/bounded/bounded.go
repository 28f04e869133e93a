// Package bounded bounds what the bot reads from others: response bodies of the platform
// APIs (which the SDKs read whole) and files named on the command line or in settings. A
// misbehaving or hostile server, or /dev/zero given as a policy file, must end in a clear
// error, not in the memory being filled.
package bounded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"syscall"
	"time"
)

// ErrTooLarge is returned by reads past a bound.
var ErrTooLarge = errors.New("larger than allowed")

// Transport wraps Next so that every response body yields at most Max bytes; reading
// past them fails with ErrTooLarge.
type Transport struct {
	Next http.RoundTripper
	Max  int64
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(r)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &body{ReadCloser: resp.Body, left: t.Max}
	return resp, nil
}

type body struct {
	io.ReadCloser
	left int64
}

func (b *body) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, fmt.Errorf("response body: %w", ErrTooLarge)
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, fmt.Errorf("response body: %w", ErrTooLarge)
	}
	return n, err
}

// ReadFile reads the file at path, at most max bytes, until ctx is done. It opens it
// without blocking, so a FIFO with no writer or a slow device cannot hold the program past
// a signal: the read is cut when ctx ends.
func ReadFile(ctx context.Context, path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(aLongTimeAgo) })
	defer stop()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if ctx.Err() != nil {
		return nil, fmt.Errorf("read %s: %w", path, context.Cause(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w (%d bytes at most)", path, ErrTooLarge, max)
	}
	return data, nil
}

// aLongTimeAgo is a deadline in the past: it makes a blocked read return at once.
var aLongTimeAgo = time.Unix(1, 0)
