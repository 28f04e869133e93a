package main

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// staleAfter is how long a connection may sit without a request before it counts as
// stale when room is needed: a real client (Telegram) sends its request at once.
const staleAfter = time.Second

// connLimit is a listener that holds at most max connections at once, and at most perIP
// from one remote address. When room is needed it closes stale connections (idle between
// requests, or open for staleAfter without sending one) instead of waiting for their
// timeouts, so clients that open connections and say nothing cannot keep a real webhook
// post out: a flood from one address is closed as fast as it is accepted, and the
// backlog drains.
type connLimit struct {
	net.Listener
	slots chan struct{}
	perIP int

	mu    sync.Mutex
	conns map[*limitedConn]connInfo
	byIP  map[string]int
}

type connInfo struct {
	state http.ConnState
	since time.Time
}

func newConnLimit(ln net.Listener, max, perIP int) *connLimit {
	if perIP <= 0 || perIP > max {
		perIP = max
	}
	return &connLimit{Listener: ln, slots: make(chan struct{}, max), perIP: perIP,
		conns: map[*limitedConn]connInfo{}, byIP: map[string]int{}}
}

func (l *connLimit) Accept() (net.Conn, error) {
	for {
		l.acquire()
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.slots
			return nil, err
		}
		ip := remoteIP(c)
		l.mu.Lock()
		full := l.byIP[ip] >= l.perIP
		l.mu.Unlock()
		if full {
			l.shed(ip)
			l.mu.Lock()
			full = l.byIP[ip] >= l.perIP
			l.mu.Unlock()
		}
		if full {
			c.Close()
			<-l.slots
			continue
		}
		lc := &limitedConn{Conn: c, l: l, ip: ip}
		l.mu.Lock()
		l.byIP[ip]++
		l.conns[lc] = connInfo{state: http.StateNew, since: time.Now()}
		l.mu.Unlock()
		return lc, nil
	}
}

// acquire takes a slot; while all are taken it closes the stale connections, again as
// more of them turn stale.
func (l *connLimit) acquire() {
	select {
	case l.slots <- struct{}{}:
		return
	default:
	}
	t := time.NewTicker(staleAfter / 4)
	defer t.Stop()
	for {
		l.shed("")
		select {
		case l.slots <- struct{}{}:
			return
		case <-t.C:
		}
	}
}

// track is the http.Server's ConnState hook: it records what each connection is doing.
func (l *connLimit) track(c net.Conn, s http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, open := l.conns[lc]; !open {
		return
	}
	switch s {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, lc)
	default:
		l.conns[lc] = connInfo{state: s, since: time.Now()}
	}
}

// shed closes the stale connections of ip, or of everyone when ip is "".
func (l *connLimit) shed(ip string) {
	now := time.Now()
	var stale []*limitedConn
	l.mu.Lock()
	for c, in := range l.conns {
		if ip != "" && c.ip != ip {
			continue
		}
		if in.state == http.StateIdle || in.state == http.StateNew && now.Sub(in.since) >= staleAfter {
			stale = append(stale, c)
		}
	}
	l.mu.Unlock()
	for _, c := range stale {
		c.Close()
	}
}

func (l *connLimit) release(c *limitedConn) {
	l.mu.Lock()
	delete(l.conns, c)
	if l.byIP[c.ip]--; l.byIP[c.ip] <= 0 {
		delete(l.byIP, c.ip)
	}
	l.mu.Unlock()
	<-l.slots
}

func remoteIP(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

type limitedConn struct {
	net.Conn
	l    *connLimit
	ip   string
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c) })
	return err
}
