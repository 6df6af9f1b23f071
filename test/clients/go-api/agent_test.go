package goapi

import (
	"beacon.test/clients/gosupport"
	"testing"

	"github.com/hashicorp/consul/api"
)

func TestAgent(t *testing.T) {
	c := newClient(t)
	agent := c.Agent()
	id, name := gosupport.Unique("goapi-web-1"), gosupport.Unique("goapi-web")

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Self reports the datacenter and the agent node", func(t *testing.T) {
			self, err := agent.Self()
			gosupport.Must(t, err)
			equal(t, "Config.Datacenter", self["Config"]["Datacenter"], "dc1")
			node, err := agent.NodeName()
			gosupport.Must(t, err)
			equal(t, "NodeName", node, "beacon")
		}},
		{"Members lists the agent node as alive", func(t *testing.T) {
			members, err := agent.Members(false)
			gosupport.Must(t, err)
			if len(members) != 1 || members[0].Name != "beacon" || members[0].Status != 1 {
				t.Fatalf("members: %#v", members)
			}
		}},
		{"ServiceRegister with a TTL check, read back by Services and Service", func(t *testing.T) {
			gosupport.Must(t, agent.ServiceRegister(&api.AgentServiceRegistration{
				ID: id, Name: name, Port: 8080, Address: "10.1.0.7", Tags: []string{"v1", "http"},
				Meta:  map[string]string{"team": "edge"},
				Check: &api.AgentServiceCheck{TTL: "30s", Notes: "heartbeat"},
			}))
			services, err := agent.ServicesWithFilter("Service == " + `"` + name + `"`)
			gosupport.Must(t, err)
			s := services[id]
			if s == nil {
				t.Fatalf("service %s missing from %#v", id, services)
			}
			equal(t, "service", []any{s.Service, s.Port, s.Address, s.Tags, s.Meta}, []any{name, 8080, "10.1.0.7", []string{"v1", "http"}, map[string]string{"team": "edge"}})
			one, _, err := agent.Service(id, nil)
			gosupport.Must(t, err)
			equal(t, "Service(id)", []any{one.ID, one.Service, one.Port}, []any{id, name, 8080})
			if one.ContentHash == "" {
				t.Fatal("Service(id) has no ContentHash")
			}
		}},
		{"a new TTL check is critical, UpdateTTL passes it with its output", func(t *testing.T) {
			checks, err := agent.Checks()
			gosupport.Must(t, err)
			check := checks["service:"+id]
			if check == nil {
				t.Fatalf("check service:%s missing", id)
			}
			equal(t, "initial status", check.Status, api.HealthCritical)
			gosupport.Must(t, agent.UpdateTTL("service:"+id, "all good", api.HealthPassing))
			checks, err = agent.Checks()
			gosupport.Must(t, err)
			equal(t, "after UpdateTTL", []string{checks["service:"+id].Status, checks["service:"+id].Output, checks["service:"+id].ServiceID}, []string{"passing", "all good", id})
		}},
		{"AgentHealthServiceByID and ByName aggregate the checks", func(t *testing.T) {
			status, info, err := agent.AgentHealthServiceByID(id)
			gosupport.Must(t, err)
			equal(t, "by ID", []string{status, info.Service.ID}, []string{api.HealthPassing, id})
			status, infos, err := agent.AgentHealthServiceByName(name)
			gosupport.Must(t, err)
			equal(t, "by name", []any{status, len(infos)}, []any{api.HealthPassing, 1})
		}},
		{"WarnTTL, then a separate check that fails", func(t *testing.T) {
			gosupport.Must(t, agent.WarnTTL("service:"+id, "slow"))
			gosupport.Must(t, agent.CheckRegister(&api.AgentCheckRegistration{ID: id + ":extra", Name: "extra", ServiceID: id,
				AgentServiceCheck: api.AgentServiceCheck{TTL: "30s"}}))
			gosupport.Must(t, agent.FailTTL(id+":extra", "down"))
			status, _, err := agent.AgentHealthServiceByID(id)
			gosupport.Must(t, err)
			equal(t, "aggregated", status, api.HealthCritical)
			gosupport.Must(t, agent.CheckDeregister(id+":extra"))
			status, _, err = agent.AgentHealthServiceByID(id)
			gosupport.Must(t, err)
			equal(t, "after CheckDeregister", status, api.HealthWarning)
		}},
		{"EnableServiceMaintenance adds the maintenance check", func(t *testing.T) {
			gosupport.Must(t, agent.EnableServiceMaintenance(id, "upgrading"))
			checks, err := agent.Checks()
			gosupport.Must(t, err)
			m := checks["_service_maintenance:"+id]
			if m == nil || m.Status != api.HealthCritical || m.Notes != "upgrading" {
				t.Fatalf("maintenance check: %#v", m)
			}
			gosupport.Must(t, agent.DisableServiceMaintenance(id))
			checks, err = agent.Checks()
			gosupport.Must(t, err)
			if checks["_service_maintenance:"+id] != nil {
				t.Fatal("maintenance check still present")
			}
		}},
		{"ServiceDeregister removes the service and its checks", func(t *testing.T) {
			gosupport.Must(t, agent.ServiceDeregister(id))
			_, _, err := agent.Service(id, nil)
			if err == nil {
				t.Fatal("Service(id) after deregister: no error")
			}
			if e, ok := err.(api.StatusError); !ok || e.Code != 404 {
				t.Fatalf("Service(id) after deregister: %v", err)
			}
			checks, err := agent.Checks()
			gosupport.Must(t, err)
			if checks["service:"+id] != nil {
				t.Fatal("check survives its service")
			}
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}
