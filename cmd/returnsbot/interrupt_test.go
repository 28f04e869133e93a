package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// TestPolicyCheckBounded: a policy file too large to be one is refused at once, with a
// clear message, instead of being read into memory.
func TestPolicyCheckBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.policy")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# comment\n"), 200<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/zero", big} {
		var out bytes.Buffer
		err := run(context.Background(), []string{"policy", "check", path}, func(string) string { return "" }, nil, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "larger than allowed") || !strings.Contains(err.Error(), path) {
			t.Errorf("policy check %s: got %v, want an error saying it is larger than allowed", path, err)
		}
	}
}

// TestCommandsStopOnSignal: SIGTERM stops a console waiting for input and a policy check
// reading a FIFO that never delivers, promptly, with no panic.
func TestCommandsStopOnSignal(t *testing.T) {
	bin := buildBinary(t)
	fifo := filepath.Join(t.TempDir(), "policy.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Hold the FIFO open for writing, and write nothing: a reader blocks.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tests := []struct {
		name     string
		args     []string
		ready    func(t *testing.T, cmd *exec.Cmd, stdout *bottest.LogBuffer)
		wantCode int
	}{
		{"console waiting on stdin", []string{"console", "--json"}, func(t *testing.T, cmd *exec.Cmd, stdout *bottest.LogBuffer) {
			waittest.For(t, "the console's first answer", func() bool { return strings.Contains(stdout.String(), `"user":"a"`) })
		}, 0},
		{"policy check of a FIFO", []string{"policy", "check", fifo}, func(t *testing.T, cmd *exec.Cmd, _ *bottest.LogBuffer) {
			fds := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "fd")
			waittest.For(t, "the FIFO open", func() bool {
				ents, _ := os.ReadDir(fds)
				for _, e := range ents {
					if target, _ := os.Readlink(filepath.Join(fds, e.Name())); target == fifo {
						return true
					}
				}
				return false
			})
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			stdout, stderr := &bottest.LogBuffer{}, &bottest.LogBuffer{}
			cmd.Stdout, cmd.Stderr = stdout, stderr
			cmd.Env = append(os.Environ(), "REDIS_URL=", "POLICY_FILE=")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			io.WriteString(stdin, `{"user":"a","text":"hi"}`+"\n") // the console answers; policy check ignores it
			tt.ready(t, cmd, stdout)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				}
				if code != tt.wantCode || strings.Contains(stderr.String(), "panic") {
					t.Errorf("got exit %v (code %d), stderr %q; want exit code %d", err, code, stderr.String(), tt.wantCode)
				}
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 20s after SIGTERM; stderr %q", stderr.String())
			}
		})
	}
}
