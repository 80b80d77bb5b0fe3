// The node's console settings (read-only or not), fetched once: pages hide the controls that would be refused.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Settings {
  readOnly: boolean;
}
export const SettingsContext = createContext<Settings>({ readOnly: true });
export const useSettings = (): Settings => useContext(SettingsContext);
