//go:build acl

// ACLs with tokens, as Go programs carry them (api.Config.Token): run by go-api-acl.test.ts with
// `go test -tags acl -run TestACL` against its own Beacon started with ACLs on and default deny. The
// cases share one bootstrap, so they run in order as subtests of one test.
package goapi

import (
	"beacon.test/clients/gosupport"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

func tokenClient(t *testing.T, token string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Token = token
	c, err := api.NewClient(cfg)
	gosupport.Must(t, err)
	return c
}

func wantErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want one containing %q", what, parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("%s: error %q does not contain %q", what, err, p)
		}
	}
}

// policyToken creates a policy with rules and a token linking it by name, as the management client.
func policyToken(t *testing.T, mgmt *api.Client, rules string) *api.ACLToken {
	t.Helper()
	policy, _, err := mgmt.ACL().PolicyCreate(&api.ACLPolicy{Name: gosupport.Unique("policy"), Rules: rules}, nil)
	gosupport.Must(t, err)
	token, _, err := mgmt.ACL().TokenCreate(&api.ACLToken{Description: "go-api acl test", Policies: []*api.ACLTokenPolicyLink{{Name: policy.Name}}}, nil)
	gosupport.Must(t, err)
	if len(token.Policies) != 1 || token.Policies[0].ID != policy.ID || token.Policies[0].Name != policy.Name {
		t.Fatalf("token policies: got %#v, want the link to %s (%s)", token.Policies, policy.Name, policy.ID)
	}
	return token
}

func TestACL(t *testing.T) {
	anon := newClient(t)
	boot, _, err := anon.ACL().Bootstrap()
	gosupport.Must(t, err)
	if boot.SecretID == "" || boot.AccessorID == "" || len(boot.Policies) != 1 || boot.Policies[0].Name != "global-management" {
		t.Fatalf("bootstrap token: %#v", boot)
	}
	mgmt := tokenClient(t, boot.SecretID)

	t.Run("bootstrap happens once", func(t *testing.T) {
		_, _, err := anon.ACL().Bootstrap()
		wantErr(t, "second bootstrap", err, "403", "ACL bootstrap no longer allowed")
	})

	t.Run("a service_prefix web token registers web-1 and is denied db-1", func(t *testing.T) {
		web := tokenClient(t, policyToken(t, mgmt, `service_prefix "web" { policy = "write" }`).SecretID)
		gosupport.Must(t, web.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: "web-1", Name: "web", Port: 8080}))
		t.Cleanup(func() { _ = web.Agent().ServiceDeregister("web-1") })
		services, err := mgmt.Agent().Services()
		gosupport.Must(t, err)
		if services["web-1"] == nil || services["web-1"].Service != "web" {
			t.Fatalf("web-1 not registered: %#v", services)
		}
		err = web.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: "db-1", Name: "db", Port: 5432})
		wantErr(t, "register db-1", err, "403", "Permission denied", `'service:write' on "db"`)
		services, err = mgmt.Agent().Services()
		gosupport.Must(t, err)
		if services["db-1"] != nil {
			t.Fatalf("db-1 was registered despite the 403: %#v", services["db-1"])
		}
	})

	t.Run("a KV get without a token is denied as the anonymous token", func(t *testing.T) {
		key := gosupport.Unique("acl/kv")
		_, err := mgmt.KV().Put(&api.KVPair{Key: key, Value: []byte("v")}, nil)
		gosupport.Must(t, err)
		_, _, err = anon.KV().Get(key, nil)
		wantErr(t, "anonymous get", err, "403", `Permission denied: anonymous token lacks permission 'key:read' on "`+key+`"`)
		pair, _, err := mgmt.KV().Get(key, nil)
		gosupport.Must(t, err)
		equal(t, "value with the management token", string(pair.Value), "v")
	})

	t.Run("api.Lock under key_prefix locks/ and session_prefix \"\"", func(t *testing.T) {
		locker := tokenClient(t, policyToken(t, mgmt, `key_prefix "locks/" { policy = "write" }
session_prefix "" { policy = "write" }`).SecretID)
		key := "locks/" + gosupport.Unique("go")
		lock, err := locker.LockKey(key)
		gosupport.Must(t, err)
		lost, err := lock.Lock(nil)
		gosupport.Must(t, err)
		if lost == nil {
			t.Fatal("Lock returned no leader channel")
		}
		pair, _, err := mgmt.KV().Get(key, nil)
		gosupport.Must(t, err)
		if pair == nil || pair.Session == "" {
			t.Fatalf("lock key %s not held by a session: %#v", key, pair)
		}
		gosupport.Must(t, lock.Unlock())
		gosupport.Must(t, lock.Destroy())

		// Outside its prefix the lock's first read of the key is refused.
		elsewhere := gosupport.Unique("elsewhere")
		other, err := locker.LockKey(elsewhere)
		gosupport.Must(t, err)
		_, err = other.Lock(nil)
		wantErr(t, "lock outside locks/", err, "403", `lacks permission 'key:read' on "`+elsewhere+`"`)
	})

	t.Run("Health().Service leaves out what the token cannot read and says so", func(t *testing.T) {
		svc, webNode, dbNode := gosupport.Unique("web-svc"), gosupport.Unique("web-node"), gosupport.Unique("db-node")
		for _, node := range []string{webNode, dbNode} {
			_, err := mgmt.Catalog().Register(&api.CatalogRegistration{Node: node, Address: "127.0.0.1", Service: &api.AgentService{ID: svc, Service: svc, Port: 80}}, nil)
			gosupport.Must(t, err)
			t.Cleanup(func() { _, _ = mgmt.Catalog().Deregister(&api.CatalogDeregistration{Node: node}, nil) })
		}
		_, err := mgmt.Catalog().Register(&api.CatalogRegistration{Node: dbNode, Address: "127.0.0.1", Service: &api.AgentService{ID: "db-" + svc, Service: "db-" + svc, Port: 5432}}, nil)
		gosupport.Must(t, err)

		all, meta, err := mgmt.Health().Service(svc, "", false, nil)
		gosupport.Must(t, err)
		equal(t, "instances for management", len(all), 2)
		equal(t, "management filtered", meta.ResultsFilteredByACLs, false)

		reader := tokenClient(t, policyToken(t, mgmt, `service_prefix "web" { policy = "read" }
node_prefix "web" { policy = "read" }`).SecretID)
		entries, meta, err := reader.Health().Service(svc, "", false, nil)
		gosupport.Must(t, err)
		if len(entries) != 1 || entries[0].Node.Node != webNode || entries[0].Service.Service != svc {
			t.Fatalf("web reader: got %d entries %#v, want only %s on %s", len(entries), entries, svc, webNode)
		}
		equal(t, "web reader filtered", meta.ResultsFilteredByACLs, true)

		entries, meta, err = reader.Health().Service("db-"+svc, "", false, nil)
		gosupport.Must(t, err)
		equal(t, "db instances for the web reader", len(entries), 0)
		equal(t, "db filtered", meta.ResultsFilteredByACLs, true)
	})

	t.Run("TokenReadSelf, then TokenDelete makes the token unknown", func(t *testing.T) {
		token := policyToken(t, mgmt, `service_prefix "web" { policy = "read" }`)
		holder := tokenClient(t, token.SecretID)
		self, _, err := holder.ACL().TokenReadSelf(nil)
		gosupport.Must(t, err)
		equal(t, "self accessor", self.AccessorID, token.AccessorID)
		equal(t, "self secret", self.SecretID, token.SecretID)
		_, err = mgmt.ACL().TokenDelete(token.AccessorID, nil)
		gosupport.Must(t, err)
		// A delete clears the worker's token cache in the isolate that served it; another isolate may
		// keep the resolved token for up to 5 s, so the refusal is awaited for at most 6 s.
		deadline := time.Now().Add(6 * time.Second)
		for tries := 1; ; tries++ {
			_, _, err = holder.Catalog().Services(nil)
			if err != nil || time.Now().After(deadline) {
				if tries > 1 {
					t.Logf("the deleted token was refused after %d tries", tries)
				}
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		wantErr(t, "catalog after delete", err, "403", "ACL not found")
		// /v1/acl/token/self answers for an unknown secret as Consul's ACLTokenSelf does.
		_, _, err = holder.ACL().TokenReadSelf(nil)
		wantErr(t, "read self after delete", err, "404", "Supplied token does not exist")
	})
}
