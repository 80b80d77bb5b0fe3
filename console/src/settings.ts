// The node's console settings (read-only or not; who is logged in, when the node requires a login), fetched
// once: pages hide the controls that would be refused. Rights on one topic or group come with its page.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Settings {
  readOnly: boolean;
  /** "User:alice" when the console requires a login. */
  principal: string | null;
  /** Whether the ZooKeeper pages are open to this user (super users only, with a login and an authorizer). */
  zookeeper: boolean;
}
export const SettingsContext = createContext<Settings>({ readOnly: true, principal: null, zookeeper: true });
export const useSettings = (): Settings => useContext(SettingsContext);
