package goapi

import (
	"beacon.test/clients/gosupport"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

func TestSession(t *testing.T) {
	c := newClient(t)
	sessions := c.Session()
	name := gosupport.Unique("goapi-session")
	var id string

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Create with TTL, behavior and lock delay; Info reads it back", func(t *testing.T) {
			var err error
			id, _, err = sessions.Create(&api.SessionEntry{Name: name, TTL: "20s", Behavior: api.SessionBehaviorDelete, LockDelay: 5 * time.Second}, nil)
			gosupport.Must(t, err)
			info, _, err := sessions.Info(id, nil)
			gosupport.Must(t, err)
			equal(t, "info", []any{info.ID, info.Name, info.Node, info.TTL, info.Behavior, info.LockDelay}, []any{id, name, "beacon", "20s", "delete", 5 * time.Second})
			equal(t, "default node checks", info.NodeChecks, []string{"serfHealth"})
		}},
		{"Renew answers the session", func(t *testing.T) {
			renewed, _, err := sessions.Renew(id, nil)
			gosupport.Must(t, err)
			equal(t, "renewed", []string{renewed.ID, renewed.TTL}, []string{id, "20s"})
		}},
		{"List and Node include it", func(t *testing.T) {
			for what, list := range map[string]func() ([]*api.SessionEntry, *api.QueryMeta, error){
				"List": func() ([]*api.SessionEntry, *api.QueryMeta, error) { return sessions.List(nil) },
				"Node": func() ([]*api.SessionEntry, *api.QueryMeta, error) { return sessions.Node("beacon", nil) },
			} {
				entries, _, err := list()
				gosupport.Must(t, err)
				found := false
				for _, e := range entries {
					found = found || (e.ID == id && e.Name == name)
				}
				if !found {
					t.Fatalf("%s: session %s missing", what, id)
				}
			}
		}},
		{"Behavior delete: destroying the session deletes the keys it holds", func(t *testing.T) {
			key := gosupport.Unique("goapi-session") + "/held"
			ok, _, err := c.KV().Acquire(&api.KVPair{Key: key, Session: id}, nil)
			gosupport.Must(t, err)
			equal(t, "acquire", ok, true)
			_, err = sessions.Destroy(id, nil)
			gosupport.Must(t, err)
			info, _, err := sessions.Info(id, nil)
			gosupport.Must(t, err)
			if info != nil {
				t.Fatalf("session survives Destroy: %#v", info)
			}
			pair, _, err := c.KV().Get(key, nil)
			gosupport.Must(t, err)
			if pair != nil {
				t.Fatalf("key survives its delete-behaviour session: %#v", pair)
			}
		}},
		{"Renew of a destroyed session: the 404 that Go reports as no entry", func(t *testing.T) {
			entry, meta, err := sessions.Renew(id, nil)
			gosupport.Must(t, err)
			if entry != nil || meta == nil {
				t.Fatalf("Renew of a gone session: %#v, %#v", entry, meta)
			}
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}
