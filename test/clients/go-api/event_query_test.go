package goapi

import (
	"beacon.test/clients/gosupport"
	"testing"

	"github.com/hashicorp/consul/api"
)

func TestEvent(t *testing.T) {
	c := newClient(t)
	events := c.Event()
	name := gosupport.Unique("goapi-event")
	var id string

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Fire answers the event's ID", func(t *testing.T) {
			var err error
			id, _, err = events.Fire(&api.UserEvent{Name: name, Payload: []byte("deploy v2"), ServiceFilter: "web"}, nil)
			gosupport.Must(t, err)
			if len(id) != 36 {
				t.Fatalf("event ID %q", id)
			}
		}},
		{"List by name returns it with payload and filters; the index is IDToIndex of the newest", func(t *testing.T) {
			list, meta, err := events.List(name, nil)
			gosupport.Must(t, err)
			equal(t, "events", len(list), 1)
			e := list[0]
			equal(t, "event", []any{e.ID, e.Name, string(e.Payload), e.ServiceFilter, e.Version}, []any{id, name, "deploy v2", "web", 1})
			equal(t, "index", meta.LastIndex, events.IDToIndex(id))
		}},
		{"a tag filter without a service filter is refused with Consul's 500 and text", func(t *testing.T) {
			_, _, err := events.Fire(&api.UserEvent{Name: name, TagFilter: "v1"}, nil)
			if e, ok := err.(api.StatusError); !ok || e.Code != 500 || e.Body != "Cannot provide tag filter without service filter" {
				t.Fatalf("Fire: %v", err)
			}
			list, _, err := events.List(name, nil)
			gosupport.Must(t, err)
			equal(t, "events after the refused one", len(list), 1)
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}

func TestPreparedQuery(t *testing.T) {
	c := newClient(t)
	queries := c.PreparedQuery()
	svc, name := gosupport.Unique("goapi-pq-svc"), gosupport.Unique("goapi-pq")
	for i, status := range []string{api.HealthPassing, api.HealthCritical} {
		id := svc + []string{"-ok", "-down"}[i]
		gosupport.Must(t, c.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: id, Name: svc, Port: 9000 + i, Address: "10.4.0.1", Tags: []string{"blue"},
			Check: &api.AgentServiceCheck{CheckID: id + ":ttl", TTL: "60s", Status: status}}))
		defer c.Agent().ServiceDeregister(id)
	}
	var id string

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Create with Go's full definition (empty template, failover, DNS TTL)", func(t *testing.T) {
			var err error
			id, _, err = queries.Create(&api.PreparedQueryDefinition{Name: name,
				Service: api.ServiceQuery{Service: svc, Tags: []string{"blue"}, Failover: api.QueryFailoverOptions{NearestN: 1}},
				DNS:     api.QueryDNSOptions{TTL: "10s"}}, nil)
			gosupport.Must(t, err)
			if len(id) != 36 {
				t.Fatalf("query ID %q", id)
			}
		}},
		{"Get and List return the definition", func(t *testing.T) {
			got, _, err := queries.Get(id, nil)
			gosupport.Must(t, err)
			equal(t, "get", []any{len(got), got[0].Name, got[0].Service.Service, got[0].Service.Tags, got[0].DNS.TTL, got[0].Service.Failover.NearestN},
				[]any{1, name, svc, []string{"blue"}, "10s", 1})
			all, _, err := queries.List(nil)
			gosupport.Must(t, err)
			found := false
			for _, q := range all {
				found = found || q.ID == id
			}
			equal(t, "listed", found, true)
		}},
		{"Execute by name drops the critical instance", func(t *testing.T) {
			res, _, err := queries.Execute(name, nil)
			gosupport.Must(t, err)
			equal(t, "execute", []any{res.Service, res.Datacenter, res.Failovers, res.DNS.TTL, len(res.Nodes)}, []any{svc, "dc1", 0, "10s", 1})
			equal(t, "instance", []any{res.Nodes[0].Service.ID, res.Nodes[0].Service.Port}, []any{svc + "-ok", 9000})
		}},
		{"Update with OnlyPassing and a tag nobody has; Execute by ID finds nothing", func(t *testing.T) {
			_, err := queries.Update(&api.PreparedQueryDefinition{ID: id, Name: name,
				Service: api.ServiceQuery{Service: svc, Tags: []string{"green"}, OnlyPassing: true}}, nil)
			gosupport.Must(t, err)
			res, _, err := queries.Execute(id, nil)
			gosupport.Must(t, err)
			equal(t, "nodes", len(res.Nodes), 0)
		}},
		{"Delete, then Get is Query not found", func(t *testing.T) {
			_, err := queries.Delete(id, nil)
			gosupport.Must(t, err)
			_, _, err = queries.Get(id, nil)
			if e, ok := err.(api.StatusError); !ok || e.Code != 404 || e.Body != "Query not found" {
				t.Fatalf("Get after Delete: %v", err)
			}
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}
