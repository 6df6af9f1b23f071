package goapi

import (
	"beacon.test/clients/gosupport"
	"testing"

	"github.com/hashicorp/consul/api"
)

func TestKV(t *testing.T) {
	c := newClient(t)
	kv := c.KV()
	prefix := gosupport.Unique("goapi-kv") + "/"

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Get of a missing key is nil with an index", func(t *testing.T) {
			pair, meta, err := kv.Get(prefix+"missing", nil)
			gosupport.Must(t, err)
			if pair != nil || meta.LastIndex == 0 {
				t.Fatalf("pair %#v, meta %#v", pair, meta)
			}
		}},
		{"Put then Get keeps value and uint64 flags", func(t *testing.T) {
			_, err := kv.Put(&api.KVPair{Key: prefix + "a", Value: []byte("one"), Flags: 1 << 63}, nil)
			gosupport.Must(t, err)
			pair, _, err := kv.Get(prefix+"a", nil)
			gosupport.Must(t, err)
			equal(t, "pair", []any{pair.Key, string(pair.Value), pair.Flags, pair.CreateIndex == pair.ModifyIndex}, []any{prefix + "a", "one", uint64(1 << 63), true})
		}},
		{"CAS with a stale index fails, with the current one succeeds", func(t *testing.T) {
			pair, _, err := kv.Get(prefix+"a", nil)
			gosupport.Must(t, err)
			ok, _, err := kv.CAS(&api.KVPair{Key: prefix + "a", Value: []byte("stale"), ModifyIndex: pair.ModifyIndex - 1}, nil)
			gosupport.Must(t, err)
			equal(t, "stale CAS", ok, false)
			ok, _, err = kv.CAS(&api.KVPair{Key: prefix + "a", Value: []byte("two"), ModifyIndex: pair.ModifyIndex}, nil)
			gosupport.Must(t, err)
			equal(t, "CAS", ok, true)
			ok, _, err = kv.CAS(&api.KVPair{Key: prefix + "a", Value: []byte("new"), ModifyIndex: 0}, nil)
			gosupport.Must(t, err)
			equal(t, "CAS 0 on an existing key", ok, false)
			after, _, err := kv.Get(prefix+"a", nil)
			gosupport.Must(t, err)
			equal(t, "value", string(after.Value), "two")
		}},
		{"List and Keys with a separator", func(t *testing.T) {
			for _, k := range []string{"b/x", "b/y", "c"} {
				_, err := kv.Put(&api.KVPair{Key: prefix + k, Value: []byte(k)}, nil)
				gosupport.Must(t, err)
			}
			pairs, _, err := kv.List(prefix, nil)
			gosupport.Must(t, err)
			var keys []string
			for _, p := range pairs {
				keys = append(keys, p.Key)
			}
			equal(t, "List", keys, []string{prefix + "a", prefix + "b/x", prefix + "b/y", prefix + "c"})
			shallow, _, err := kv.Keys(prefix, "/", nil)
			gosupport.Must(t, err)
			equal(t, "Keys", shallow, []string{prefix + "a", prefix + "b/", prefix + "c"})
		}},
		{"Acquire and Release with a session", func(t *testing.T) {
			id, _, err := c.Session().Create(&api.SessionEntry{Name: "kv-lock", TTL: "30s"}, nil)
			gosupport.Must(t, err)
			defer c.Session().Destroy(id, nil)
			ok, _, err := kv.Acquire(&api.KVPair{Key: prefix + "lock", Value: []byte("me"), Session: id}, nil)
			gosupport.Must(t, err)
			equal(t, "Acquire", ok, true)
			pair, _, err := kv.Get(prefix+"lock", nil)
			gosupport.Must(t, err)
			equal(t, "held", []any{pair.Session, pair.LockIndex}, []any{id, uint64(1)})
			ok, _, err = kv.Release(&api.KVPair{Key: prefix + "lock", Session: id}, nil)
			gosupport.Must(t, err)
			equal(t, "Release", ok, true)
			pair, _, err = kv.Get(prefix+"lock", nil)
			gosupport.Must(t, err)
			equal(t, "released", pair.Session, "")
		}},
		{"DeleteCAS, Delete and DeleteTree", func(t *testing.T) {
			pair, _, err := kv.Get(prefix+"c", nil)
			gosupport.Must(t, err)
			ok, _, err := kv.DeleteCAS(&api.KVPair{Key: prefix + "c", ModifyIndex: pair.ModifyIndex + 1000}, nil)
			gosupport.Must(t, err)
			equal(t, "stale DeleteCAS", ok, false)
			ok, _, err = kv.DeleteCAS(&api.KVPair{Key: prefix + "c", ModifyIndex: pair.ModifyIndex}, nil)
			gosupport.Must(t, err)
			equal(t, "DeleteCAS", ok, true)
			_, err = kv.Delete(prefix+"a", nil)
			gosupport.Must(t, err)
			_, err = kv.DeleteTree(prefix+"b/", nil)
			gosupport.Must(t, err)
			keys, _, err := kv.Keys(prefix, "", nil)
			gosupport.Must(t, err)
			equal(t, "left", keys, []string{prefix + "lock"})
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}
