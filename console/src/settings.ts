// The node's console settings (read-only or not; who is logged in, when the node requires a login; which
// of Kafka and ZooKeeper it shows: a ZooKeeper server alone has no Kafka pages), fetched
// once: pages hide the controls that would be refused. Rights on one topic or group come with its page.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Settings {
  readOnly: boolean;
  /** "User:alice" when the console requires a login. */
  principal: string | null;
  /** Whether the node runs a broker (its Kafka pages: topics, groups). */
  kafka: boolean;
  /** Whether the ZooKeeper pages are open to this user (super users only, with a login and an authorizer). */
  zookeeper: boolean;
  /** Whether the node runs a ZooKeeper server of its own, whose sessions and watches it lists. */
  sessions: boolean;
}
export const SettingsContext = createContext<Settings>({ readOnly: true, principal: null, kafka: true, zookeeper: true, sessions: true });
export const useSettings = (): Settings => useContext(SettingsContext);
