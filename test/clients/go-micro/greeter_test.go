// go-micro v4 with the consul registry plugin against Beacon: a real service process (TTL check,
// register interval, RegisterCheck) and a real go-micro client calling it through the registry and
// its selector, whose cache follows Beacon through the plugin's blocking health/service watches.
package gomicro

import (
	"beacon.test/clients/gosupport"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-micro/plugins/v4/registry/consul"
	consulapi "github.com/hashicorp/consul/api"
	"go-micro.dev/v4"
	"go-micro.dev/v4/broker"
	"go-micro.dev/v4/client"
	"go-micro.dev/v4/registry"
	"go-micro.dev/v4/selector"

	"beacon.test/clients/go-micro/greeter"
)

// Short enough to keep the suite quick, long enough for a loaded 2-core machine to heartbeat in time.
const (
	ttl      = 5 * time.Second
	interval = time.Second
)

var (
	callerOnce sync.Once
	reg        registry.Registry
	sel        selector.Selector
	caller     client.Client
	api        *consulapi.Client
)

// setup builds the calling side once: go-micro's client and selector on the consul registry, and
// hashicorp/consul/api (the plugin's own dependency) to read what Beacon stored.
func setup(t *testing.T) {
	t.Helper()
	callerOnce.Do(func() {
		addr := os.Getenv("CONSUL_HTTP_ADDR")
		// The plugin probes agent/host on the address before it uses it.
		reg = consul.NewRegistry(registry.Addrs(addr))
		registry.DefaultRegistry = reg
		sel = selector.NewSelector(selector.Registry(reg))
		svc := micro.NewService(micro.Name("beacon-caller"), micro.Registry(reg), micro.Selector(sel),
			micro.Broker(broker.NewBroker(broker.Addrs("127.0.0.1:0"), broker.Registry(reg))))
		caller = svc.Client()
		cfg := consulapi.DefaultConfig()
		cfg.Address = addr
		var err error
		if api, err = consulapi.NewClient(cfg); err != nil {
			panic(err)
		}
	})
}

func checkFile(t *testing.T, state string) string {
	path := filepath.Join(t.TempDir(), "check")
	setCheck(t, path, state)
	return path
}

func setCheck(t *testing.T, path, state string) {
	if err := os.WriteFile(path, []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
}

// selected reports the node ids go-micro's selector offers for name (none when it errors).
func selected(name string) map[string]bool {
	ids := map[string]bool{}
	next, err := sel.Select(name)
	if err != nil {
		return ids
	}
	for i := 0; i < 8; i++ {
		if node, err := next(); err == nil {
			ids[node.Id] = true
		}
	}
	return ids
}

func hello(name string) (*greeter.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := caller.NewRequest(name, "Greeter.Hello", &greeter.Request{Name: "beacon"}, client.WithContentType("application/json"))
	rsp := &greeter.Response{}
	return rsp, caller.Call(ctx, req, rsp, client.WithRetries(0))
}

// entry is Beacon's health/service entry for one node id, or nil.
func entry(t *testing.T, name, nodeID string) *consulapi.ServiceEntry {
	t.Helper()
	entries, _, err := api.Health().Service(name, "", false, nil)
	if err != nil {
		t.Fatalf("health/service: %v", err)
	}
	for _, e := range entries {
		if e.Service.ID == nodeID {
			return e
		}
	}
	return nil
}

func checkStatus(t *testing.T, name, checkID string) string {
	t.Helper()
	checks, _, err := api.Health().Checks(name, nil)
	if err != nil {
		t.Fatalf("health/checks: %v", err)
	}
	for _, c := range checks {
		if c.CheckID == checkID {
			return c.Status
		}
	}
	return ""
}

func awaitCallable(t *testing.T, name, nodeID string) {
	t.Helper()
	eventually(t, "the selector to offer "+nodeID, func() bool { return selected(name)[nodeID] })
	rsp, err := hello(name)
	if err != nil {
		t.Fatalf("calling %s: %v", name, err)
	}
	if rsp.Greeting != "hello beacon" || rsp.Node != nodeID {
		t.Fatalf("answer %+v, want hello beacon from %s", rsp, nodeID)
	}
}

func TestCallsTheServiceThroughTheSelectorAndStoppingDeregistersIt(t *testing.T) {
	t.Parallel()
	setup(t)
	name, id := gosupport.Unique("micro-greeter"), gosupport.Unique("n")
	nodeID := name + "-" + id
	p := startGreeter(t, name, id, checkFile(t, "ok"))
	awaitCallable(t, name, nodeID)

	svc, _, err := api.Agent().Service(nodeID, nil)
	if err != nil {
		t.Fatalf("agent/service: %v", err)
	}
	if svc.Service != name || svc.Address != "127.0.0.1" || svc.Port == 0 || svc.Meta["suite"] != "beacon" {
		t.Fatalf("registration %+v", svc)
	}
	var version bool
	for _, tag := range svc.Tags {
		version = version || strings.HasPrefix(tag, "v-")
	}
	if !version {
		t.Fatalf("tags %v carry no encoded version", svc.Tags)
	}
	if got := checkStatus(t, name, "service:"+nodeID); got != consulapi.HealthPassing {
		t.Fatalf("TTL check service:%s is %q, want passing", nodeID, got)
	}
	listed, err := reg.ListServices()
	if err != nil || !slices.ContainsFunc(listed, func(s *registry.Service) bool { return s.Name == name }) {
		t.Fatalf("ListServices: %v, %d services without %s", err, len(listed), name)
	}
	found, err := reg.GetService(name)
	if err != nil || len(found) != 1 || found[0].Version != "1.0.0" || len(found[0].Nodes) != 1 ||
		found[0].Nodes[0].Metadata["suite"] != "beacon" || len(found[0].Endpoints) != 1 || found[0].Endpoints[0].Name != "Greeter.Hello" {
		t.Fatalf("GetService decoded %+v, %v", found, err)
	}

	if err := p.Signal(t, syscall.SIGTERM); err != nil {
		t.Fatalf("the greeter exited with %v", err)
	}
	if !strings.Contains(p.Output(), "stopped cleanly") {
		t.Fatalf("no clean stop")
	}
	// Deregistered before the process exited: gone from Beacon at once, with its check.
	if e := entry(t, name, nodeID); e != nil {
		t.Fatalf("still registered after a clean stop: %+v", e.Service)
	}
	if got := checkStatus(t, name, "service:"+nodeID); got != "" {
		t.Fatalf("check left behind: %q", got)
	}
	eventually(t, "the selector to drop "+nodeID, func() bool { return !selected(name)[nodeID] })
	if _, err := hello(name); err == nil {
		t.Fatalf("a call succeeded after the only instance stopped")
	}
}

func TestKilledServiceLeavesTheSelectorOnceItsTTLExpiresAndIsReapedLater(t *testing.T) {
	t.Parallel() // waits out the reap; the other tests run meanwhile
	setup(t)
	name, id := gosupport.Unique("micro-killed"), gosupport.Unique("n")
	nodeID := name + "-" + id
	p := startGreeter(t, name, id, checkFile(t, "ok"))
	awaitCallable(t, name, nodeID)
	t.Cleanup(func() { _ = api.Agent().ServiceDeregister(nodeID) })

	_ = p.Signal(t, syscall.SIGKILL)
	eventually(t, "the TTL check to expire", func() bool {
		return checkStatus(t, name, "service:"+nodeID) == consulapi.HealthCritical
	})
	// Still in the catalog (go-micro asks for DeregisterCriticalServiceAfter 1m5s), but critical, so
	// the plugin's watch drops it from the selector's cache.
	if e := entry(t, name, nodeID); e == nil {
		t.Fatalf("reaped before DeregisterCriticalServiceAfter")
	}
	eventually(t, "the selector to drop "+nodeID, func() bool { return !selected(name)[nodeID] })
	if _, err := hello(name); err == nil {
		t.Fatalf("a call succeeded after the only instance was killed")
	}
	// Beacon runs go-micro's DeregisterCriticalServiceAfter ("1m5s") itself: the entry goes, check and all.
	eventuallyWithin(t, 3*time.Minute, "the critical service to be reaped", func() bool {
		return entry(t, name, nodeID) == nil && checkStatus(t, name, "service:"+nodeID) == ""
	})
}

func TestFailingRegisterCheckDeregistersTheService(t *testing.T) {
	t.Parallel()
	setup(t)
	name, id := gosupport.Unique("micro-check"), gosupport.Unique("n")
	nodeID := name + "-" + id
	file := checkFile(t, "ok")
	p := startGreeter(t, name, id, file)
	awaitCallable(t, name, nodeID)
	before := entry(t, name, nodeID).Service.CreateIndex

	setCheck(t, file, "fail")
	p.WaitOutput(t, "deregister it")
	// go-micro 4.11 deregisters, then falls through to Register in the same tick: the instance Beacon
	// lists afterwards is a new registration (a re-register of a live one keeps its CreateIndex).
	eventually(t, "a fresh registration after the deregister", func() bool {
		e := entry(t, name, nodeID)
		return e != nil && e.Service.CreateIndex > before
	})
	if n := strings.Count(p.Output(), "Deregistering node: "+nodeID); n < 1 {
		t.Fatalf("go-micro did not deregister:\n%s", p.Output())
	}

	setCheck(t, file, "ok")
	awaitCallable(t, name, nodeID)
	if err := p.Signal(t, syscall.SIGTERM); err != nil {
		t.Fatalf("the greeter exited with %v", err)
	}
	if e := entry(t, name, nodeID); e != nil {
		t.Fatalf("still registered after a clean stop")
	}
}

func TestServiceWhoseRegisterCheckFailsAtStartIsNotRegisteredUntilItPasses(t *testing.T) {
	t.Parallel()
	setup(t)
	name, id := gosupport.Unique("micro-late"), gosupport.Unique("n")
	nodeID := name + "-" + id
	file := checkFile(t, "fail")
	p := startGreeter(t, name, id, file)
	// One failure at start and one on the next interval: never registered in between.
	eventually(t, "two failed register checks", func() bool {
		return strings.Count(p.Output(), "register check error") >= 2
	})
	if e := entry(t, name, nodeID); e != nil {
		t.Fatalf("registered although its check fails: %+v", e.Service)
	}
	if len(selected(name)) != 0 {
		t.Fatalf("the selector offers a service that never registered")
	}

	setCheck(t, file, "ok")
	awaitCallable(t, name, nodeID)
	if err := p.Signal(t, syscall.SIGTERM); err != nil {
		t.Fatalf("the greeter exited with %v", err)
	}
}
