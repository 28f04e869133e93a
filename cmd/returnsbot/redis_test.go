package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/policy"
)

// These tests run the real binary as separate processes against a real Redis, because
// what they check (two processes, kill -9, a Redis restart) cannot happen in one process.

// redisClaim is a whole warranty claim as console JSON inputs, with the clock at
// 2026-11-25: greeting, receipt date, packaging, defect, details, the exclusion question.
var redisClaim = []string{
	`"text":"hi"`,
	`"text":"2026-06-01"`,
	`"button":"packaging:intact"`,
	`"text":"yes"`,
	`"text":"The kettle stopped heating after a week"`,
	`"text":"yes"`,
	`"button":"confirm_summary:yes"`,
	`"text":"thanks"`,
}

// TestRedisProcesses builds the binary once and runs the multi-process cases with it.
func TestRedisProcesses(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "returnsbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("TwoProcesses", func(t *testing.T) { testTwoProcesses(t, bin) })
	t.Run("KillMidConversation", func(t *testing.T) { testKillMidConversation(t, bin) })
	t.Run("RedisRestartMidConversation", func(t *testing.T) { testRedisRestart(t, bin) })
	t.Run("Cluster", func(t *testing.T) { testCluster(t, bin) })
	t.Run("KillBeforeWebhookDelivery", func(t *testing.T) { testKillBeforeDelivery(t, bin) })
}

// testCluster runs two customers' claims through two processes on a local Redis Cluster.
func testCluster(t *testing.T, bin string) {
	c := redistest.StartCluster(t, 3)
	url := "REDIS_URL=" + c.URL()
	procs := []*consoleProc{startConsole(t, bin, url), startConsole(t, bin, url)}
	want := reference(t, bin, "erin")
	for i, in := range redisClaim {
		sameReplies(t, i, procs[i%2].send("erin", in), want[i])
	}
}

// consoleProc is a running `returnsbot console --json`.
type consoleProc struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	log   *bottest.LogBuffer
}

// startConsole starts the binary with the environment given (REDIS_URL ...), killed when
// the test ends.
func startConsole(t *testing.T, bin string, env ...string) *consoleProc {
	t.Helper()
	cmd := exec.Command(bin, "console", "--json", "--now", "2026-11-25")
	cmd.Env = append(os.Environ(), env...)
	stderr := &bottest.LogBuffer{} // written by the process while the test may print it
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &consoleProc{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 64), log: stderr}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

// kill ends the process with SIGKILL, as kill -9 does.
func (p *consoleProc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

// marker is a line the protocol answers with an error line: sent after each input, its
// answer tells where the replies to the input end.
const marker = `{"text":"end of input marker"}`

// send writes one input of user and returns the reply lines to it.
func (p *consoleProc) send(user, fields string) []string {
	p.t.Helper()
	p.write(user, fields)
	return p.read()
}

func (p *consoleProc) write(user, fields string) {
	p.t.Helper()
	if _, err := fmt.Fprintf(p.stdin, "{\"user\":%q,%s}\n%s\n", user, fields, marker); err != nil {
		p.t.Fatalf("write to returnsbot: %v", err)
	}
}

func (p *consoleProc) read() []string {
	p.t.Helper()
	var got []string
	timeout := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("returnsbot ended early; replies so far %q; stderr:\n%s", got, p.log)
			}
			if strings.HasPrefix(line, `{"error":"missing \"user\""`) {
				return got
			}
			got = append(got, line)
		case <-timeout:
			p.t.Fatalf("no answer from returnsbot within 20s; replies so far %q; stderr:\n%s", got, p.log)
		}
	}
}

// reference runs the claim in one process on the in-memory store: what every Redis run
// must answer, input for input.
func reference(t *testing.T, bin, user string) [][]string {
	t.Helper()
	p := startConsole(t, bin, "REDIS_URL=")
	var want [][]string
	for _, in := range redisClaim {
		want = append(want, p.send(user, in))
	}
	last := want[len(want)-2]
	if !strings.Contains(strings.Join(last, ""), `"outcome":"warranty_repair"`) {
		t.Fatalf("reference claim did not end in warranty_repair: %q", last)
	}
	return want
}

// claimIDs matches claim ids: processes sharing a Redis draw the same ids under one --now
// and the store makes all but the first draw another, so ids are compared masked.
var claimIDs = regexp.MustCompile(`R-[2-9A-Z]{6}`)

func sameReplies(t *testing.T, step int, got, want []string) {
	t.Helper()
	mask := func(ss []string) string { return claimIDs.ReplaceAllString(strings.Join(ss, "\n"), "R-XXXXXX") }
	if mask(got) != mask(want) {
		t.Fatalf("input %d (%s): got replies\n%s\nwant\n%s", step, redisClaim[step], strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// testTwoProcesses has two processes share one Redis, with every customer's
// messages alternating between them, and two customers at once: each dialog must go
// exactly as it does in one process.
func testTwoProcesses(t *testing.T, bin string) {
	srv := redistest.Start(t)
	url := "REDIS_URL=" + srv.URL()
	procs := []*consoleProc{startConsole(t, bin, url), startConsole(t, bin, url)}
	want := reference(t, bin, "alice")
	wantBob := reference(t, bin, "bob")
	for i, in := range redisClaim {
		a, b := procs[i%2], procs[(i+1)%2]
		// Both inputs are in flight at once, in different processes.
		a.write("alice", in)
		b.write("bob", in)
		sameReplies(t, i, a.read(), want[i])
		sameReplies(t, i, b.read(), wantBob[i])
	}
}

// testKillMidConversation kills the process with SIGKILL mid-claim; a new process
// must go on from the last answer.
func testKillMidConversation(t *testing.T, bin string) {
	srv := redistest.Start(t)
	url := "REDIS_URL=" + srv.URL()
	want := reference(t, bin, "carol")
	p := startConsole(t, bin, url)
	for i, in := range redisClaim[:3] {
		sameReplies(t, i, p.send("carol", in), want[i])
	}
	p.kill()
	p = startConsole(t, bin, url)
	for i, in := range redisClaim[3:] {
		sameReplies(t, i+3, p.send("carol", in), want[i+3])
	}
}

// testRedisRestart kills Redis mid-claim: the customer is told to try
// again in a moment; once Redis is back, sending the same message again goes on as if
// nothing happened.
func testRedisRestart(t *testing.T, bin string) {
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	want := reference(t, bin, "dave")
	p := startConsole(t, bin, "REDIS_URL="+srv.URL())
	for i, in := range redisClaim[:3] {
		sameReplies(t, i, p.send("dave", in), want[i])
	}
	srv.Kill()
	got := p.send("dave", redisClaim[3])
	var out struct {
		Text     string `json:"text"`
		Awaiting string `json:"awaiting"`
	}
	if len(got) != 1 || json.Unmarshal([]byte(got[0]), &out) != nil || out.Text != bot.TryAgainText {
		t.Fatalf("with Redis down: got %q, want one line saying %q", got, bot.TryAgainText)
	}
	srv.Restart()
	for i, in := range redisClaim[3:] {
		sameReplies(t, i+3, p.send("dave", in), want[i+3])
	}
}

// TestRedisConfigErrors checks the environment is validated with messages that say what
// is wrong, without repeating a password.
func TestRedisConfigErrors(t *testing.T) {
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"REDIS_URL", "http://:hunter2@localhost"}, "scheme must be"},
		{[]string{"REDIS_URL", "redis://:hunter2@localhost:%zz"}, "not a valid URL"},
		{[]string{"REDIS_URL", "redis://:hunter2@127.0.0.1:1", "REDIS_SESSION_TTL", "a month"}, "REDIS_SESSION_TTL"},
		{[]string{"REDIS_URL", "redis://:hunter2@127.0.0.1:1", "REDIS_SESSION_TTL", "-1h"}, "REDIS_SESSION_TTL"},
		{[]string{"REDIS_URL", "redis://:hunter2@127.0.0.1:1", "REDIS_AUTOPIPELINE", "maybe"}, "REDIS_AUTOPIPELINE"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.env, "="), func(t *testing.T) {
			vars := map[string]string{}
			for i := 0; i < len(tt.env); i += 2 {
				vars[tt.env[i]] = tt.env[i+1]
			}
			var stdout, stderr strings.Builder
			err := run(context.Background(), []string{"console", "--json"}, func(k string) string { return vars[k] },
				strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run: error %v, want one saying %q", err, tt.want)
			}
			if all := err.Error() + stdout.String() + stderr.String(); strings.Contains(all, "hunter2") {
				t.Fatalf("the password shows in the output: %s", all)
			}
		})
	}
}

// TestRedisDownAtStart checks that a Redis not answering when the bot starts costs the
// customer a try-again answer, not a crash, and that the log does not show the password.
func TestRedisDownAtStart(t *testing.T) {
	var stdout, stderr strings.Builder
	vars := map[string]string{"REDIS_URL": "redis://:hunter2@127.0.0.1:1"}
	err := run(context.Background(), []string{"console", "--json"}, func(k string) string { return vars[k] },
		strings.NewReader(`{"user":"erin","text":"hi"}`+"\n"), &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(stdout.String(), "send your message again in a moment") {
		t.Fatalf("stdout %q, want the try-again answer", stdout.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), "hunter2") {
		t.Fatalf("the password shows in the output:\n%s\n%s", stdout.String(), stderr.String())
	}
}

// TestRedisDuplicateAcrossInstances delivers the same update to two instances at once,
// as a platform retrying a webhook might: exactly one of them answers it.
func TestRedisDuplicateAcrossInstances(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t)
	svc := make([]*bot.Service, 2)
	for i := range svc {
		rdb, err := redisstore.NewClient(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rdb.Close() })
		svc[i] = &bot.Service{
			Engine: dialog.NewEngine(policy.Default()),
			Store:  redisstore.New(rdb, redisstore.Options{Prefix: prefix}),
			Now:    func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
		}
	}
	ctx := context.Background()
	from := bot.Address{Platform: "telegram", Chat: "4242"}
	for i, text := range []string{"hi", "2026-06-01", "yes", "no"} {
		m := bot.Message{ID: strconv.Itoa(1000 + i), From: from, Text: text}
		replies := make([][]bot.Outbound, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for j := range svc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies[j], errs[j] = svc[j].Handle(ctx, m)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("message %d: errors %v, %v", i, errs[0], errs[1])
		}
		if answered := btoi(len(replies[0]) > 0) + btoi(len(replies[1]) > 0); answered != 1 {
			t.Fatalf("message %d %q delivered to both instances: %d of them answered, want exactly 1", i, text, answered)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRedisDuplicateAfterRing redelivers an update after more have come than the
// session's ring of recent ids holds, as a platform retrying a day-old webhook might:
// bot.Service must drop it without an answer or an error.
func TestRedisDuplicateAfterRing(t *testing.T) {
	rdb, err := redisstore.NewClient(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	svc := &bot.Service{
		Engine: dialog.NewEngine(policy.Default()),
		Store:  redisstore.New(rdb, redisstore.Options{Prefix: redistest.Prefix(t)}),
		Now:    func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
	}
	ctx := context.Background()
	from := bot.Address{Platform: "telegram", Chat: "777"}
	for i := range 12 {
		out, err := svc.Handle(ctx, bot.Message{ID: strconv.Itoa(5000 + i), From: from, Text: "hello"})
		if err != nil || len(out) == 0 {
			t.Fatalf("message %d: %d replies, error %v; want an answer", i, len(out), err)
		}
	}
	out, err := svc.Handle(ctx, bot.Message{ID: "5001", From: from, Text: "hello"})
	if err != nil || len(out) != 0 {
		t.Fatalf("redelivered update: %d replies, error %v; want it dropped silently", len(out), err)
	}
}
