// The topic list (searchable, paged) and a topic's page: partitions, configs, the message browser and a test producer.
import { useState } from 'preact/hooks';
import { api, q } from './api';
import { ConfirmButton, FormatToggle, Head, Pager, Problem, Section, useLive, useLoad, usePaged } from './components';
import { bytes, coverageText, detect, fromBase64, num, render, type Coverage, type Shown } from './format';

interface TopicRow {
  name: string;
  internal: boolean;
  partitions: number;
  replicationFactor: number;
  underReplicated: number;
  offline: number;
  messages: number | null;
  sizeBytes: number | null;
}

const PAGE = 50;
/** Partition rows drawn at once: a topic of thousands of partitions shows them a page at a time. */
const PARTITIONS_PAGE = 100;
/** Up to this many partitions the message browser offers a list to pick from; beyond, a number field. */
const PARTITION_LIST_MAX = 200;

export function TopicsPage() {
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);
  const { data, error } = useLoad(() => api<{ total: number; topics: TopicRow[] }>(`/api/topics?${q({ q: search, page, limit: PAGE })}`), [search, page]);
  const live = useLive<{ t: number; error?: string; coverage?: Coverage | null; topics: Record<string, { bytesIn: number; bytesOut: number; messagesIn: number }> }>('stream=rates').latest;
  const rates = live?.topics ?? {};
  return (
    <main>
      <h1>Topics</h1>
      <label>
        Search topics <input type="search" value={search} onInput={(e) => (setSearch(e.currentTarget.value), setPage(0))} />
      </label>
      <Problem message={error} />
      {data && (
        <>
          <table>
            <caption>{num(data.total)} topics; rates per second over {coverageText(live?.coverage)}</caption>
            <Head cols={['Topic', 'Partitions', 'Replication', 'Under-replicated', 'Messages', 'Size here', 'In/s', 'Out/s']} />
            <tbody>
              {data.topics.map((t) => (
                <tr key={t.name}>
                  <th scope="row">
                    <a href={`#/topics/${encodeURIComponent(t.name)}`}>{t.name}</a>
                    {t.internal ? ' (internal)' : ''}
                  </th>
                  <td>{t.partitions}</td>
                  <td>{t.replicationFactor}</td>
                  <td class={t.underReplicated || t.offline ? 'bad' : ''}>{t.underReplicated}{t.offline ? `, ${t.offline} offline` : ''}</td>
                  <td>{num(t.messages)}</td>
                  <td>{bytes(t.sizeBytes)}</td>
                  <td>{rates[t.name] ? `${num(Math.round(rates[t.name]!.messagesIn))} msg, ${bytes(Math.round(rates[t.name]!.bytesIn))}` : '–'}</td>
                  <td>{rates[t.name] ? bytes(Math.round(rates[t.name]!.bytesOut)) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pages={Math.ceil(data.total / PAGE)} setPage={setPage} />
        </>
      )}
    </main>
  );
}

interface Topic {
  name: string;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; offline: number[]; earliest: number | null; latest: number | null; sizeBytes: number | null }[];
  configs: { name: string; value: string | null; source: string; readOnly: boolean; sensitive: boolean }[];
  /** What this user may do here (false on a read-only console). */
  may: { describeConfigs: boolean; read: boolean; write: boolean; alterConfigs: boolean };
}

export function TopicPage({ name }: { name: string }) {
  const { data, error, reload } = useLoad(() => api<Topic>(`/api/topics/${encodeURIComponent(name)}`), [name]);
  return (
    <main>
      <h1>Topic {name}</h1>
      <Problem message={error} />
      {data && (
        <>
          <Partitions topic={data} />
          {data.may.read ? (
            <Messages topic={data} />
          ) : (
            <Section title="Messages">
              <p>You may not read this topic's messages.</p>
            </Section>
          )}
          <Produce topic={data} done={reload} />
          {data.may.describeConfigs && <Configs topic={data} done={reload} />}
        </>
      )}
    </main>
  );
}

function Partitions({ topic }: { topic: Topic }) {
  const { shown, pager } = usePaged(topic.partitions, PARTITIONS_PAGE, 'partition pages');
  return (
    <Section title={`Partitions (${num(topic.partitions.length)})`}>
      <table>
        <Head cols={['Partition', 'Leader', 'Replicas', 'ISR', 'Start offset', 'End offset', 'Size here']} />
        <tbody>
          {shown.map((p) => (
            <tr key={p.partition} class={p.leader < 0 || p.isr.length < p.replicas.length ? 'bad' : ''}>
              <th scope="row">{p.partition}</th>
              <td>{p.leader < 0 ? 'none' : p.leader}</td>
              <td>{p.replicas.join(', ')}</td>
              <td>{p.isr.join(', ')}</td>
              <td>{num(p.earliest)}</td>
              <td>{num(p.latest)}</td>
              <td>{bytes(p.sizeBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </Section>
  );
}

function Configs({ topic, done }: { topic: Topic; done: () => void }) {
  const readOnly = !topic.may.alterConfigs;
  const [showDefaults, setShowDefaults] = useState(false);
  const [editing, setEditing] = useState<{ name: string; value: string }>();
  const [error, setError] = useState<string>();
  const change = (name: string, value: string | null) =>
    api(`/api/topics/${encodeURIComponent(topic.name)}/configs`, { method: 'PUT', body: { name, value } }).then(
      () => (setEditing(undefined), setError(undefined), done()),
      (e: Error) => setError(e.message),
    );
  return (
    <Section title="Configs">
      <label>
        <input type="checkbox" checked={showDefaults} onChange={(e) => setShowDefaults(e.currentTarget.checked)} /> show defaults
      </label>
      <Problem message={error} />
      <table>
        <Head cols={['Name', 'Value', 'Source', readOnly ? '' : 'Change']} />
        <tbody>
          {topic.configs
            .filter((c) => showDefaults || c.source !== 'DEFAULT_CONFIG')
            .map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                <td>
                  {editing?.name === c.name ? (
                    <input aria-label={`new value of ${c.name}`} value={editing.value} onInput={(e) => setEditing({ name: c.name, value: e.currentTarget.value })} />
                  ) : c.sensitive ? (
                    '(hidden)'
                  ) : (
                    c.value
                  )}
                </td>
                <td>{c.source}</td>
                <td>
                  {!readOnly && !c.readOnly && editing?.name !== c.name && (
                    <button type="button" aria-label={`edit ${c.name}`} onClick={() => setEditing({ name: c.name, value: c.value ?? '' })}>
                      Edit
                    </button>
                  )}
                  {editing?.name === c.name && (
                    <>
                      <ConfirmButton label="Save" confirm={`Set ${c.name} of ${topic.name} to ${editing.value}?`} onConfirm={() => void change(c.name, editing.value)} />{' '}
                      <button type="button" onClick={() => setEditing(undefined)}>
                        Cancel
                      </button>
                    </>
                  )}
                  {!readOnly && c.source === 'DYNAMIC_TOPIC_CONFIG' && editing?.name !== c.name && (
                    <ConfirmButton label="Reset" confirm={`Remove ${topic.name}'s own ${c.name}?`} onConfirm={() => void change(c.name, null)} />
                  )}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </Section>
  );
}

interface Bytes {
  size: number;
  truncated: boolean;
  base64: string;
}
interface RecordView {
  offset: number;
  timestamp: number;
  key: Bytes | null;
  value: Bytes | null;
  headers: { key: string; value: Bytes | null }[];
}
interface MessagePage {
  offset: number;
  nextOffset: number;
  logStartOffset: number;
  highWatermark: number;
  records: RecordView[];
}

function Shown({ b, label, download }: { b: Bytes | null; label: string; download?: string }) {
  const bytesOf = b === null ? new Uint8Array() : fromBase64(b.base64);
  const [as, setAs] = useState<Shown | undefined>();
  if (b === null) return <span class="null">null</span>;
  const shown = as ?? detect(bytesOf);
  return (
    <div class="bytes">
      <FormatToggle label={label} shown={shown} set={setAs} note={bytes(b.size)} />
      <pre data-field={label}>{render(bytesOf, shown)}</pre>
      {b.truncated && (
        <p>
          First {bytes(bytesOf.length)} shown. {download && <a href={download}>Download the whole value</a>}
        </p>
      )}
    </div>
  );
}

function Messages({ topic }: { topic: Topic }) {
  const [partition, setPartition] = useState(0);
  const [mode, setMode] = useState<'offset' | 'timestamp'>('offset');
  const [from, setFrom] = useState('0');
  const [at, setAt] = useState<{ partition: number; offset?: number; timestamp?: number } | undefined>();
  const limit = 20;
  const { data, error } = useLoad(
    () => (at ? api<MessagePage>(`/api/topics/${encodeURIComponent(topic.name)}/messages?${q({ partition: at.partition, offset: at.offset, timestamp: at.timestamp, limit })}`) : Promise.resolve(undefined)),
    [at?.partition, at?.offset, at?.timestamp],
  );
  const go = (e: Event) => {
    e.preventDefault();
    setAt(mode === 'offset' ? { partition, offset: Number(from) } : { partition, timestamp: Date.parse(from) || Number(from) });
  };
  return (
    <Section title="Messages">
      <form class="row" onSubmit={go}>
        <label>
          Partition{' '}
          {topic.partitions.length <= PARTITION_LIST_MAX ? (
            <select value={partition} onChange={(e) => setPartition(Number(e.currentTarget.value))}>
              {topic.partitions.map((p) => (
                <option value={p.partition}>{p.partition}</option>
              ))}
            </select>
          ) : (
            <input type="number" min={0} max={topic.partitions.length - 1} required value={partition} onInput={(e) => setPartition(Number(e.currentTarget.value))} />
          )}
        </label>
        <label>
          From{' '}
          <select value={mode} onChange={(e) => setMode(e.currentTarget.value as 'offset' | 'timestamp')}>
            <option value="offset">offset</option>
            <option value="timestamp">timestamp</option>
          </select>
        </label>
        <label>
          {mode === 'offset' ? 'Offset' : 'Time (ISO or epoch ms)'} <input name="from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} required />
        </label>
        <button type="submit">Show messages</button>
      </form>
      <Problem message={error} />
      {data && at && (
        <>
          <p>
            Partition {at.partition}: offsets {num(data.logStartOffset)} to {num(data.highWatermark - 1)}.
          </p>
          <nav class="pager" aria-label="message pages">
            <button type="button" disabled={data.offset <= data.logStartOffset} onClick={() => setAt({ partition: at.partition, offset: Math.max(data.logStartOffset, data.offset - limit) })}>
              ← Earlier
            </button>
            <button type="button" disabled={data.nextOffset >= data.highWatermark} onClick={() => setAt({ partition: at.partition, offset: data.nextOffset })}>
              Later →
            </button>
          </nav>
          {data.records.length === 0 && <p>No messages from here.</p>}
          <ol class="records">
            {data.records.map((r) => (
              <li key={r.offset} data-offset={r.offset}>
                <header>
                  offset <strong>{r.offset}</strong> · {new Date(r.timestamp).toISOString()}
                </header>
                <dl>
                  <dt>Key</dt>
                  <dd>
                    <Shown b={r.key} label="key" />
                  </dd>
                  <dt>Value</dt>
                  <dd>
                    <Shown b={r.value} label="value" download={`/api/topics/${encodeURIComponent(topic.name)}/messages/value?${q({ partition: at.partition, offset: r.offset })}`} />
                  </dd>
                  {r.headers.length > 0 && (
                    <>
                      <dt>Headers</dt>
                      <dd>
                        <ul class="headers">
                          {r.headers.map((h) => (
                            <li>
                              <code>{h.key}</code>: <code>{h.value === null ? 'null' : render(fromBase64(h.value.base64), 'text')}</code>
                            </li>
                          ))}
                        </ul>
                      </dd>
                    </>
                  )}
                </dl>
              </li>
            ))}
          </ol>
        </>
      )}
    </Section>
  );
}

function Produce({ topic, done }: { topic: Topic; done: () => void }) {
  const readOnly = !topic.may.write;
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [header, setHeader] = useState('');
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<string>();
  if (readOnly) return null;
  const send = () => {
    const headers = header.includes('=') ? [{ key: header.slice(0, header.indexOf('=')), value: header.slice(header.indexOf('=') + 1) }] : [];
    api<{ partition: number; offset: number }>(`/api/topics/${encodeURIComponent(topic.name)}/messages`, { method: 'POST', body: { key: key === '' ? null : key, value, headers } }).then(
      (r) => (setResult(`Produced to partition ${r.partition} at offset ${r.offset}.`), setError(undefined), done()),
      (e: Error) => setError(e.message),
    );
  };
  return (
    <Section title="Produce a test message">
      <div class="row">
        <label>
          Key <input value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <label>
          Header (name=value) <input value={header} onInput={(e) => setHeader(e.currentTarget.value)} />
        </label>
      </div>
      <label class="block">
        Value <textarea rows={3} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <ConfirmButton label="Produce" confirm={`Produce this message to ${topic.name}?`} onConfirm={send} />
      <Problem message={error} />
      {result && <p role="status">{result}</p>}
    </Section>
  );
}
