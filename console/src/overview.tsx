// The overview: every broker and ZooKeeper server with role, state, uptime and disk use, the controller
// and quorum leader, totals, and live throughput, all from the overview stream. A node without a broker
// (a ZooKeeper server alone) shows its ensemble and the ZooKeeper totals.
import { api } from './api';
import { Chart, Head, Problem, Section, useLive, useLoad } from './components';
import { bytes, coverageText, duration, num, type Coverage } from './format';
import { useSettings } from './settings';

interface BrokerRow {
  id: number;
  address: string | null;
  role: string;
  state: string;
  self: boolean;
  uptimeMs: number | null;
  logBytes: number | null;
  diskTotalBytes: number | null;
  diskFreeBytes: number | null;
}

interface ZooKeeperRow {
  id: number | null;
  address: string;
  mode: string | null;
  state: string;
  self: boolean;
  uptimeMs: number | null;
  znodes: number | null;
  connections: number | null;
  diskBytes: number | null;
  error?: string;
}

export interface Overview {
  clusterId: string | null;
  controller: number | null;
  brokers: BrokerRow[];
  zookeeper: ZooKeeperRow[];
  quorumLeader: { id: number | null; address: string; mode: string } | null;
  disks: { dir: string; totalBytes: number | null; freeBytes: number | null }[];
  totals: Record<string, number | null>;
}

interface Sample {
  t: number;
  bytesIn: number | null;
  bytesOut: number | null;
  messagesIn: number | null;
  coverage?: Coverage | null;
  overview?: Overview;
  error?: string;
}

/** [key, label, a Kafka total (shown when the node has a broker; else shown when known)]. */
const TOTALS: [string, string, boolean][] = [
  ['brokers', 'Brokers', true],
  ['topics', 'Topics', true],
  ['partitions', 'Partitions', true],
  ['underReplicated', 'Under-replicated', true],
  ['offline', 'Offline', true],
  ['groups', 'Consumer groups', true],
  ['sessions', 'ZooKeeper sessions', false],
  ['znodes', 'Znodes', false],
  ['watches', 'Watches', false],
];

const disk = (free: number | null, total: number | null) => (total === null ? '–' : `${bytes(free)} free of ${bytes(total)}`);

function quorumLeader(view: Overview): string {
  const l = view.quorumLeader;
  if (l === null) return view.zookeeper.length === 0 ? 'no ZooKeeper' : 'none answering';
  if (l.mode === 'standalone') return `standalone server at ${l.address}`;
  return l.id === null ? `server at ${l.address}` : `server ${l.id} at ${l.address}`;
}

export function OverviewPage() {
  const { kafka } = useSettings();
  const initial = useLoad(() => api<Overview>('/api/overview'), []);
  const stream = useLive<Sample>('stream=overview');
  const view = stream.latest?.overview ?? initial.data;
  const error = stream.error ?? (stream.latest ? undefined : initial.error);
  const points = stream.samples;
  const x = points.map((s) => s.t / 1000);
  return (
    <main>
      <h1>Overview</h1>
      <Problem message={error} />
      {view && (
        <>
          <Section title="Totals">
            <dl class="totals">
              {TOTALS.filter(([key, , ofKafka]) => (ofKafka ? kafka : view.totals[key] !== null)).map(([key, label]) => (
                <div key={key} class={key === 'offline' || key === 'underReplicated' ? (view.totals[key] ? 'bad' : '') : ''}>
                  <dt>{label}</dt>
                  <dd data-total={key}>{num(view.totals[key])}</dd>
                </div>
              ))}
            </dl>
          </Section>
          {kafka && (
            <Section title="Throughput">
              <Chart
                title={`Bytes per second in the cluster (${coverageText(stream.latest?.coverage)})`}
                series={[
                  { label: 'in', color: '#1f6feb' },
                  { label: 'out', color: '#d97706' },
                ]}
                x={x}
                ys={[points.map((s) => s.bytesIn), points.map((s) => s.bytesOut)]}
                format={(v) => `${bytes(v)}/s`}
              />
            </Section>
          )}
          <Section title="Nodes">
            <p>
              {view.controller !== null && <>Controller: <strong data-field="controller">{view.controller < 0 ? 'none' : `broker ${view.controller}`}</strong>. </>}
              ZooKeeper quorum leader: <strong data-field="quorum-leader">{quorumLeader(view)}</strong>.
            </p>
            {view.brokers.length > 0 && (
              <table>
                <caption>Brokers of cluster {view.clusterId ?? ''} (uptime since each registered in ZooKeeper)</caption>
                <Head cols={['Broker', 'Address', 'Role', 'State', 'Uptime', 'Log size', 'Disk']} />
                <tbody>
                  {view.brokers.map((b) => (
                    <tr key={b.id} data-broker={b.id} class={b.state === 'alive' ? '' : 'bad'}>
                      <th scope="row">broker {b.id}{b.self ? ' (this node)' : ''}</th>
                      <td>{b.address ?? '–'}</td>
                      <td>{b.role}</td>
                      <td data-field="state">{b.state}</td>
                      <td>{duration(b.uptimeMs)}</td>
                      <td>{bytes(b.logBytes)}</td>
                      <td>{disk(b.diskFreeBytes, b.diskTotalBytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {view.zookeeper.length > 0 && (
              <table>
                <caption>ZooKeeper servers</caption>
                <Head cols={['Server', 'Address', 'Role', 'State', 'Uptime', 'Znodes', 'Connections', 'Data on disk']} />
                <tbody>
                  {view.zookeeper.map((z) => (
                    <tr key={z.address} data-zookeeper={z.address} class={z.state === 'serving' ? '' : 'bad'}>
                      <th scope="row">ZooKeeper{z.id === null ? '' : ` ${z.id}`}{z.self ? ' (this node)' : ''}</th>
                      <td>{z.address}</td>
                      <td>{z.mode ?? '–'}</td>
                      <td data-field="state" title={z.error}>{z.state}{z.error && z.state === 'down' ? `: ${z.error}` : ''}</td>
                      <td>{duration(z.uptimeMs)}</td>
                      <td>{num(z.znodes)}</td>
                      <td>{num(z.connections)}</td>
                      <td>{bytes(z.diskBytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <ul class="disks" aria-label="this node's data directories">
              {view.disks.map((d) => (
                <li key={d.dir}>
                  {d.dir} (this node): {disk(d.freeBytes, d.totalBytes)}
                </li>
              ))}
            </ul>
          </Section>
        </>
      )}
    </main>
  );
}
