// Consumer groups: the list, and a group's page with members, assignments, the lag table, a live lag
// chart (from the group's stream) and offset resets with a preview.
import { useState } from 'preact/hooks';
import { api } from './api';
import { Chart, ConfirmButton, Head, Problem, Section, useLive, useLoad, usePaged } from './components';
import { num } from './format';

interface Listed {
  groupId: string;
  state: string;
  type: string;
  protocolType: string;
  coordinator: number;
}

export function GroupsPage() {
  const { data, error } = useLoad(() => api<{ groups: Listed[] }>('/api/groups'), []);
  return (
    <main>
      <h1>Consumer groups</h1>
      <Problem message={error} />
      {data && (
        <table>
          <caption>{data.groups.length} groups</caption>
          <Head cols={['Group', 'State', 'Protocol', 'Coordinator']} />
          <tbody>
            {data.groups.map((g) => (
              <tr key={g.groupId}>
                <th scope="row">
                  <a href={`#/groups/${encodeURIComponent(g.groupId)}`}>{g.groupId}</a>
                </th>
                <td>{g.state}</td>
                <td>{g.type === 'consumer' ? 'consumer (KIP-848)' : `classic${g.protocolType ? ` (${g.protocolType})` : ''}`}</td>
                <td>broker {g.coordinator}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

interface Group {
  groupId: string;
  type: string;
  state: string;
  protocol: string;
  members: { memberId: string; clientId: string; host: string; assignment: { topic: string; partitions: number[] }[] }[];
  totalLag: number;
  partitions: { topic: string; partition: number; currentOffset: number | null; logEndOffset: number | null; lag: number | null; memberId: string | null }[];
  /** What this user may do here: on the page's own load, not on the live samples. */
  may?: { resetOffsets: boolean };
}
type LagSample = { t: number; error?: string } & Partial<Group>;

export function GroupPage({ id }: { id: string }) {
  const loaded = useLoad(() => api<Group>(`/api/groups/${encodeURIComponent(id)}`), [id]);
  // The stream carries the whole group each interval: the page shows the newest without requests of its own.
  const stream = useLive<LagSample>(`stream=group&group=${encodeURIComponent(id)}`);
  const data = (stream.latest as Group | undefined) ?? loaded.data;
  const error = loaded.error;
  const liveError = stream.error;
  const reload = loaded.reload;
  const points = stream.samples;
  return (
    <main>
      <h1>Group {id}</h1>
      <Problem message={error ?? liveError} />
      {data && (
        <>
          <p>
            State <strong data-field="state">{data.state}</strong> · protocol {data.type === 'consumer' ? 'consumer (KIP-848)' : 'classic'}
            {data.protocol ? ` · ${data.protocol}` : ''} · total lag <strong data-field="total-lag">{num(data.totalLag)}</strong>
          </p>
          <Chart title="Total lag (records)" series={[{ label: 'lag', color: '#b91c1c' }]} x={points.map((s) => s.t / 1000)} ys={[points.map((s) => s.totalLag ?? null)]} />
          <Lag partitions={data.partitions} />
          <Members members={data.members} />
          {loaded.data?.may?.resetOffsets && <Reset id={id} state={data.state} done={reload} />}
        </>
      )}
    </main>
  );
}

/** Rows drawn at once: a group of 1,000 members (or lag on thousands of partitions) shows a page at a time, redrawn each live sample. */
const ROWS_PAGE = 100;

function Lag({ partitions }: { partitions: Group['partitions'] }) {
  const { shown, pager } = usePaged(partitions, ROWS_PAGE, 'lag pages');
  return (
    <Section title={`Lag per partition (${num(partitions.length)})`}>
      <table>
        <Head cols={['Topic', 'Partition', 'Committed', 'End', 'Lag', 'Member']} />
        <tbody>
          {shown.map((p) => (
            <tr key={`${p.topic}-${p.partition}`}>
              <th scope="row">{p.topic}</th>
              <td>{p.partition}</td>
              <td>{num(p.currentOffset)}</td>
              <td>{num(p.logEndOffset)}</td>
              <td data-lag={`${p.topic}-${p.partition}`}>{num(p.lag)}</td>
              <td>{p.memberId ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </Section>
  );
}

function Members({ members }: { members: Group['members'] }) {
  const { shown, pager } = usePaged(members, ROWS_PAGE, 'member pages');
  return (
    <Section title={`Members (${num(members.length)})`}>
      <table>
        <Head cols={['Member', 'Client', 'Host', 'Assignment']} />
        <tbody>
          {shown.map((m) => (
            <tr key={m.memberId}>
              <th scope="row">{m.memberId}</th>
              <td>{m.clientId}</td>
              <td>{m.host}</td>
              <td>{m.assignment.map((a) => `${a.topic}: ${a.partitions.join(', ')}`).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </Section>
  );
}

interface Plan {
  preview: boolean;
  offsets: { topic: string; partition: number; currentOffset: number | null; newOffset: number }[];
}

function Reset({ id, state, done }: { id: string; state: string; done: () => void }) {
  const [to, setTo] = useState('earliest');
  const [value, setValue] = useState('');
  const [plan, setPlan] = useState<Plan>();
  const [error, setError] = useState<string>();
  const body = (preview: boolean) => ({ to, preview, offset: to === 'offset' ? Number(value) : undefined, timestamp: to === 'timestamp' ? Date.parse(value) || Number(value) : undefined });
  const run = (preview: boolean) =>
    api<Plan>(`/api/groups/${encodeURIComponent(id)}/reset`, { method: 'POST', body: body(preview) }).then(
      (p) => (setPlan(p), setError(undefined), preview || done()),
      (e: Error) => setError(e.message),
    );
  return (
    <Section title="Reset offsets">
      {!['Empty', 'Dead'].includes(state) && <p>The group must be empty (its consumers stopped) before its offsets can move.</p>}
      <div class="row">
        <label>
          To{' '}
          <select value={to} onChange={(e) => (setTo(e.currentTarget.value), setPlan(undefined))}>
            <option value="earliest">earliest</option>
            <option value="latest">latest</option>
            <option value="offset">offset</option>
            <option value="timestamp">timestamp</option>
          </select>
        </label>
        {(to === 'offset' || to === 'timestamp') && (
          <label>
            {to === 'offset' ? 'Offset' : 'Time'} <input value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          </label>
        )}
        <button type="button" onClick={() => run(true)}>
          Preview
        </button>
        {plan?.preview && <ConfirmButton label="Apply" confirm="Move the group's offsets as previewed?" onConfirm={() => void run(false)} />}
      </div>
      <Problem message={error} />
      {plan && (
        <table>
          <caption>{plan.preview ? 'Preview: nothing changed yet' : 'Applied'}</caption>
          <Head cols={['Topic', 'Partition', 'Now', 'New']} />
          <tbody>
            {plan.offsets.map((o) => (
              <tr>
                <th scope="row">{o.topic}</th>
                <td>{o.partition}</td>
                <td>{num(o.currentOffset)}</td>
                <td>{num(o.newOffset)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
