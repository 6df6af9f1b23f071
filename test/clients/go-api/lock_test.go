package goapi

import (
	"beacon.test/clients/gosupport"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

type acquired struct {
	lost <-chan struct{}
	err  error
}

// TestLock runs api.Lock (what `consul lock` and many Go services elect a leader with) end to end.
func TestLock(t *testing.T) {
	c := newClient(t)
	key := gosupport.Unique("goapi-lock") + "/leader"
	newLock := func(opts api.LockOptions) *api.Lock {
		opts.Key = key
		l, err := c.LockOpts(&opts)
		gosupport.Must(t, err)
		return l
	}
	first := newLock(api.LockOptions{SessionTTL: "15s", Value: []byte("first")})
	waiter := newLock(api.LockOptions{SessionTTL: "15s", Value: []byte("waiter")})
	waiting := make(chan acquired, 1)
	var waiterLost <-chan struct{}

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Lock acquires with Go's uint64 lock flag and its session", func(t *testing.T) {
			lost, err := first.Lock(nil)
			gosupport.Must(t, err)
			if lost == nil {
				t.Fatal("Lock returned no channel")
			}
			pair, _, err := c.KV().Get(key, nil)
			gosupport.Must(t, err)
			equal(t, "held key", []any{pair.Flags, string(pair.Value), pair.Session != ""}, []any{uint64(api.LockFlagValue), "first", true})
			info, _, err := c.Session().Info(pair.Session, nil)
			gosupport.Must(t, err)
			equal(t, "lock session", []string{info.Name, info.TTL}, []string{api.DefaultLockSessionName, "15s"})
		}},
		{"a second Lock with LockTryOnce gives up without the lock", func(t *testing.T) {
			l := newLock(api.LockOptions{LockTryOnce: true, LockWaitTime: time.Second})
			lost, err := l.Lock(nil)
			gosupport.Must(t, err)
			if lost != nil {
				t.Fatal("a second holder got the lock")
			}
		}},
		{"a waiting Lock gets it once the holder unlocks", func(t *testing.T) {
			go func() {
				lost, err := waiter.Lock(nil)
				waiting <- acquired{lost, err}
			}()
			gosupport.Must(t, first.Unlock())
			got := eventually(t, "waiter acquires", waiting, func(a acquired) bool { return true })
			gosupport.Must(t, got.err)
			waiterLost = got.lost
			pair, _, err := c.KV().Get(key, nil)
			gosupport.Must(t, err)
			equal(t, "new holder's value", string(pair.Value), "waiter")
		}},
		{"destroying the holder's session out of band closes its lost channel", func(t *testing.T) {
			pair, _, err := c.KV().Get(key, nil)
			gosupport.Must(t, err)
			_, err = c.Session().Destroy(pair.Session, nil)
			gosupport.Must(t, err)
			select {
			case <-waiterLost:
			case <-time.After(45 * time.Second):
				t.Fatal("the holder was not told it lost the lock")
			}
		}},
		{"Destroy deletes the free lock key", func(t *testing.T) {
			err := waiter.Unlock()
			if err != nil && err != api.ErrLockNotHeld {
				t.Fatal(err)
			}
			gosupport.Must(t, waiter.Destroy())
			pair, _, err := c.KV().Get(key, nil)
			gosupport.Must(t, err)
			if pair != nil {
				t.Fatalf("lock key survives Destroy: %#v", pair)
			}
		}},
		{"a key written without the lock flag is ErrLockConflict", func(t *testing.T) {
			_, err := c.KV().Put(&api.KVPair{Key: key, Value: []byte("plain")}, nil)
			gosupport.Must(t, err)
			_, err = newLock(api.LockOptions{}).Lock(nil)
			equal(t, "Lock", err, api.ErrLockConflict)
			_, err = c.KV().Delete(key, nil)
			gosupport.Must(t, err)
		}},
	}
	for _, tc := range cases {
		if !t.Run(tc.name, tc.run) {
			return
		}
	}
}
