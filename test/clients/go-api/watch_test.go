package goapi

import (
	"beacon.test/clients/gosupport"
	"os"
	"testing"

	"github.com/hashicorp/consul/api"
	"github.com/hashicorp/consul/api/watch"
	"github.com/hashicorp/go-hclog"
)

// runPlan starts an api/watch plan (blocking queries, as `consul watch` runs them) and hands every
// value its handler receives to the returned channel until the test ends.
func runPlan(t *testing.T, c *api.Client, params map[string]any) <-chan any {
	t.Helper()
	plan, err := watch.Parse(params)
	gosupport.Must(t, err)
	values, done := make(chan any), make(chan struct{})
	plan.Handler = func(_ uint64, raw any) {
		select {
		case values <- raw:
		case <-done:
		}
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: "watch", Output: os.Stderr, Level: hclog.Warn})
	go func() { _ = plan.RunWithClientAndHclog(c, logger) }()
	t.Cleanup(func() {
		close(done)
		plan.Stop()
	})
	return values
}

type watchStep struct {
	what   string
	change func(t *testing.T)
	seen   func(raw any) bool
}

func TestWatchPlans(t *testing.T) {
	c := newClient(t)
	kv, agent := c.KV(), c.Agent()
	key, prefix, svc, event := gosupport.Unique("goapi-watch")+"/key", gosupport.Unique("goapi-watch")+"/", gosupport.Unique("goapi-watch-svc"), gosupport.Unique("goapi-watch-ev")
	put := func(k, v string) func(t *testing.T) {
		return func(t *testing.T) {
			_, err := kv.Put(&api.KVPair{Key: k, Value: []byte(v)}, nil)
			gosupport.Must(t, err)
		}
	}
	nothing := func(t *testing.T) {}
	value := func(v string) func(any) bool {
		return func(raw any) bool { p, ok := raw.(*api.KVPair); return ok && string(p.Value) == v }
	}
	entries := func(raw any) []*api.ServiceEntry { e, _ := raw.([]*api.ServiceEntry); return e }
	checkStatus := func(raw any) string {
		checks, _ := raw.([]*api.HealthCheck)
		for _, ch := range checks {
			if ch.ServiceID == svc+"-1" {
				return ch.Status
			}
		}
		return ""
	}
	var fired string
	t.Cleanup(func() { _ = agent.ServiceDeregister(svc + "-1") })

	cases := []struct {
		name   string
		params map[string]any
		steps  []watchStep
	}{
		{"key", map[string]any{"type": "key", "key": key}, []watchStep{
			{"a missing key is nil", nothing, func(raw any) bool { return raw == nil }},
			{"a put shows the value", put(key, "v1"), value("v1")},
			{"an update shows the new value", put(key, "v2"), value("v2")},
			{"a delete is nil again", func(t *testing.T) { _, err := kv.Delete(key, nil); gosupport.Must(t, err) }, func(raw any) bool { return raw == nil }},
		}},
		{"keyprefix", map[string]any{"type": "keyprefix", "prefix": prefix}, []watchStep{
			{"one key", put(prefix+"a", "1"), func(raw any) bool { p, _ := raw.(api.KVPairs); return len(p) == 1 }},
			{"two keys, in order", put(prefix+"b", "2"), func(raw any) bool {
				p, _ := raw.(api.KVPairs)
				return len(p) == 2 && p[0].Key == prefix+"a" && string(p[1].Value) == "2"
			}},
			{"after DeleteTree, none", func(t *testing.T) { _, err := kv.DeleteTree(prefix, nil); gosupport.Must(t, err) }, func(raw any) bool { p, _ := raw.(api.KVPairs); return len(p) == 0 }},
		}},
		{"services", map[string]any{"type": "services"}, []watchStep{
			{"a registered service appears with its tags", func(t *testing.T) {
				gosupport.Must(t, agent.ServiceRegister(&api.AgentServiceRegistration{ID: svc + "-1", Name: svc, Port: 8443, Tags: []string{"tls"},
					Check: &api.AgentServiceCheck{CheckID: svc + "-1:ttl", TTL: "60s"}}))
			}, func(raw any) bool { m, _ := raw.(map[string][]string); return len(m[svc]) == 1 && m[svc][0] == "tls" }},
		}},
		{"service (passingonly)", map[string]any{"type": "service", "service": svc, "passingonly": true}, []watchStep{
			{"a critical instance is left out", nothing, func(raw any) bool { return len(entries(raw)) == 0 }},
			{"passing, it appears", func(t *testing.T) { gosupport.Must(t, agent.PassTTL(svc+"-1:ttl", "ok")) }, func(raw any) bool {
				e := entries(raw)
				return len(e) == 1 && e[0].Service.Port == 8443 && e[0].Checks.AggregatedStatus() == api.HealthPassing
			}},
		}},
		{"checks (service)", map[string]any{"type": "checks", "service": svc}, []watchStep{
			{"passing", nothing, func(raw any) bool { return checkStatus(raw) == api.HealthPassing }},
			{"a failed TTL turns it critical", func(t *testing.T) { gosupport.Must(t, agent.FailTTL(svc+"-1:ttl", "down")) }, func(raw any) bool { return checkStatus(raw) == api.HealthCritical }},
		}},
		{"event", map[string]any{"type": "event", "name": event}, []watchStep{
			{"a fired event is delivered with its payload", func(t *testing.T) {
				var err error
				fired, _, err = c.Event().Fire(&api.UserEvent{Name: event, Payload: []byte("go")}, nil)
				gosupport.Must(t, err)
			}, func(raw any) bool {
				events, _ := raw.([]*api.UserEvent)
				for _, e := range events {
					if e.ID == fired && string(e.Payload) == "go" {
						return true
					}
				}
				return false
			}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			values := runPlan(t, c, tc.params)
			for _, step := range tc.steps {
				step.change(t)
				eventually(t, step.what, values, step.seen)
			}
		})
	}
}
