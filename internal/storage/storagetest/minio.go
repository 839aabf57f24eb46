// Package storagetest is the one test suite every storage backend passes, and a real MinIO
// server on loopback for the S3 backend's tests.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"fayuan/internal/storage"
)

// minioServer is started once per test binary and dies with it (Pdeathsig); each test gets
// its own bucket.
var minioServer struct {
	once     sync.Once
	endpoint string
	err      error
}

const minioUser, minioPassword = "fayuantest", "fayuantest-secret"

// MinIOBinary finds the MinIO server: $FAYUAN_TEST_MINIO, minio on PATH, or
// $(go env GOPATH)/bin/minio where `go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c` puts it.
func MinIOBinary() (string, error) {
	if p := os.Getenv("FAYUAN_TEST_MINIO"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "minio")
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("the MinIO server is missing: the S3 storage tests need it. Install it with " +
		"`go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c` (several minutes), or point FAYUAN_TEST_MINIO at a minio binary")
}

// S3 returns the configuration of a fresh bucket on the test MinIO server, starting the server
// on first use. A missing binary fails the test: the S3 backend is never silently untested.
func S3(t testing.TB) storage.S3Config {
	t.Helper()
	minioServer.once.Do(func() { minioServer.endpoint, minioServer.err = startMinIO() })
	if minioServer.err != nil {
		t.Fatalf("%v", minioServer.err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return storage.S3Config{Endpoint: minioServer.endpoint, Bucket: "fayuan-test-" + hex.EncodeToString(b),
		AccessKey: minioUser, SecretKey: minioPassword, Prefix: "photos/"}
}

func startMinIO() (string, error) {
	bin, err := MinIOBinary()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "fayuan-minio-")
	if err != nil {
		return "", err
	}
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	console, err := freeAddr()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, "--console-address", console, dir)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+minioUser, "MINIO_ROOT_PASSWORD="+minioPassword,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	// The server must not outlive the test binary, whichever way it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start MinIO (%s): %v", bin, err)
	}
	go func() { _ = cmd.Wait(); _ = os.RemoveAll(dir) }()
	c, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(minioUser, minioPassword, "")})
	if err != nil {
		return "", err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		// The health endpoint answers before the object layer is up: ask for real work instead.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := c.ListBuckets(ctx)
		cancel()
		if err == nil {
			return addr, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return "", fmt.Errorf("MinIO (%s) did not get ready on %s within 60 s: %s", bin, addr, logs.String())
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
