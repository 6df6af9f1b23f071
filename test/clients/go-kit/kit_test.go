// go-kit's sd/consul against Beacon: a Registrar in a real service process with the HTTP or TCP
// check Beacon runs itself, and an Instancer + Endpointer + lb.Retry calling it, the instance set
// following register / deregister / check state through the Instancer's blocking health queries.
package gokit

import (
	"beacon.test/clients/gosupport"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	"github.com/go-kit/kit/sd/consul"
	"github.com/go-kit/kit/sd/lb"
	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"
	consulapi "github.com/hashicorp/consul/api"
)

var api *consulapi.Client

func newAPI(t *testing.T) *consulapi.Client {
	t.Helper()
	if api == nil {
		cfg := consulapi.DefaultConfig()
		cfg.Address = os.Getenv("CONSUL_HTTP_ADDR")
		c, err := consulapi.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		api = c
	}
	return api
}

// watcher is the calling side: go-kit's Instancer (passing only, two tags: the first goes to Beacon,
// the second is filtered client-side), an Endpointer over it, round robin and lb.Retry.
type watcher struct {
	mu     sync.Mutex
	last   sd.Event
	call   endpoint.Endpoint
	events chan sd.Event
}

func watch(t *testing.T, name string) *watcher {
	t.Helper()
	logger := log.NewLogfmtLogger(io.Discard)
	if testing.Verbose() {
		logger = log.With(log.NewLogfmtLogger(os.Stdout), "component", "instancer")
	}
	instancer := consul.NewInstancer(consul.NewClient(newAPI(t)), logger, name, []string{"kit", "beacon"}, true)
	w := &watcher{events: make(chan sd.Event, 16)}
	instancer.Register(w.events)
	endpointer := sd.NewEndpointer(instancer, helloFactory, logger)
	w.call = lb.Retry(3, 10*time.Second, lb.NewRoundRobin(endpointer))
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case ev := <-w.events:
				w.mu.Lock()
				w.last = ev
				w.mu.Unlock()
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() {
		instancer.Deregister(w.events)
		instancer.Stop()
		endpointer.Close()
		close(stop)
	})
	return w
}

func (w *watcher) instances() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.last.Instances)
	slices.Sort(out)
	return out
}

// awaitInstances waits (bounded) until the Instancer's latest event lists exactly want.
func (w *watcher) awaitInstances(t *testing.T, want ...string) {
	t.Helper()
	slices.Sort(want)
	eventually(t, fmt.Sprintf("instances %v (have %v)", want, w.instances()), func() bool {
		return slices.Equal(w.instances(), want)
	})
}

// hello calls the service through lb.Retry and returns the answering instance's id.
func (w *watcher) hello(t *testing.T) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rsp, err := w.call(ctx, struct{}{})
	if err != nil {
		return "", err
	}
	return rsp.(helloResponse).Instance, nil
}

type helloResponse struct {
	Instance string `json:"instance"`
}

func helloFactory(instance string) (endpoint.Endpoint, io.Closer, error) {
	target, err := url.Parse("http://" + instance + "/hello")
	if err != nil {
		return nil, nil, err
	}
	client := kithttp.NewClient(http.MethodGet, target,
		func(context.Context, *http.Request, interface{}) error { return nil },
		func(_ context.Context, r *http.Response) (interface{}, error) {
			if r.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("status %d", r.StatusCode)
			}
			var rsp helloResponse
			return rsp, json.NewDecoder(r.Body).Decode(&rsp)
		})
	return client.Endpoint(), nil, nil
}

var readyLine = regexp.MustCompile(`ready on port (\d+)`)

// instance waits for the service to have registered and returns its host:port.
func (p *proc) instance(t *testing.T) string {
	t.Helper()
	p.WaitOutput(t, "ready on port")
	port, _ := strconv.Atoi(readyLine.FindStringSubmatch(p.Output())[1])
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// setHealth makes the service's /health answer code from now on.
func setHealth(t *testing.T, instance string, code int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, fmt.Sprintf("http://%s/health?code=%d", instance, code), nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}

// checkStatus is the status of the one check Beacon runs for service id.
func checkStatus(t *testing.T, name, id string) string {
	t.Helper()
	checks, _, err := newAPI(t).Health().Checks(name, nil)
	if err != nil {
		t.Fatalf("health/checks: %v", err)
	}
	for _, c := range checks {
		if c.ServiceID == id {
			return c.Status
		}
	}
	return ""
}

func registered(t *testing.T, id string) bool {
	t.Helper()
	services, err := newAPI(t).Agent().Services()
	if err != nil {
		t.Fatalf("agent/services: %v", err)
	}
	_, ok := services[id]
	return ok
}

func TestRegistrarAndInstancerCallTheServiceUntilItDeregisters(t *testing.T) {
	name, id := gosupport.Unique("kit-hello"), gosupport.Unique("a")
	w := watch(t, name)
	p := startService(t, name, id, "http")
	addr := p.instance(t)
	// In the passing set once Beacon has run the HTTP check (a new check starts critical).
	w.awaitInstances(t, addr)
	if got, err := w.hello(t); err != nil || got != id {
		t.Fatalf("hello answered %q, %v; want %s", got, err, id)
	}
	svc, _, err := newAPI(t).Agent().Service(id, nil)
	if err != nil || svc.Service != name || svc.Port == 0 || !slices.Contains(svc.Tags, "beacon") {
		t.Fatalf("registration %+v, %v", svc, err)
	}

	if err := p.Signal(t, syscall.SIGTERM); err != nil {
		t.Fatalf("the service exited with %v", err)
	}
	if registered(t, id) {
		t.Fatalf("still registered after Deregister")
	}
	w.awaitInstances(t)
	if _, err := w.hello(t); err == nil {
		t.Fatalf("lb.Retry found an endpoint with no instance left")
	}
}

func TestHTTPCheckStatesMoveTheInstanceOutOfThePassingSetAndBack(t *testing.T) {
	name, id := gosupport.Unique("kit-states"), gosupport.Unique("a")
	w := watch(t, name)
	p := startService(t, name, id, "http")
	addr := p.instance(t)
	w.awaitInstances(t, addr)

	setHealth(t, addr, http.StatusTooManyRequests)
	w.awaitInstances(t)
	if got := checkStatus(t, name, id); got != consulapi.HealthWarning {
		t.Fatalf("a 429 made the check %q, want warning", got)
	}
	setHealth(t, addr, http.StatusInternalServerError)
	eventually(t, "the check to turn critical", func() bool { return checkStatus(t, name, id) == consulapi.HealthCritical })
	setHealth(t, addr, http.StatusOK)
	w.awaitInstances(t, addr)
	if got, err := w.hello(t); err != nil || got != id {
		t.Fatalf("hello answered %q, %v; want %s", got, err, id)
	}
	if err := p.Signal(t, syscall.SIGTERM); err != nil {
		t.Fatalf("the service exited with %v", err)
	}
	w.awaitInstances(t)
}

func TestKilledInstanceFailsItsCheckAndRetryKeepsUsingTheOther(t *testing.T) {
	name := gosupport.Unique("kit-pair")
	idA, idB := gosupport.Unique("a"), gosupport.Unique("b")
	w := watch(t, name)
	a, b := startService(t, name, idA, "http"), startService(t, name, idB, "http")
	addrA, addrB := a.instance(t), b.instance(t)
	w.awaitInstances(t, addrA, addrB)
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		got, err := w.hello(t)
		if err != nil {
			t.Fatalf("hello: %v", err)
		}
		seen[got] = true
	}
	if !seen[idA] || !seen[idB] {
		t.Fatalf("round robin reached %v, want both %s and %s", seen, idA, idB)
	}

	_ = a.Signal(t, syscall.SIGKILL)
	t.Cleanup(func() { _ = newAPI(t).Agent().ServiceDeregister(idA) })
	w.awaitInstances(t, addrB)
	if got := checkStatus(t, name, idA); got != consulapi.HealthCritical {
		t.Fatalf("the killed instance's check is %q, want critical", got)
	}
	for i := 0; i < 3; i++ {
		if got, err := w.hello(t); err != nil || got != idB {
			t.Fatalf("hello answered %q, %v; want %s", got, err, idB)
		}
	}
	if err := b.Signal(t, syscall.SIGTERM); err != nil {
		t.Fatalf("the service exited with %v", err)
	}
	w.awaitInstances(t)
}

func TestTCPCheckPassesWhileThePortListensAndFailsOnceItCloses(t *testing.T) {
	name, id := gosupport.Unique("kit-tcp"), gosupport.Unique("a")
	w := watch(t, name)
	p := startService(t, name, id, "tcp")
	addr := p.instance(t)
	w.awaitInstances(t, addr)
	if got, err := w.hello(t); err != nil || got != id {
		t.Fatalf("hello answered %q, %v; want %s", got, err, id)
	}
	_ = p.Signal(t, syscall.SIGKILL)
	t.Cleanup(func() { _ = newAPI(t).Agent().ServiceDeregister(id) })
	w.awaitInstances(t)
	if got := checkStatus(t, name, id); got != consulapi.HealthCritical {
		t.Fatalf("the closed port's check is %q, want critical", got)
	}
}
