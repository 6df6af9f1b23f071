package gomicro

import (
	"os"
	"testing"
	"time"

	"beacon.test/clients/gosupport"
)

// greeterBin is the service under test, built once by TestMain into a temp dir.
var greeterBin string

func TestMain(m *testing.M) { os.Exit(gosupport.RunWithBinary(m, "./cmd/greeter", &greeterBin)) }

type proc = gosupport.Proc

// startGreeter starts one greeter process; it is killed (by PID) when the test ends, if still running.
func startGreeter(t *testing.T, name, id, checkFile string) *proc {
	t.Helper()
	return gosupport.Start(t, "greeter "+id, greeterBin,
		"GREETER_NAME="+name, "GREETER_ID="+id, "CHECK_FILE="+checkFile,
		"REGISTER_TTL="+ttl.String(), "REGISTER_INTERVAL="+interval.String())
}

// eventually polls cond until it holds, failing the test after a generous bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	gosupport.Eventually(t, 45*time.Second, what, cond)
}

func eventuallyWithin(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	gosupport.Eventually(t, bound, what, cond)
}
