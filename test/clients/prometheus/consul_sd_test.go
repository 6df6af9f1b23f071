// Package prometheus runs Prometheus' own Consul service discovery (discovery/consul, what
// `consul_sd_configs` uses) as a library against Beacon: targets appear with their __meta_consul_*
// labels, follow health changes and disappear after deregistration. CONSUL_HTTP_ADDR names Beacon.
package prometheus

import (
	"beacon.test/clients/gosupport"
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/discovery"
	"github.com/prometheus/prometheus/discovery/consul"
	"github.com/prometheus/prometheus/discovery/targetgroup"
)

// targets is what discovery has told us so far: the latest group per source (service name), each
// target with its group's labels (service, dc) merged in, as the scrape manager sees it.
type targets map[string][]model.LabelSet

// discover runs one Discovery with conf and returns the accumulated target groups on every update.
func discover(t *testing.T, conf consul.SDConfig) <-chan targets {
	t.Helper()
	reg := prom.NewRegistry()
	metrics := conf.NewDiscovererMetrics(reg, discovery.NewRefreshMetrics(reg))
	gosupport.Must(t, metrics.Register())
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := consul.NewDiscovery(&conf, logger, metrics)
	gosupport.Must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	groups, updates := make(chan []*targetgroup.Group), make(chan targets)
	go d.Run(ctx, groups)
	go func() {
		state := targets{}
		for {
			select {
			case <-ctx.Done():
				return
			case gs := <-groups:
				for _, g := range gs {
					merged := make([]model.LabelSet, 0, len(g.Targets))
					for _, target := range g.Targets {
						merged = append(merged, g.Labels.Merge(target))
					}
					state[g.Source] = merged
				}
				copied := targets{}
				for k, v := range state {
					copied[k] = v
				}
				select {
				case updates <- copied:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		metrics.Unregister()
	})
	return updates
}

// until waits (bounded: Prometheus' own watch timeout is 2 minutes) for a state where ok holds.
func until(t *testing.T, what string, updates <-chan targets, ok func(targets) bool) targets {
	t.Helper()
	return gosupport.Receive(t, 60*time.Second, what, updates, ok)
}

// summary keeps the labels a test asserts on, one line per target, sorted.
func summary(set []model.LabelSet, names ...model.LabelName) []string {
	var out []string
	for _, ls := range set {
		var parts []string
		for _, n := range names {
			short := strings.TrimPrefix(string(n), "__meta_consul_")
			if n == model.AddressLabel {
				short = "address"
			}
			parts = append(parts, fmt.Sprintf("%s=%s", short, ls[n]))
		}
		out = append(out, strings.Join(parts, " "))
	}
	sort.Strings(out)
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func sdConfig(t *testing.T) consul.SDConfig {
	addr := os.Getenv("CONSUL_HTTP_ADDR")
	if addr == "" {
		t.Fatal("CONSUL_HTTP_ADDR is not set: run through prometheus.test.ts or set it to a Beacon's host:port")
	}
	conf := consul.DefaultSDConfig
	conf.Server = addr
	conf.Token = config.Secret("prometheus")
	conf.HTTPClientConfig = config.DefaultHTTPClientConfig
	// The pause between catalog watches (30 s by default); Beacon's blocking answers wake it sooner.
	conf.RefreshInterval = model.Duration(time.Second)
	return conf
}

func TestConsulSD(t *testing.T) {
	c, err := api.NewClient(api.DefaultConfig())
	gosupport.Must(t, err)

	type instance struct {
		id, address string
		port        int
		tags        []string
		status      string
	}
	cases := []struct {
		name      string
		configure func(conf *consul.SDConfig, svc string)
	}{
		// The catalog watch: no service list, a tag and node_meta (what most consul_sd_configs use).
		{"catalog watch with tags and node_meta", func(conf *consul.SDConfig, svc string) {
			conf.ServiceTags = []string{"metrics"}
			conf.NodeMeta = map[string]string{"rack": "r1"}
			conf.Filter = fmt.Sprintf(`ServiceName == %q`, svc)
		}},
		// Only named services, each watched through /v1/health/service alone.
		{"named service", func(conf *consul.SDConfig, svc string) {
			conf.Services = []string{svc}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc, node, otherNode := gosupport.Unique("prom-api"), gosupport.Unique("prom-node"), gosupport.Unique("prom-node-r2")
			register := func(node, rack string, in instance) {
				_, err := c.Catalog().Register(&api.CatalogRegistration{
					Node: node, Address: "10.44.0.1", NodeMeta: map[string]string{"rack": rack},
					TaggedAddresses: map[string]string{"lan": "10.44.0.1"},
					Service: &api.AgentService{ID: in.id, Service: svc, Address: in.address, Port: in.port, Tags: in.tags,
						Meta: map[string]string{"scrape": "true"}},
					Check: &api.AgentCheck{CheckID: in.id + ":alive", Name: "alive", Status: in.status, ServiceID: in.id},
				}, nil)
				gosupport.Must(t, err)
			}
			// A node in another rack: left out by node_meta, present without it.
			register(otherNode, "r2", instance{svc + "-r2", "10.55.0.1", 9200, []string{"metrics"}, api.HealthPassing})
			defer c.Catalog().Deregister(&api.CatalogDeregistration{Node: otherNode}, nil)
			// Untagged: left out by the health filter (Beacon applies it, as Consul does).
			register(otherNode, "r2", instance{svc + "-debug", "10.55.0.9", 9300, []string{"debug"}, api.HealthPassing})
			conf := sdConfig(t)
			conf.HealthFilter = `"metrics" in Service.Tags`
			tc.configure(&conf, svc)
			withNodeMeta := len(conf.NodeMeta) > 0
			updates := discover(t, conf)

			register(node, "r1", instance{svc + "-1", "", 9100, []string{"metrics", "prod"}, api.HealthPassing})
			first := until(t, "first target", updates, func(s targets) bool { return len(s[svc]) == map[bool]int{true: 1, false: 2}[withNodeMeta] })
			want := []string{"address=10.44.0.1:9100 health=passing tags=,metrics,prod, node=" + node + " metadata_rack=r1 service_metadata_scrape=true service_id=" + svc + "-1 tagged_address_lan=10.44.0.1"}
			if !withNodeMeta {
				want = append(want, "address=10.55.0.1:9200 health=passing tags=,metrics, node="+otherNode+" metadata_rack=r2 service_metadata_scrape=true service_id="+svc+"-r2 tagged_address_lan=10.44.0.1")
			}
			labels := []model.LabelName{model.AddressLabel, "__meta_consul_health", "__meta_consul_tags", "__meta_consul_node",
				"__meta_consul_metadata_rack", "__meta_consul_service_metadata_scrape", "__meta_consul_service_id", "__meta_consul_tagged_address_lan"}
			equal(t, "targets", summary(first[svc], labels...), want)
			equal(t, "service and dc", summary(first[svc][:1], "__meta_consul_service", "__meta_consul_dc"), []string{"service=" + svc + " dc=dc1"})

			// A second instance with its own address whose check is critical: the health label says so.
			register(node, "r1", instance{svc + "-2", "10.44.0.2", 9101, []string{"metrics"}, api.HealthCritical})
			second := until(t, "second target", updates, func(s targets) bool { return len(s[svc]) == len(want)+1 })
			got := summary(second[svc], model.AddressLabel, "__meta_consul_health", "__meta_consul_service_address")
			if !strings.Contains(strings.Join(got, "\n"), "address=10.44.0.2:9101 health=critical service_address=10.44.0.2") ||
				!strings.Contains(strings.Join(got, "\n"), "address=10.44.0.1:9100 health=passing service_address=") {
				t.Fatalf("after the second instance: %q", got)
			}

			// Deregistering the node (both of its instances) takes its targets away.
			_, err := c.Catalog().Deregister(&api.CatalogDeregistration{Node: node}, nil)
			gosupport.Must(t, err)
			gone := until(t, "targets removed", updates, func(s targets) bool { return len(s[svc]) == len(want)-1 })
			if withNodeMeta {
				return
			}
			equal(t, "left", summary(gone[svc], model.AddressLabel), []string{"address=10.55.0.1:9200"})
		})
	}
}
