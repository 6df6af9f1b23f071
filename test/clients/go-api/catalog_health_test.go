package goapi

import (
	"beacon.test/clients/gosupport"
	"slices"
	"testing"

	"github.com/hashicorp/consul/api"
)

func TestCatalogAndHealth(t *testing.T) {
	c := newClient(t)
	catalog, health := c.Catalog(), c.Health()
	node, svc := gosupport.Unique("goapi-node"), gosupport.Unique("goapi-db")
	register := func(id string, port int, status string) *api.CatalogRegistration {
		return &api.CatalogRegistration{
			Node: node, Address: "10.2.0.1", NodeMeta: map[string]string{"rack": "r7"},
			Service: &api.AgentService{ID: id, Service: svc, Port: port, Tags: []string{"primary"}, Meta: map[string]string{"v": "16"}},
			Check:   &api.AgentCheck{CheckID: id + ":alive", Name: "alive", Status: status, ServiceID: id},
		}
	}

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Register two instances on one node", func(t *testing.T) {
			_, err := catalog.Register(register(svc+"-1", 5432, api.HealthPassing), nil)
			gosupport.Must(t, err)
			_, err = catalog.Register(register(svc+"-2", 5433, api.HealthCritical), nil)
			gosupport.Must(t, err)
		}},
		{"Datacenters lists the three local datacenters", func(t *testing.T) {
			dcs, err := catalog.Datacenters()
			gosupport.Must(t, err)
			equal(t, "datacenters", sorted(dcs), []string{"dc1", "dc2", "dc3"})
		}},
		{"Services and Service list the instances with node and service fields", func(t *testing.T) {
			services, meta, err := catalog.Services(nil)
			gosupport.Must(t, err)
			equal(t, "tags", services[svc], []string{"primary"})
			if meta.LastIndex == 0 || !meta.KnownLeader {
				t.Fatalf("query meta: %#v", meta)
			}
			entries, _, err := catalog.Service(svc, "primary", nil)
			gosupport.Must(t, err)
			var got [][]any
			for _, e := range entries {
				got = append(got, []any{e.Node, e.Address, e.NodeMeta["rack"], e.ServiceID, e.ServicePort, e.ServiceMeta["v"]})
			}
			slices.SortFunc(got, func(a, b []any) int { return a[4].(int) - b[4].(int) })
			equal(t, "catalog service", got, [][]any{
				{node, "10.2.0.1", "r7", svc + "-1", 5432, "16"},
				{node, "10.2.0.1", "r7", svc + "-2", 5433, "16"},
			})
		}},
		{"Node and Nodes show the registered node", func(t *testing.T) {
			n, _, err := catalog.Node(node, nil)
			gosupport.Must(t, err)
			equal(t, "node", []any{n.Node.Node, n.Node.Address, len(n.Services), n.Services[svc+"-2"].Port}, []any{node, "10.2.0.1", 2, 5433})
			nodes, _, err := catalog.Nodes(&api.QueryOptions{NodeMeta: map[string]string{"rack": "r7"}, Filter: `Node == "` + node + `"`})
			gosupport.Must(t, err)
			equal(t, "nodes", len(nodes), 1)
		}},
		{"Health.Service with and without passingOnly", func(t *testing.T) {
			all, _, err := health.Service(svc, "", false, nil)
			gosupport.Must(t, err)
			statuses := map[string]string{}
			for _, e := range all {
				statuses[e.Service.ID] = e.Checks.AggregatedStatus()
			}
			equal(t, "all", statuses, map[string]string{svc + "-1": api.HealthPassing, svc + "-2": api.HealthCritical})
			passing, _, err := health.Service(svc, "primary", true, nil)
			gosupport.Must(t, err)
			equal(t, "passing", len(passing), 1)
			equal(t, "passing instance", passing[0].Service.ID, svc+"-1")
		}},
		{"Health.Checks, Node and State", func(t *testing.T) {
			checks, _, err := health.Checks(svc, nil)
			gosupport.Must(t, err)
			equal(t, "checks", len(checks), 2)
			byNode, _, err := health.Node(node, nil)
			gosupport.Must(t, err)
			equal(t, "node checks", len(byNode), 2)
			critical, _, err := health.State(api.HealthCritical, &api.QueryOptions{Filter: `ServiceName == "` + svc + `"`})
			gosupport.Must(t, err)
			equal(t, "critical", []string{critical[0].CheckID, critical[0].Status}, []string{svc + "-2:alive", "critical"})
			equal(t, "one critical", len(critical), 1)
		}},
		{"Deregister one service, then the node", func(t *testing.T) {
			_, err := catalog.Deregister(&api.CatalogDeregistration{Node: node, ServiceID: svc + "-2"}, nil)
			gosupport.Must(t, err)
			entries, _, err := health.Service(svc, "", false, nil)
			gosupport.Must(t, err)
			equal(t, "after service deregister", len(entries), 1)
			_, err = catalog.Deregister(&api.CatalogDeregistration{Node: node}, nil)
			gosupport.Must(t, err)
			n, _, err := catalog.Node(node, nil)
			gosupport.Must(t, err)
			if n != nil {
				t.Fatalf("node survives deregistration: %#v", n)
			}
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}
