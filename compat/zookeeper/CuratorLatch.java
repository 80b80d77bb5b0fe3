// One Curator LeaderLatch participant (Debian's libcurator-recipes-java) for the ensemble failover tests.
//
//   java -cp <curator-recipes.jar:slf4j-nop.jar:classes> CuratorLatch CONNECT_STRING LATCH_PATH ID SESSION_MS
//
// Prints one JSON object per line: {"event":"started"|"leader"|"notLeader"|"state"|"closed", "who":ID,
// "t":ms[, "state":...][, "session":"0x..."]}.
// Runs until stdin says "stop", then closes the latch and the client; ends at once if stdin closes.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.concurrent.CountDownLatch;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.retry.RetryForever;

public final class CuratorLatch {
  private static synchronized void emit(String event, String who, String extra) {
    System.out.println("{\"event\":\"" + event + "\",\"who\":\"" + who + "\",\"t\":" + System.currentTimeMillis() + extra + "}");
    System.out.flush();
  }

  public static void main(String[] args) throws Exception {
    String connect = args[0];
    String path = args[1];
    String who = args[2];
    int sessionMs = Integer.parseInt(args[3]);
    CountDownLatch stop = new CountDownLatch(1);
    Thread commands = new Thread(() -> {
      try {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
        for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
          if (line.trim().equals("stop")) stop.countDown();
        }
      } catch (IOException e) {
        // Read as the end of stdin.
      }
      // stdin closed: the test is gone, and a call against a dead ensemble could wait for ever.
      Runtime.getRuntime().halt(1);
    });
    commands.setDaemon(true);
    commands.start();
    // Retry every 100 ms for as long as it takes: the tests measure how soon a client carries on.
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(connect)
        .sessionTimeoutMs(sessionMs)
        .connectionTimeoutMs(sessionMs)
        .retryPolicy(new RetryForever(100))
        .build();
    client.getConnectionStateListenable().addListener((c, state) -> emit("state", who, ",\"state\":\"" + state + "\""));
    client.start();
    client.blockUntilConnected();
    long session = client.getZookeeperClient().getZooKeeper().getSessionId();
    LeaderLatch latch = new LeaderLatch(client, path, who);
    latch.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader() {
        emit("leader", who, "");
      }

      @Override
      public void notLeader() {
        emit("notLeader", who, "");
      }
    });
    latch.start();
    emit("started", who, ",\"session\":\"0x" + Long.toHexString(session) + "\"");
    stop.await();
    latch.close();
    client.close();
    emit("closed", who, "");
  }
}
