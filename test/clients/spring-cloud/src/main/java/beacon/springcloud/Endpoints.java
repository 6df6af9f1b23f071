package beacon.springcloud;

import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** /hello answers as this app; /call lists services and finds one through DiscoveryClient, then calls its /hello. */
@RestController
public class Endpoints {
  private final Greeting greeting;
  private final DiscoveryClient discovery;
  private final String name;
  private final RestClient http = RestClient.create();

  public Endpoints(Greeting greeting, DiscoveryClient discovery, @Value("${spring.application.name}") String name) {
    this.greeting = greeting;
    this.discovery = discovery;
    this.name = name;
  }

  @GetMapping("/hello")
  public Map<String, String> hello() {
    return Map.of("app", name, "greeting", greeting.getGreeting());
  }

  @GetMapping("/call")
  public Map<String, Object> call(@RequestParam String service) {
    List<String> services = discovery.getServices();
    List<ServiceInstance> instances = discovery.getInstances(service);
    if (instances.isEmpty()) return Map.of("services", services, "instances", List.of());
    ServiceInstance target = instances.get(0);
    String body = http.get().uri(target.getUri().resolve("/hello")).retrieve().body(String.class);
    return Map.of(
        "services", services,
        "instances", instances.stream().map(i -> Map.of("id", i.getInstanceId(), "uri", i.getUri().toString())).toList(),
        "response", body);
  }
}
