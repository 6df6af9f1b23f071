package gomicro

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

// greeterBin is the service under test, built once by TestMain into a temp dir.
var greeterBin string

func TestMain(m *testing.M) {
	if os.Getenv("CONSUL_HTTP_ADDR") == "" {
		fmt.Println("CONSUL_HTTP_ADDR is not set (host:port of a Beacon)")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "go-micro-greeter-")
	if err != nil {
		panic(err)
	}
	greeterBin = filepath.Join(dir, "greeter")
	if out, err := exec.Command("go", "build", "-o", greeterBin, "./cmd/greeter").CombinedOutput(); err != nil {
		fmt.Printf("building the greeter: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
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

type proc struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	done   chan struct{}
	waited error
}

// startGreeter starts one greeter process; it is killed (by PID) when the test ends, if still running.
func startGreeter(t *testing.T, name, id, checkFile string) *proc {
	t.Helper()
	cmd := exec.Command(greeterBin)
	cmd.Env = append(os.Environ(),
		"GREETER_NAME="+name, "GREETER_ID="+id, "CHECK_FILE="+checkFile,
		"REGISTER_TTL="+ttl.String(), "REGISTER_INTERVAL="+interval.String())
	p := &proc{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the greeter: %v", err)
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
			t.Logf("greeter %s output:\n%s", id, p.out.String())
		}
	})
	return p
}

// signal sends sig and waits (bounded) for the process to exit.
func (p *proc) signal(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signalling the greeter: %v", err)
	}
	select {
	case <-p.done:
		return p.waited
	case <-time.After(30 * time.Second):
		t.Fatalf("the greeter did not exit after %v", sig)
		return nil
	}
}

// waitOutput waits (bounded) until the process has printed s.
func (p *proc) waitOutput(t *testing.T, s string) {
	t.Helper()
	eventually(t, "output "+s, func() bool { return strings.Contains(p.out.String(), s) })
}

// eventually polls cond until it holds, failing the test after a generous bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventuallyWithin(t, 45*time.Second, what, cond)
}

func eventuallyWithin(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
