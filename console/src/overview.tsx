// The overview: brokers and the ZooKeeper server, totals, and live throughput, all from the overview stream.
import { api } from './api';
import { Chart, Head, Problem, Section, useLive, useLoad } from './components';
import { bytes, duration, num } from './format';

export interface Overview {
  clusterId: string | null;
  controller: number;
  brokers: { id: number; address: string; role: string; state: string; self: boolean; uptimeMs: number | null; logBytes: number | null }[];
  zookeeper: { mode: string; serving: boolean; serverId: number | null; clientPort: number; uptimeMs: number; quorumLeader: number | string | null } | null;
  disks: { dir: string; totalBytes: number | null; freeBytes: number | null }[];
  totals: Record<string, number | null>;
}

interface Sample {
  t: number;
  bytesIn: number | null;
  bytesOut: number | null;
  messagesIn: number | null;
  overview?: Overview;
  error?: string;
}

const TOTALS: [string, string][] = [
  ['brokers', 'Brokers'],
  ['topics', 'Topics'],
  ['partitions', 'Partitions'],
  ['underReplicated', 'Under-replicated'],
  ['offline', 'Offline'],
  ['groups', 'Consumer groups'],
  ['sessions', 'ZooKeeper sessions'],
  ['znodes', 'Znodes'],
  ['watches', 'Watches'],
];

export function OverviewPage() {
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
              {TOTALS.map(([key, label]) => (
                <div key={key} class={key === 'offline' || key === 'underReplicated' ? (view.totals[key] ? 'bad' : '') : ''}>
                  <dt>{label}</dt>
                  <dd data-total={key}>{num(view.totals[key])}</dd>
                </div>
              ))}
            </dl>
          </Section>
          <Section title="Throughput">
            <Chart
              title="Bytes per second on this broker"
              series={[
                { label: 'in', color: '#1f6feb' },
                { label: 'out', color: '#d97706' },
              ]}
              x={x}
              ys={[points.map((s) => s.bytesIn), points.map((s) => s.bytesOut)]}
              format={(v) => `${bytes(v)}/s`}
            />
          </Section>
          <Section title="Nodes">
            <table>
              <caption>Cluster {view.clusterId ?? ''}: brokers and this node's ZooKeeper server</caption>
              <Head cols={['Node', 'Address', 'Role', 'State', 'Uptime', 'Log size']} />
              <tbody>
                {view.brokers.map((b) => (
                  <tr key={b.id}>
                    <th scope="row">broker {b.id}{b.self ? ' (this node)' : ''}</th>
                    <td>{b.address}</td>
                    <td>{b.role}</td>
                    <td>{b.state}</td>
                    <td>{duration(b.uptimeMs)}</td>
                    <td>{bytes(b.logBytes)}</td>
                  </tr>
                ))}
                {view.zookeeper && (
                  <tr>
                    <th scope="row">ZooKeeper{view.zookeeper.serverId === null ? '' : ` ${view.zookeeper.serverId}`} (this node)</th>
                    <td>port {view.zookeeper.clientPort}</td>
                    <td>{view.zookeeper.mode}</td>
                    <td>{view.zookeeper.serving ? 'serving' : 'not serving'}</td>
                    <td>{duration(view.zookeeper.uptimeMs)}</td>
                    <td>–</td>
                  </tr>
                )}
              </tbody>
            </table>
            <p>
              Controller: broker {view.controller}. ZooKeeper quorum leader: {String(view.zookeeper?.quorumLeader ?? 'unknown')}.
            </p>
            <ul class="disks">
              {view.disks.map((d) => (
                <li key={d.dir}>
                  {d.dir}: {bytes(d.freeBytes)} free of {bytes(d.totalBytes)}
                </li>
              ))}
            </ul>
          </Section>
        </>
      )}
    </main>
  );
}
