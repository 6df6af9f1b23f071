package beacon.springcloud;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** beacon.greeting, read from Beacon's KV (config/<app>/beacon/greeting) and rebound on every refresh. */
@ConfigurationProperties("beacon")
public class Greeting {
  private String greeting = "unset";

  public String getGreeting() {
    return greeting;
  }

  public void setGreeting(String greeting) {
    this.greeting = greeting;
  }
}
