package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServerStartsPrintsAndShutsDown runs the real binary as the README says (no configuration
// but a data dir and a port): it must print where it listens and the admin password once, serve
// /readyz, keep its secrets 0600, and exit cleanly on SIGTERM.
func TestServerStartsPrintsAndShutsDown(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "fayuan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	start := func() (*exec.Cmd, *bufio.Scanner) {
		cmd := exec.Command(bin)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "FAYUAN_ADDR="+addr, "FAYUAN_DATA_DIR="+filepath.Join(dir, "data"), "FAYUAN_DB_DRIVER=", "FAYUAN_DB_DSN=")
		stderr, _ := cmd.StderrPipe()
		cmd.Stdout = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd, bufio.NewScanner(stderr)
	}

	cmd, lines := start()
	var printed []string
	for lines.Scan() {
		printed = append(printed, lines.Text())
		if strings.Contains(lines.Text(), "listening on") {
			break
		}
	}
	all := strings.Join(printed, "\n")
	pw := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(all)
	if pw == nil || !strings.Contains(all, "listening on http://"+addr) {
		t.Fatalf("start-up output lacks the admin password or the address:\n%s", all)
	}
	waitReady(t, "http://"+addr+"/readyz")
	login := `{"username":"admin","password":"` + pw[1] + `"}`
	resp, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json", strings.NewReader(login))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login with the printed password: %v %v", resp, err)
	}
	resp.Body.Close()
	for _, k := range []string{"jwt.key", "encryption.key"} {
		st, err := os.Stat(filepath.Join(dir, "data", k))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v mode %v, want 0600", k, err, st)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}

	// A second start on the same data keeps the admin password secret: nothing printed.
	cmd2, lines2 := start()
	var second []string
	for lines2.Scan() {
		second = append(second, lines2.Text())
		if strings.Contains(lines2.Text(), "listening on") {
			break
		}
	}
	if strings.Contains(strings.Join(second, "\n"), "password") {
		t.Fatalf("second start printed a password:\n%s", strings.Join(second, "\n"))
	}
	_ = cmd2.Process.Signal(syscall.SIGTERM)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if r, err := http.Get(url); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered 200", url)
}
