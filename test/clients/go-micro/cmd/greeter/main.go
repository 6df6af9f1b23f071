// A go-micro v4 service registered in Beacon through the consul registry plugin: a TTL check kept
// alive every REGISTER_INTERVAL, and a RegisterCheck that fails while CHECK_FILE says "fail".
// The go test starts it as its own process, so it can stop it (SIGTERM) or kill it (SIGKILL).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-micro/plugins/v4/registry/consul"
	"go-micro.dev/v4"
	"go-micro.dev/v4/broker"
	"go-micro.dev/v4/registry"
	"go-micro.dev/v4/server"

	"beacon.test/clients/go-micro/greeter"
)

func main() {
	name, id := os.Getenv("GREETER_NAME"), os.Getenv("GREETER_ID")
	ttl, _ := time.ParseDuration(os.Getenv("REGISTER_TTL"))
	interval, _ := time.ParseDuration(os.Getenv("REGISTER_INTERVAL"))
	checkFile := os.Getenv("CHECK_FILE")

	reg := consul.NewRegistry(registry.Addrs(os.Getenv("CONSUL_HTTP_ADDR")))
	// Everything on loopback, and nothing falls back to the mdns default registry.
	registry.DefaultRegistry = reg
	brk := broker.NewBroker(broker.Addrs("127.0.0.1:0"), broker.Registry(reg))

	service := micro.NewService(
		micro.Name(name),
		micro.Version("1.0.0"),
		micro.Address("127.0.0.1:0"),
		micro.Broker(brk),
		micro.Registry(reg),
		micro.RegisterTTL(ttl),
		micro.RegisterInterval(interval),
		micro.Metadata(map[string]string{"suite": "beacon"}),
	)
	service.Server().Init(server.Id(id), server.RegisterCheck(func(context.Context) error {
		state, err := os.ReadFile(checkFile)
		if err == nil && strings.TrimSpace(string(state)) == "fail" {
			return errors.New("check file says fail")
		}
		return nil
	}))
	if err := micro.RegisterHandler(service.Server(), &greeter.Greeter{Node: name + "-" + id}); err != nil {
		fmt.Println("handler:", err)
		os.Exit(1)
	}
	if err := service.Run(); err != nil {
		fmt.Println("run:", err)
		os.Exit(1)
	}
	fmt.Println("stopped cleanly")
}
