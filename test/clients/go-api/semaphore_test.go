package goapi

import (
	"beacon.test/clients/gosupport"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

// TestSemaphore runs api.Semaphore: contender keys with Go's flag, a CAS-updated .lock holder list.
func TestSemaphore(t *testing.T) {
	c := newClient(t)
	prefix := gosupport.Unique("goapi-sem")
	newSemaphore := func(opts api.SemaphoreOptions) *api.Semaphore {
		opts.Prefix, opts.Limit = prefix, 2
		if opts.SessionTTL == "" {
			opts.SessionTTL = "15s"
		}
		s, err := c.SemaphoreOpts(&opts)
		gosupport.Must(t, err)
		return s
	}
	holders := []*api.Semaphore{newSemaphore(api.SemaphoreOptions{}), newSemaphore(api.SemaphoreOptions{})}
	third := newSemaphore(api.SemaphoreOptions{})
	waiting := make(chan acquired, 1)
	lockFile := func(t *testing.T) (limit int, holders []string) {
		pair, _, err := c.KV().Get(prefix+"/.lock", nil)
		gosupport.Must(t, err)
		var lock struct {
			Limit   int
			Holders map[string]bool
		}
		gosupport.Must(t, json.Unmarshal(pair.Value, &lock))
		for h := range lock.Holders {
			holders = append(holders, h)
		}
		return lock.Limit, sorted(holders)
	}

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"two holders acquire a semaphore of limit 2", func(t *testing.T) {
			for _, s := range holders {
				lost, err := s.Acquire(nil)
				gosupport.Must(t, err)
				if lost == nil {
					t.Fatal("Acquire returned no channel")
				}
			}
		}},
		{"the prefix holds two contender keys with Go's flag and the .lock with both sessions", func(t *testing.T) {
			pairs, _, err := c.KV().List(prefix+"/", nil)
			gosupport.Must(t, err)
			var sessions []string
			for _, p := range pairs {
				if strings.HasSuffix(p.Key, "/.lock") {
					continue
				}
				equal(t, "contender flags", p.Flags, uint64(api.SemaphoreFlagValue))
				equal(t, "contender key", p.Key, prefix+"/"+p.Session)
				sessions = append(sessions, p.Session)
			}
			limit, inLock := lockFile(t)
			equal(t, "limit", limit, 2)
			equal(t, "holders", inLock, sorted(sessions))
			equal(t, "two holders", len(inLock), 2)
		}},
		{"a third with SemaphoreTryOnce gives up", func(t *testing.T) {
			s := newSemaphore(api.SemaphoreOptions{SemaphoreTryOnce: true, SemaphoreWaitTime: time.Second})
			lost, err := s.Acquire(nil)
			gosupport.Must(t, err)
			if lost != nil {
				t.Fatal("a third holder got a slot")
			}
		}},
		{"a waiting third gets the slot one holder releases", func(t *testing.T) {
			go func() {
				lost, err := third.Acquire(nil)
				waiting <- acquired{lost, err}
			}()
			gosupport.Must(t, holders[0].Release())
			got := eventually(t, "third acquires", waiting, func(acquired) bool { return true })
			gosupport.Must(t, got.err)
			_, inLock := lockFile(t)
			equal(t, "holders", len(inLock), 2)
		}},
		{"Release all, then Destroy leaves nothing under the prefix", func(t *testing.T) {
			gosupport.Must(t, holders[1].Release())
			gosupport.Must(t, third.Release())
			_, inLock := lockFile(t)
			equal(t, "holders after release", len(inLock), 0)
			gosupport.Must(t, third.Destroy())
			keys, _, err := c.KV().Keys(prefix+"/", "", nil)
			gosupport.Must(t, err)
			equal(t, "keys", len(keys), 0)
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}
