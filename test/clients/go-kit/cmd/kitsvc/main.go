// A small HTTP service registered in Beacon by go-kit's sd/consul Registrar, with the check Beacon
// runs against it: HTTP on /health (its status settable through PUT /health?code=N) or TCP on its
// port. The go test starts it as its own process, so it can stop it (SIGTERM) or kill it (SIGKILL).
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/go-kit/kit/sd/consul"
	"github.com/go-kit/log"
	consulapi "github.com/hashicorp/consul/api"
)

func main() {
	name, id, kind := os.Getenv("KIT_NAME"), os.Getenv("KIT_ID"), os.Getenv("KIT_CHECK")
	logger := log.NewLogfmtLogger(os.Stdout)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(logger, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	var health atomic.Int32
	health.Store(http.StatusOK)
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"instance": id})
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			code, _ := strconv.Atoi(r.URL.Query().Get("code"))
			health.Store(int32(code))
		}
		w.WriteHeader(int(health.Load()))
		fmt.Fprintf(w, "%s is %d\n", id, health.Load())
	})
	go func() { _ = http.Serve(ln, mux) }()

	check := &consulapi.AgentServiceCheck{HTTP: fmt.Sprintf("http://127.0.0.1:%d/health", port), Interval: "1s", Timeout: "5s"}
	if kind == "tcp" {
		check = &consulapi.AgentServiceCheck{TCP: fmt.Sprintf("127.0.0.1:%d", port), Interval: "1s", Timeout: "5s"}
	}
	cfg := consulapi.DefaultConfig()
	cfg.Address = os.Getenv("CONSUL_HTTP_ADDR")
	api, err := consulapi.NewClient(cfg)
	if err != nil {
		fail(logger, err)
	}
	registrar := consul.NewRegistrar(consul.NewClient(api), &consulapi.AgentServiceRegistration{
		ID: id, Name: name, Tags: []string{"kit", "beacon"}, Address: "127.0.0.1", Port: port,
		Meta: map[string]string{"check": kind}, Check: check,
	}, logger)
	registrar.Register()
	fmt.Printf("ready on port %d\n", port)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	registrar.Deregister()
	fmt.Println("stopped cleanly")
}

func fail(logger log.Logger, err error) {
	logger.Log("err", err)
	os.Exit(1)
}
