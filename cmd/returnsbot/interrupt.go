package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// maxPolicyBytes bounds a policy file: a policy is a page or two of text, and a larger
// file (or /dev/zero) is a mistake to report, not to read into memory.
const maxPolicyBytes = 1 << 20

// stopGrace is how long a command may take to finish after SIGINT/SIGTERM before the
// process exits anyway: longer than serve's drain (10s) and HTTP shutdown (10s).
const stopGrace = 30 * time.Second

// runUntilStopped runs f; once ctx is done (a signal) it waits at most stopGrace for f,
// so a command stuck in a call that ignores ctx still stops.
func runUntilStopped(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return interrupted(ctx, err)
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return interrupted(ctx, err)
	case <-time.After(stopGrace):
		return fmt.Errorf("stopped by signal: the command did not finish within %s", stopGrace)
	}
}

// interrupted turns the error of a command cut short by a signal into a plain one.
func interrupted(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return errors.New("stopped by signal")
	}
	return err
}

// withContext makes reads of f (stdin) end when ctx is done: a read of a terminal or a
// pipe otherwise blocks until input comes, whatever the signal. The reading goroutine
// may stay blocked in the read; the process is about to exit.
func withContext(ctx context.Context, f *os.File) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, f)
		pw.CloseWithError(err)
	}()
	context.AfterFunc(ctx, func() { pw.CloseWithError(ctx.Err()) })
	return pr
}
