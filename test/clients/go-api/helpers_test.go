// Package goapi drives Beacon with the official Go client, github.com/hashicorp/consul/api, over real
// HTTP. CONSUL_HTTP_ADDR (host:port) names the Beacon under test; every test uses its own names.
package goapi

import (
	"beacon.test/clients/gosupport"
	"os"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

// newClient is api.DefaultConfig() as every Go program builds it: the address comes from CONSUL_HTTP_ADDR.
func newClient(t *testing.T) *api.Client {
	t.Helper()
	if os.Getenv("CONSUL_HTTP_ADDR") == "" {
		t.Fatal("CONSUL_HTTP_ADDR is not set: run through go-api.test.ts or set it to a Beacon's host:port")
	}
	c, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: got %#v, want %#v", what, got, want)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// eventually waits (bounded) for a value from ch that satisfies ok; it is for watches, not for timing.
func eventually[T any](t *testing.T, what string, ch <-chan T, ok func(T) bool) T {
	t.Helper()
	return gosupport.Receive(t, 45*time.Second, what, ch, ok)
}
