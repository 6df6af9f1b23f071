// Package gosupport is what the Go client suites share: the service under test built once and run as
// a real process (stopped or killed by PID), and bounded waits. Standard library only.
package gosupport

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RunWithBinary is a TestMain body: it checks CONSUL_HTTP_ADDR, builds the command package pkg
// (e.g. "./cmd/greeter") into a temp dir, stores its path in *bin, runs the tests and cleans up.
func RunWithBinary(m *testing.M, pkg string, bin *string) int {
	if os.Getenv("CONSUL_HTTP_ADDR") == "" {
		fmt.Println("CONSUL_HTTP_ADDR is not set (host:port of a Beacon)")
		return 2
	}
	dir, err := os.MkdirTemp("", "beacon-client-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	*bin = filepath.Join(dir, filepath.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", *bin, pkg).CombinedOutput(); err != nil {
		fmt.Printf("building %s: %v\n%s", pkg, err, out)
		return 2
	}
	return m.Run()
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Proc is one running service process.
type Proc struct {
	name   string
	cmd    *exec.Cmd
	out    *syncBuffer
	done   chan struct{}
	waited error
}

// Start runs bin with env added to the test's environment; the process is killed (by PID) when the test
// ends if still running, and its output is logged when the test failed.
func Start(t *testing.T, name, bin string, env ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	p := &Proc{name: name, cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() { p.waited = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.out.String())
		}
	})
	return p
}

// Output is everything the process printed so far.
func (p *Proc) Output() string { return p.out.String() }

// Signal sends sig and waits (bounded) for the process to exit.
func (p *Proc) Signal(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signalling %s: %v", p.name, err)
	}
	select {
	case <-p.done:
		return p.waited
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not exit after %v", p.name, sig)
		return nil
	}
}

// WaitOutput waits (bounded) until the process has printed s.
func (p *Proc) WaitOutput(t *testing.T, s string) {
	t.Helper()
	Eventually(t, 45*time.Second, "output "+s, func() bool { return strings.Contains(p.Output(), s) })
}

// Eventually polls cond until it holds, failing the test after bound.
func Eventually(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Receive waits (bounded) for a value from ch that satisfies ok, for watches and discovery updates;
// on timeout it fails the test with the last value seen.
func Receive[T any](t *testing.T, bound time.Duration, what string, ch <-chan T, ok func(T) bool) T {
	t.Helper()
	deadline := time.After(bound)
	var last T
	for {
		select {
		case v := <-ch:
			if ok(v) {
				return v
			}
			last = v
		case <-deadline:
			t.Fatalf("%s: no matching value; last seen %#v", what, last)
		}
	}
}
