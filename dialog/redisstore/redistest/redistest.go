// Package redistest gives tests a real Redis to talk to, in the manner of httptest: the
// one REDIS_TEST_URL names, else the one on 127.0.0.1:6379, else a temporary redis-server
// on a free loopback port. Tests that need to stop and restart Redis, or a Cluster, start
// their own servers. Redis tests never skip: when no Redis can be had, they fail and say
// why.
package redistest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/dialog/redisstore"
)

// DefaultAddr is the Redis tests use when REDIS_TEST_URL is unset and it answers.
const DefaultAddr = "127.0.0.1:6379"

// sharedAddr is DefaultAddr; tests of this package change it to play a machine
// without a Redis there.
var sharedAddr = DefaultAddr

// startTimeout bounds how long a started server may take to answer.
const startTimeout = 10 * time.Second

// URL returns the URL of a Redis for tb: REDIS_TEST_URL if set, else DefaultAddr if a
// Redis answers there, else a server started on the first call and shared, like the
// other two, by every test of the test binary (it dies with the binary). Tests that
// share a server keep apart by Prefix.
func URL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv("REDIS_TEST_URL"); u != "" {
		return u
	}
	if answers(sharedAddr) {
		return "redis://" + sharedAddr
	}
	fallback.Lock()
	defer fallback.Unlock()
	if fallback.url == "" {
		u, err := startShared()
		if err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		fallback.url = u
	}
	return fallback.url
}

// fallback is the server started for want of a shared Redis.
var fallback struct {
	sync.Mutex
	url string
}

// startShared starts a server that outlives the test that asked for it: it stops when
// the test binary does.
func startShared() (string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", fmt.Errorf("no Redis to test against: nothing answers at %s, REDIS_TEST_URL is unset, and redis-server is not installed", DefaultAddr)
	}
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return "", err
	}
	// Without persistence the server writes nothing but its log after the start: the
	// directory can go at once, and no test's cleanup has to wait for the server.
	defer os.RemoveAll(dir)
	s := &Server{Dir: dir}
	var lastErr error
	for range 3 { // a free port can be taken between picking and binding it
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", fmt.Errorf("find a free port: %w", err)
		}
		s.Addr = l.Addr().String()
		l.Close()
		if lastErr = s.start(bin); lastErr == nil {
			return s.URL(), nil
		}
	}
	return "", lastErr
}

// Client returns a client for the Redis URL(tb) names, closed when tb ends. It fails tb
// if that Redis does not answer a PING.
func Client(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	u := URL(tb)
	rdb, err := redisstore.NewClient(u)
	if err != nil {
		tb.Fatalf("redistest: REDIS_TEST_URL: %v", err)
	}
	tb.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		tb.Fatalf("redistest: Redis at %s does not answer: %v (set REDIS_TEST_URL, or install redis-server)", redactedURL(u), err)
	}
	return rdb
}

// Prefix returns a key prefix no other test uses, so tests can share one Redis. When tb
// ends, the keys starting with it are deleted from the Redis URL names, which would
// otherwise keep them for as long as their TTL says.
func Prefix(tb testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "rbtest:" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		u := os.Getenv("REDIS_TEST_URL")
		if u == "" && answers(sharedAddr) {
			u = "redis://" + sharedAddr
		}
		if u == "" {
			fallback.Lock()
			u = fallback.url
			fallback.Unlock()
		}
		if u == "" {
			return
		}
		if err := deleteKeys(u, prefix+"*"); err != nil {
			tb.Logf("redistest: delete the keys %s*: %v", prefix, err)
		}
	})
	return prefix
}

// deleteKeys deletes the keys matching pattern from every master of the Redis at u.
func deleteKeys(u, pattern string) error {
	rdb, err := redisstore.NewClient(u)
	if err != nil {
		return err
	}
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = redisstore.DeleteKeys(ctx, rdb, pattern)
	return err
}

// redactedURL hides the password a URL may hold: test logs are public.
func redactedURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(REDIS_TEST_URL)"
}

func answers(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	buf := make([]byte, 64)
	n, _ := c.Read(buf)
	// +PONG, or -NOAUTH from a Redis with a password: a Redis either way, but only an
	// open one is of use without REDIS_TEST_URL.
	return bytes.HasPrefix(buf[:n], []byte("+PONG"))
}

// Server is a redis-server process started for a test.
type Server struct {
	// Addr is host:port on loopback.
	Addr string
	// Dir is the server's working directory (its RDB and AOF files, and its log).
	Dir  string
	args []string
	// raw: args are the whole command line (a Sentinel's configuration file).
	raw bool
	tb  testing.TB

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start starts a redis-server on a free loopback port, with persistence off unless args
// (extra redis-server options, such as "--appendonly", "yes") turn it on. The server is
// killed when tb ends. It fails tb if redis-server cannot be found or started.
func Start(tb testing.TB, args ...string) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redistest: no Redis to test against: nothing answers at %s, REDIS_TEST_URL is unset, and redis-server is not installed", DefaultAddr)
	}
	s := &Server{Dir: tb.TempDir(), args: args, tb: tb}
	var lastErr error
	for range 3 { // a free port can be taken between picking and binding it
		s.Addr = freeAddr(tb)
		if lastErr = s.start(bin); lastErr == nil {
			tb.Cleanup(s.Kill)
			return s
		}
	}
	tb.Fatalf("redistest: %v", lastErr)
	return nil
}

// URL returns redis://Addr.
func (s *Server) URL() string { return "redis://" + s.Addr }

// Client returns a client of this server, closed when the test ends.
func (s *Server) Client(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	rdb, err := redisstore.NewClient(s.URL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}

func (s *Server) start(bin string) error {
	if s.raw {
		return s.startRaw(bin)
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	args := append([]string{
		"--port", port, "--bind", "127.0.0.1", "--dir", s.Dir, "--save", "",
		"--appendonly", "no", "--daemonize", "no", "--logfile", "redis.log",
	}, s.args...)
	return s.run(bin, args)
}

// startRaw starts the server with s.args alone (a configuration file, for a Sentinel).
func (s *Server) startRaw(bin string) error {
	s.raw = true
	return s.run(bin, s.args)
}

func (s *Server) run(bin string, args []string) error {
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.Dir
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(startTimeout)
	for !answers(s.Addr) {
		select {
		case <-exited:
			return fmt.Errorf("redis-server on %s exited at start: %s", s.Addr, s.logTail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("redis-server on %s did not answer within %v: %s", s.Addr, startTimeout, s.logTail())
		}
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	go func() {
		<-exited
		s.mu.Lock()
		if s.cmd == cmd {
			s.cmd = nil
		}
		s.mu.Unlock()
	}()
	return nil
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "redis.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// Kill stops the server at once, as kill -9 would: only what it already wrote to its
// append-only file survives. Killing a stopped server does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	waitGone(s.Addr)
}

// Restart starts the stopped server again on the same port and directory.
func (s *Server) Restart() {
	s.tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		s.tb.Fatal(err)
	}
	if err := s.start(bin); err != nil {
		s.tb.Fatalf("redistest: restart: %v", err)
	}
}

// waitGone waits until nothing answers at addr, so a restart can bind it.
func waitGone(addr string) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("redistest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// StartSentinel starts one Redis Sentinel (quorum 1) on a free loopback port watching
// master under the name masterName, and waits until it knows the master. Its URL()
// is that of a Sentinel; use SentinelURL for a redis+sentinel URL.
func StartSentinel(tb testing.TB, master *Server, masterName string) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redistest: starting a Sentinel needs redis-server: %v", err)
	}
	host, port, _ := net.SplitHostPort(master.Addr)
	s := &Server{Dir: tb.TempDir(), tb: tb}
	var lastErr error
	for range 3 {
		s.Addr = freeAddr(tb)
		_, sport, _ := net.SplitHostPort(s.Addr)
		// Sentinel rewrites its configuration file, so it must be its own and writable.
		conf := fmt.Sprintf("port %s\nbind 127.0.0.1\ndir %s\nlogfile redis.log\n"+
			"sentinel monitor %s %s %s 1\nsentinel down-after-milliseconds %s 500\nsentinel failover-timeout %s 5000\n",
			sport, s.Dir, masterName, host, port, masterName, masterName)
		path := filepath.Join(s.Dir, "sentinel.conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			tb.Fatal(err)
		}
		s.args = []string{path, "--sentinel"}
		if lastErr = s.startRaw(bin); lastErr == nil {
			tb.Cleanup(s.Kill)
			break
		}
	}
	if lastErr != nil {
		tb.Fatalf("redistest: %v", lastErr)
	}
	rdb := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		addr, err := rdb.GetMasterAddrByName(ctx, masterName).Result()
		if err == nil && len(addr) == 2 && net.JoinHostPort(addr[0], addr[1]) == master.Addr {
			return s
		}
		if ctx.Err() != nil {
			tb.Fatalf("redistest: Sentinel %s does not know master %s: %v %v", s.Addr, masterName, addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SentinelURL returns the redis+sentinel URL of Sentinels watching masterName.
func SentinelURL(masterName string, sentinels ...*Server) string {
	u := "redis+sentinel://" + sentinels[0].Addr + "?master_name=" + url.QueryEscape(masterName)
	for _, s := range sentinels[1:] {
		u += "&addr=" + s.Addr
	}
	return u
}

// Cluster is a Redis Cluster of masters without replicas, each a Server on loopback.
type Cluster struct {
	Servers []*Server
}

// StartCluster starts a Redis Cluster of n masters (3 at least) and waits until it
// serves every slot. It needs redis-server and redis-cli.
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	if n < 3 {
		tb.Fatalf("redistest: a cluster needs 3 masters or more, not %d", n)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		tb.Fatalf("redistest: starting a cluster needs redis-cli: %v", err)
	}
	c := &Cluster{}
	addrs := make([]string, n)
	for i := range n {
		s := Start(tb, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")
		c.Servers = append(c.Servers, s)
		addrs[i] = s.Addr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, s := range c.Servers {
		rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
		for {
			info, err := rdb.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if ctx.Err() != nil {
				rdb.Close()
				tb.Fatalf("redistest: cluster node %s not ready: %v %s", s.Addr, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		rdb.Close()
	}
	return c
}

// URL returns the redis+cluster URL of the cluster, naming every node.
func (c *Cluster) URL() string {
	u := "redis+cluster://" + c.Servers[0].Addr
	for i, s := range c.Servers[1:] {
		if i == 0 {
			u += "?"
		} else {
			u += "&"
		}
		u += "addr=" + s.Addr
	}
	return u
}
