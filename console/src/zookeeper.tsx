// The znode browser: a path bar, the node's children a page at a time (a node with 100,000 children
// loads one page), its data with format detection, Stat and ACL; create, edit and delete with
// confirmation when the console may write; and the server's sessions and watches.
import { useState } from 'preact/hooks';
import { api, q } from './api';
import { ConfirmButton, FormatToggle, Head, Pager, Problem, Section, useLoad } from './components';
import { detect, fromBase64, num, render, type Shown } from './format';
import { useSettings } from './settings';

interface Znode {
  path: string;
  data: string | null;
  stat: Record<string, string | number>;
  ephemeral: boolean;
  acl: { scheme: string; id: string; perms: string[] }[];
  children: { total: number; page: number; limit: number; names: string[] };
}

const PAGE = 100;
const child = (parent: string, name: string) => (parent === '/' ? `/${name}` : `${parent}/${name}`);
const parentOf = (path: string) => (path.lastIndexOf('/') <= 0 ? '/' : path.slice(0, path.lastIndexOf('/')));
const open = (path: string) => (location.hash = `#/zookeeper?${q({ path })}`);

export function ZooKeeperPage({ path }: { path: string }) {
  const [page, setPage] = useState(0);
  const { data, error, reload } = useLoad(() => api<Znode>(`/api/zk/node?${q({ path, page, limit: PAGE })}`), [path, page]);
  const [typed, setTyped] = useState(path);
  const { sessions } = useSettings();
  return (
    <main>
      <h1>ZooKeeper</h1>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(0);
          open(typed);
        }}
      >
        <label>
          Path <input name="path" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} size={50} />
        </label>
        <button type="submit">Open</button>
      </form>
      <nav aria-label="breadcrumbs" class="crumbs">
        {['/', ...path.split('/').filter(Boolean).map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`)].map((p) => (
          <a href={`#/zookeeper?${q({ path: p })}`} aria-current={p === path ? 'page' : undefined}>{p === '/' ? 'root' : p.slice(p.lastIndexOf('/') + 1)}</a>
        ))}
      </nav>
      <Problem message={error} />
      {data && (
        <div class="split">
          <Section title={`Children (${num(data.children.total)})`}>
            <ul class="children">
              {data.children.names.map((n) => (
                <li key={n}>
                  <a href={`#/zookeeper?${q({ path: child(path, n) })}`}>{n}</a>
                </li>
              ))}
            </ul>
            <Pager page={page} pages={Math.ceil(data.children.total / PAGE)} setPage={setPage} />
          </Section>
          <div>
            <Data key={data.path} node={data} />
            <Section title="ACL">
              <table>
                <Head cols={['Scheme', 'Id', 'Permissions']} />
                <tbody>
                  {data.acl.map((a) => (
                    <tr data-acl={`${a.scheme}:${a.id}`}>
                      <th scope="row">{a.scheme}</th>
                      <td>{a.id}</td>
                      <td>{a.perms.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
            <Section title="Stat">
              <dl class="stat">
                {Object.entries(data.stat).map(([k, v]) => (
                  <div>
                    <dt>{k}</dt>
                    <dd>{String(v)}</dd>
                  </div>
                ))}
              </dl>
              {data.ephemeral && <p>Ephemeral: owned by session {String(data.stat.ephemeralOwner)}.</p>}
            </Section>
            <Changes key={`${data.path}@${String(data.stat.mZxid)}`} node={data} done={reload} />
          </div>
        </div>
      )}
      {sessions && <Sessions />}
    </main>
  );
}

function Data({ node }: { node: Znode }) {
  const bytes = node.data === null ? null : fromBase64(node.data);
  const [as, setAs] = useState<Shown>();
  const shown = as ?? (bytes ? detect(bytes) : 'text');
  return (
    <Section title="Data">
      {bytes === null ? (
        <p>No data (null).</p>
      ) : (
        <>
          <FormatToggle label="data" shown={shown} set={setAs} note={`${bytes.length} bytes, shown as ${shown}`} />
          <pre data-field="znode-data">{render(bytes, shown)}</pre>
        </>
      )}
    </Section>
  );
}

function Changes({ node, done }: { node: Znode; done: () => void }) {
  const { readOnly } = useSettings();
  const [data, setData] = useState(node.data === null ? '' : new TextDecoder().decode(fromBase64(node.data)));
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  if (readOnly) return null;
  const act = (p: Promise<unknown>, then: () => void) => p.then(() => (setError(undefined), then()), (e: Error) => setError(e.message));
  return (
    <Section title="Change">
      <label class="block">
        Data <textarea rows={4} value={data} onInput={(e) => setData(e.currentTarget.value)} />
      </label>
      <ConfirmButton
        label="Save"
        confirm={`Set the data of ${node.path} (version ${node.stat.dataVersion})?`}
        onConfirm={() => act(api('/api/zk/node', { method: 'PUT', body: { path: node.path, data, version: node.stat.dataVersion } }), done)}
      />
      <div class="row">
        <label>
          New child <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <ConfirmButton label="Create" disabled={name === ''} confirm={`Create ${child(node.path, name)}?`} onConfirm={() => act(api('/api/zk/node', { method: 'POST', body: { path: child(node.path, name), data: '' } }), done)} />
      </div>
      {node.path !== '/' && (
        <ConfirmButton
          label="Delete"
          disabled={node.children.total > 0}
          confirm={`Delete ${node.path}? This cannot be undone.`}
          onConfirm={() => act(api(`/api/zk/node?${q({ path: node.path, version: node.stat.dataVersion })}`, { method: 'DELETE' }), () => open(parentOf(node.path)))}
        />
      )}
      <Problem message={error} />
    </Section>
  );
}

function Sessions() {
  const { data, error } = useLoad(() => api<{ total: number; sessions: { sessionId: string; remote: string; established: number; timeoutMs: number | null }[]; watches: { connections: number; paths: number; watches: number } }>('/api/zk/sessions'), []);
  return (
    <Section title="Sessions and watches">
      <Problem message={error} />
      {data && (
        <>
          <p>
            {num(data.total)} sessions; {num(data.watches.watches)} watches on {num(data.watches.paths)} paths.
          </p>
          <table>
            <Head cols={['Session', 'Client', 'Connected', 'Timeout']} />
            <tbody>
              {data.sessions.map((s) => (
                <tr key={s.sessionId}>
                  <th scope="row">{s.sessionId}</th>
                  <td>{s.remote}</td>
                  <td>{new Date(s.established).toISOString()}</td>
                  <td>{s.timeoutMs === null ? '–' : `${s.timeoutMs} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  );
}
