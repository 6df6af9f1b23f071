package goapi

import (
	"strings"
	"testing"

	"beacon.test/clients/gosupport"
	"github.com/hashicorp/consul/api"
)

// Go's net/http sends a key's `..` and `.` segments as written; workerd and wrangler dev would resolve them
// (DELETE app/..?recurse would delete the parent), so the guard in front answers Consul's 400 (issue 9).
func TestDotSegments(t *testing.T) {
	c := newClient(t)
	kv := c.KV()
	prefix := gosupport.Unique("goapi-dots")
	for _, k := range []string{"keep", "app/x"} {
		_, err := kv.Put(&api.KVPair{Key: prefix + "/" + k, Value: []byte(k)}, nil)
		gosupport.Must(t, err)
	}
	const refused = "Unexpected response code: 400 (URL path contains invalid or encoded traversal sequence)"
	cases := []struct {
		name string
		run  func() error
	}{
		{"DeleteTree app/..", func() error { _, err := kv.DeleteTree(prefix+"/app/..", nil); return err }},
		{"Delete app/../keep", func() error { _, err := kv.Delete(prefix+"/app/../keep", nil); return err }},
		{"Put app/./x", func() error {
			_, err := kv.Put(&api.KVPair{Key: prefix + "/app/./x", Value: []byte("changed")}, nil)
			return err
		}},
		{"Get app/./x", func() error { _, _, err := kv.Get(prefix+"/app/./x", nil); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), refused) {
				t.Fatalf("got %v, want %q", err, refused)
			}
		})
	}
	keys, _, err := kv.Keys(prefix+"/", "", nil)
	gosupport.Must(t, err)
	equal(t, "keys", keys, []string{prefix + "/app/x", prefix + "/keep"})
	pair, _, err := kv.Get(prefix+"/app/x", nil)
	gosupport.Must(t, err)
	equal(t, "value", string(pair.Value), "app/x")
}
