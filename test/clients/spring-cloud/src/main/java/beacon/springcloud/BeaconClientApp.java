package beacon.springcloud;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The Spring Cloud Consul client that spring-cloud.test.ts starts twice against Beacon: once as the
 * service ("a": registers with a TTL heartbeat, serves /hello with a property read from Beacon's KV)
 * and once as its caller ("b": finds "a" through DiscoveryClient and calls it over HTTP).
 */
@SpringBootApplication
@EnableConfigurationProperties(Greeting.class)
public class BeaconClientApp {
  public static void main(String[] args) {
    // CONSUL_HTTP_ADDR (host:port), as every other client suite gets it.
    String addr = System.getenv().getOrDefault("CONSUL_HTTP_ADDR", "127.0.0.1:8500");
    int colon = addr.lastIndexOf(':');
    System.setProperty("spring.cloud.consul.host", addr.substring(0, colon));
    System.setProperty("spring.cloud.consul.port", addr.substring(colon + 1));
    SpringApplication.run(BeaconClientApp.class, args);
  }
}
