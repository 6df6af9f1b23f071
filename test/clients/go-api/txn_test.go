package goapi

import (
	"beacon.test/clients/gosupport"
	"testing"

	"github.com/hashicorp/consul/api"
)

func TestTxn(t *testing.T) {
	c := newClient(t)
	txn, kv := c.Txn(), c.KV()
	prefix := gosupport.Unique("goapi-txn") + "/"
	node, svc := gosupport.Unique("goapi-txn-node"), gosupport.Unique("goapi-txn-svc")
	_, err := c.Catalog().Register(&api.CatalogRegistration{Node: node, Address: "10.3.0.1",
		Service: &api.AgentService{ID: svc, Service: svc, Port: 7000},
		Check:   &api.AgentCheck{CheckID: "alive", Name: "alive", Status: api.HealthPassing, ServiceID: svc}}, nil)
	gosupport.Must(t, err)
	defer c.Catalog().Deregister(&api.CatalogDeregistration{Node: node}, nil)

	run := func(t *testing.T, ops api.TxnOps) (bool, *api.TxnResponse) {
		t.Helper()
		ok, resp, _, err := txn.Txn(ops, nil)
		gosupport.Must(t, err)
		return ok, resp
	}

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"set, set and get-tree commit together", func(t *testing.T) {
			ok, resp := run(t, api.TxnOps{
				{KV: &api.KVTxnOp{Verb: api.KVSet, Key: prefix + "a", Value: []byte("1"), Flags: 42}},
				{KV: &api.KVTxnOp{Verb: api.KVSet, Key: prefix + "b", Value: []byte("2")}},
				{KV: &api.KVTxnOp{Verb: api.KVGetTree, Key: prefix}},
			})
			equal(t, "ok", ok, true)
			var got []string
			for _, r := range resp.Results {
				got = append(got, r.KV.Key+"="+string(r.KV.Value))
			}
			equal(t, "results", got, []string{prefix + "a=", prefix + "b=", prefix + "a=1", prefix + "b=2"})
			equal(t, "flags", resp.Results[2].KV.Flags, uint64(42))
		}},
		{"a stale cas rolls back the whole transaction with Consul's error", func(t *testing.T) {
			pair, _, err := kv.Get(prefix+"a", nil)
			gosupport.Must(t, err)
			ok, resp := run(t, api.TxnOps{
				{KV: &api.KVTxnOp{Verb: api.KVSet, Key: prefix + "c", Value: []byte("3")}},
				{KV: &api.KVTxnOp{Verb: api.KVCAS, Key: prefix + "a", Value: []byte("x"), Index: pair.ModifyIndex + 100}},
			})
			equal(t, "ok", ok, false)
			equal(t, "errors", len(resp.Errors), 1)
			equal(t, "error", []any{resp.Errors[0].OpIndex, resp.Errors[0].What}, []any{1, `failed to set key "` + prefix + `a", index is stale`})
			missing, _, err := kv.Get(prefix+"c", nil)
			gosupport.Must(t, err)
			if missing != nil {
				t.Fatal("the rolled-back set was kept")
			}
		}},
		{"check-index, check-not-exists, cas, delete-tree and get-or-empty", func(t *testing.T) {
			pair, _, err := kv.Get(prefix+"b", nil)
			gosupport.Must(t, err)
			ok, resp := run(t, api.TxnOps{
				{KV: &api.KVTxnOp{Verb: api.KVCheckIndex, Key: prefix + "b", Index: pair.ModifyIndex}},
				{KV: &api.KVTxnOp{Verb: api.KVCheckNotExists, Key: prefix + "nope"}},
				{KV: &api.KVTxnOp{Verb: api.KVCAS, Key: prefix + "b", Value: []byte("22"), Index: pair.ModifyIndex}},
				{KV: &api.KVTxnOp{Verb: api.KVDeleteTree, Key: prefix + "a"}},
				{KV: &api.KVTxnOp{Verb: api.KVGetOrEmpty, Key: prefix + "a"}},
			})
			equal(t, "ok", ok, true)
			if len(resp.Errors) != 0 {
				t.Fatalf("errors: %#v", resp.Errors[0])
			}
			b, _, err := kv.Get(prefix+"b", nil)
			gosupport.Must(t, err)
			equal(t, "b", string(b.Value), "22")
			keys, _, err := kv.Keys(prefix, "", nil)
			gosupport.Must(t, err)
			equal(t, "keys", keys, []string{prefix + "b"})
		}},
		{"lock and check-session with a session, then unlock", func(t *testing.T) {
			id, _, err := c.Session().Create(&api.SessionEntry{TTL: "30s"}, nil)
			gosupport.Must(t, err)
			defer c.Session().Destroy(id, nil)
			ok, _ := run(t, api.TxnOps{
				{KV: &api.KVTxnOp{Verb: api.KVLock, Key: prefix + "lock", Value: []byte("me"), Session: id}},
				{KV: &api.KVTxnOp{Verb: api.KVCheckSession, Key: prefix + "lock", Session: id}},
			})
			equal(t, "lock", ok, true)
			ok, _ = run(t, api.TxnOps{{KV: &api.KVTxnOp{Verb: api.KVUnlock, Key: prefix + "lock", Session: id}}})
			equal(t, "unlock", ok, true)
			pair, _, err := kv.Get(prefix+"lock", nil)
			gosupport.Must(t, err)
			equal(t, "session after unlock", pair.Session, "")
		}},
		{"Node, Service and Check get read the catalog", func(t *testing.T) {
			ok, resp := run(t, api.TxnOps{
				{Node: &api.NodeTxnOp{Verb: api.NodeGet, Node: api.Node{Node: node}}},
				{Service: &api.ServiceTxnOp{Verb: api.ServiceGet, Node: node, Service: api.AgentService{ID: svc}}},
				{Check: &api.CheckTxnOp{Verb: api.CheckGet, Check: api.HealthCheck{Node: node, CheckID: "alive"}}},
			})
			equal(t, "ok", ok, true)
			equal(t, "results", []any{resp.Results[0].Node.Address, resp.Results[1].Service.Port, resp.Results[2].Check.Status},
				[]any{"10.3.0.1", 7000, api.HealthPassing})
		}},
		{"Node, Service and Check set register together, answered as stored", func(t *testing.T) {
			other, otherSvc := gosupport.Unique("goapi-txn-node"), gosupport.Unique("goapi-txn-svc")
			defer c.Catalog().Deregister(&api.CatalogDeregistration{Node: other}, nil)
			ok, resp := run(t, api.TxnOps{
				{Node: &api.NodeTxnOp{Verb: api.NodeSet, Node: api.Node{Node: other, Address: "10.3.0.9", Meta: map[string]string{"rack": "r9"}}}},
				{Service: &api.ServiceTxnOp{Verb: api.ServiceSet, Node: other, Service: api.AgentService{ID: otherSvc + "-1", Service: otherSvc, Port: 7001, Tags: []string{"txn"}}}},
				{Check: &api.CheckTxnOp{Verb: api.CheckSet, Check: api.HealthCheck{Node: other, CheckID: "alive", Name: "alive", Status: api.HealthWarning, ServiceID: otherSvc + "-1"}}},
			})
			equal(t, "ok", ok, true)
			equal(t, "results", []any{resp.Results[0].Node.Meta["rack"], resp.Results[1].Service.Port, resp.Results[1].Service.Weights, resp.Results[2].Check.Status},
				[]any{"r9", 7001, api.AgentWeights{Passing: 1, Warning: 1}, api.HealthWarning})
			entries, _, err := c.Health().Service(otherSvc, "txn", false, nil)
			gosupport.Must(t, err)
			equal(t, "health", []any{len(entries), entries[0].Node.Address, entries[0].Checks.AggregatedStatus()}, []any{1, "10.3.0.9", api.HealthWarning})
		}},
		{"a stale node cas fails with Consul's error and rolls back the KV part", func(t *testing.T) {
			n, _, err := c.Catalog().Node(node, nil)
			gosupport.Must(t, err)
			ok, resp := run(t, api.TxnOps{
				{KV: &api.KVTxnOp{Verb: api.KVSet, Key: prefix + "with-node", Value: []byte("x")}},
				{Node: &api.NodeTxnOp{Verb: api.NodeCAS, Node: api.Node{Node: node, Address: "10.3.0.2", ModifyIndex: n.Node.ModifyIndex - 1}}},
			})
			equal(t, "ok", ok, false)
			equal(t, "errors", []any{len(resp.Errors), resp.Errors[0].OpIndex, resp.Errors[0].What}, []any{1, 1, `failed to set node "` + node + `", index is stale`})
			pair, _, err := kv.Get(prefix+"with-node", nil)
			gosupport.Must(t, err)
			if pair != nil {
				t.Fatal("the KV op of a refused transaction was kept")
			}
		}},
		{"Service delete-cas at the current index removes the instance", func(t *testing.T) {
			s, _, err := c.Catalog().Service(svc, "", nil)
			gosupport.Must(t, err)
			ok, _ := run(t, api.TxnOps{{Service: &api.ServiceTxnOp{Verb: api.ServiceDeleteCAS, Node: node, Service: api.AgentService{ID: svc, ModifyIndex: s[0].ModifyIndex}}}})
			equal(t, "ok", ok, true)
			left, _, err := c.Catalog().Service(svc, "", nil)
			gosupport.Must(t, err)
			equal(t, "left", len(left), 0)
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}
