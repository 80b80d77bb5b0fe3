// Curator (Debian's libcurator 5.4 on ZooKeeper's 3.8 client) against a server with SASL users: digest
// authentication with creator-only ACLs, a Java SASL DIGEST-MD5 login from the JAAS file's Client section
// (-Djava.security.auth.login.config), and a client without either against enforce.auth. Arguments: the
// open server's and the enforcing server's connect strings. Prints one JSON object of what each saw.
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;

public class CuratorAuth {
  static CuratorFramework client(String connect, String digest, boolean sasl) throws Exception {
    ZKClientConfig config = new ZKClientConfig();
    config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, Boolean.toString(sasl));
    CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
        .connectString(connect)
        .retryPolicy(new RetryOneTime(100))
        .sessionTimeoutMs(10_000)
        .ensembleTracker(false)
        .zkClientConfig(config);
    if (digest != null) {
      b.authorization("digest", digest.getBytes(StandardCharsets.UTF_8)).aclProvider(new ACLProvider() {
        public List<ACL> getDefaultAcl() { return ZooDefs.Ids.CREATOR_ALL_ACL; }
        public List<ACL> getAclForPath(String path) { return ZooDefs.Ids.CREATOR_ALL_ACL; }
      });
    }
    CuratorFramework c = b.build();
    c.start();
    if (!c.blockUntilConnected(15, TimeUnit.SECONDS)) throw new IllegalStateException("no connection to " + connect);
    return c;
  }

  static String whoAmI(CuratorFramework c) throws Exception {
    return c.getZookeeperClient().getZooKeeper().whoAmI().stream()
        .map(i -> i.getAuthScheme() + ":" + i.getUser()).sorted().collect(Collectors.joining(","));
  }

  static String read(CuratorFramework c, String path) {
    try {
      return new String(c.getData().forPath(path), StandardCharsets.UTF_8);
    } catch (KeeperException e) {
      return e.code().name();
    } catch (Exception e) {
      return e.getClass().getSimpleName();
    }
  }

  static String json(Map<String, String> m) {
    return m.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(",", "{", "}"));
  }

  public static void main(String[] args) throws Exception {
    String open = args[0], enforced = args[1];
    Map<String, String> out = new TreeMap<>();
    try (CuratorFramework alice = client(open, "alice:digest_pw", false)) {
      alice.create().creatingParentsIfNeeded().forPath("/curator/digest", "alice's".getBytes(StandardCharsets.UTF_8));
      out.put("digestRead", read(alice, "/curator/digest"));
      ACL acl = alice.getACL().forPath("/curator/digest").get(0);
      out.put("digestAcl", acl.getId().getScheme() + ":" + acl.getId().getId().split(":")[0] + ":" + acl.getPerms());
      out.put("digestWhoAmI", whoAmI(alice));
    }
    try (CuratorFramework anonymous = client(open, null, false)) {
      out.put("anonymousRead", read(anonymous, "/curator/digest"));
    }
    try (CuratorFramework sasl = client(enforced, null, true)) {
      out.put("saslWhoAmI", whoAmI(sasl));
      sasl.create().forPath("/curator-sasl", "via SASL".getBytes(StandardCharsets.UTF_8));
      out.put("saslRead", read(sasl, "/curator-sasl"));
    }
    try (CuratorFramework anonymous = client(enforced, null, false)) {
      out.put("enforcedAnonymousRead", read(anonymous, "/curator-sasl"));
    }
    System.out.println(json(out));
  }
}
