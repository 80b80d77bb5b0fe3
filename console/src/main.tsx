// The console's shell: a hash router (#/topics/NAME, #/groups/ID, #/zookeeper?path=...) so every page
// has a link, a skip link and navigation landmarks for keyboard users, and the node's settings.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { GroupPage, GroupsPage } from './groups';
import { OverviewPage } from './overview';
import { SettingsContext, type Settings } from './settings';
import { TopicPage, TopicsPage } from './topics';
import { ZooKeeperPage } from './zookeeper';
import './style.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Page({ hash }: { hash: string }) {
  const [route, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = (route ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'topics' && parts[1] !== undefined) return <TopicPage key={parts[1]} name={parts[1]} />;
  if (parts[0] === 'topics') return <TopicsPage />;
  if (parts[0] === 'groups' && parts[1] !== undefined) return <GroupPage key={parts[1]} id={parts[1]} />;
  if (parts[0] === 'groups') return <GroupsPage />;
  if (parts[0] === 'zookeeper') return <ZooKeeperPage path={new URLSearchParams(query).get('path') ?? '/'} />;
  return <OverviewPage />;
}

const LINKS: [string, string, (s: Settings) => boolean][] = [
  ['#/', 'Overview', () => true],
  ['#/topics', 'Topics', (s) => s.kafka],
  ['#/groups', 'Consumer groups', (s) => s.kafka],
  ['#/zookeeper', 'ZooKeeper', (s) => s.zookeeper],
];

function focusHeading(): void {
  const h1 = document.querySelector<HTMLElement>('main h1');
  if (!h1) return;
  h1.tabIndex = -1;
  h1.focus();
}

function App() {
  const hash = useHash();
  const first = useRef(true);
  const [settings, setSettings] = useState<Settings>({ readOnly: true, principal: null, kafka: true, zookeeper: true, sessions: true });
  useEffect(() => {
    api<Settings>('/api/settings').then(setSettings, () => undefined);
  }, []);
  const section = '#/' + (hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '');
  useEffect(() => {
    document.title = `Skein · ${LINKS.find(([h]) => h === section)?.[1] ?? 'Overview'}`;
    // Focus moves to the new page's heading, as a screen reader user expects after following a link (not on the first load).
    if (!first.current) focusHeading();
    first.current = false;
  }, [hash]);
  return (
    <SettingsContext.Provider value={settings}>
      <a class="skip" href="#content" onClick={(e) => (e.preventDefault(), focusHeading())}>
        Skip to content
      </a>
      <header class="top">
        <strong>Skein</strong>
        <nav aria-label="sections">
          {LINKS.filter(([, , shown]) => shown(settings)).map(([h, label]) => (
            <a href={h} aria-current={section === h || (h === '#/' && section === '#/') ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        {settings.readOnly && <span class="badge">read-only</span>}
        {settings.principal && <span class="badge">{settings.principal}</span>}
      </header>
      <div id="content">
        <Page hash={hash} />
      </div>
    </SettingsContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
