package gokit

import (
	"os"
	"testing"
	"time"

	"beacon.test/clients/gosupport"
)

// serviceBin is the service under test, built once by TestMain into a temp dir.
var serviceBin string

func TestMain(m *testing.M) { os.Exit(gosupport.RunWithBinary(m, "./cmd/kitsvc", &serviceBin)) }

// proc is a running service; kit_test.go adds instance().
type proc struct{ *gosupport.Proc }

// startService starts one service process; it is killed (by PID) when the test ends, if still running.
func startService(t *testing.T, name, id, check string) *proc {
	t.Helper()
	return &proc{gosupport.Start(t, "service "+id, serviceBin, "KIT_NAME="+name, "KIT_ID="+id, "KIT_CHECK="+check)}
}

// eventually polls cond until it holds, failing the test after a generous bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	gosupport.Eventually(t, 45*time.Second, what, cond)
}
