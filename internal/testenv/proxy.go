package testenv

import (
	"io"
	"net"
	"regexp"
	"sync"
	"testing"
	"time"

	"fayuan/config"
)

// Proxy is a TCP relay between the server and its database that a test can cut (every live
// connection dropped, new ones closed at once) and restore, as a network failure would.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]struct{}
}

// NewProxy listens on 127.0.0.1:0 and relays to target until the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.Cut()
	})
	return p
}

// Addr is where the proxy listens.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut drops every relayed connection and refuses new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = map[net.Conn]struct{}{}
}

// Restore relays again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

func (p *Proxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.relay(in)
	}
}

func (p *Proxy) relay(in net.Conn) {
	p.mu.Lock()
	cut := p.cut
	p.mu.Unlock()
	if cut {
		_ = in.Close()
		return
	}
	out, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		_ = in.Close()
		return
	}
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		_ = in.Close()
		_ = out.Close()
		return
	}
	p.conns[in], p.conns[out] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	_ = in.Close()
	_ = out.Close()
	p.mu.Lock()
	delete(p.conns, in)
	delete(p.conns, out)
	p.mu.Unlock()
}

var tcpAddrRE = regexp.MustCompile(`tcp\(([^)]*)\)`)

// MySQLAddr is the host:port of the test MariaDB server.
func MySQLAddr() string {
	if m := tcpAddrRE.FindStringSubmatch(MySQLServerDSN()); m != nil {
		return m[1]
	}
	return "127.0.0.1:3306"
}

// ThroughProxy makes the server reach its MySQL database through p.
func ThroughProxy(p *Proxy) Option {
	return func(c *config.Config) {
		c.DBDSN = tcpAddrRE.ReplaceAllString(c.DBDSN, "tcp("+p.Addr()+")")
	}
}
