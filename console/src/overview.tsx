// The overview: brokers and the ZooKeeper server, totals, and live throughput, all from the overview stream.
import { useEffect, useState } from 'preact/hooks';
import { api, live } from './api';
import { Chart, Problem, Section } from './components';
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
  const [view, setView] = useState<Overview>();
  const [samples, setSamples] = useState<Sample[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<Overview>('/api/overview').then(setView, (e: Error) => setError(e.message));
    const take = (s: Sample) => {
      if (s.error) return setError(s.error);
      setError(undefined);
      if (s.overview) setView(s.overview);
    };
    return live<Sample>(
      'stream=overview',
      (h) => {
        setSamples(h);
        const last = h[h.length - 1];
        if (last) take(last);
      },
      (s) => {
        setSamples((old) => [...old.slice(-149), s]);
        take(s);
      },
      setError,
    );
  }, []);
  const points = samples.filter((s) => !s.error);
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
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">Address</th>
                  <th scope="col">Role</th>
                  <th scope="col">State</th>
                  <th scope="col">Uptime</th>
                  <th scope="col">Log size</th>
                </tr>
              </thead>
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
