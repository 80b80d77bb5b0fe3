// `skein zk import --from <Apache dataDir> --data-dir <Skein dataDir>`: moves an Apache ZooKeeper's znodes
// to Skein by reading its data directory (no running server needed); the work is in src/zookeeper/import.
import type { Command } from 'commander';
import { formatZxid } from '../../consensus/zxid.js';
import { ImportError } from '../../zookeeper/import/apache-data-dir.js';
import { importApacheZooKeeper } from '../../zookeeper/import/import.js';
import { withExamples } from '../client-options.js';
import { CommandFailure } from '../failure.js';
import { formatOption, printResult, renderTable, type OutputFormat } from '../output.js';

interface Options {
  from: string;
  fromLogDir?: string;
  dataDir: string;
  format: OutputFormat;
}

export function registerZkImport(zk: Command): void {
  withExamples(
    zk
      .command('import')
      .description("copy a stopped Apache ZooKeeper's data directory (version-2 snapshots and logs) into a new Skein data directory")
      .requiredOption('--from <dir>', "Apache ZooKeeper's dataDir (from its zoo.cfg)")
      .option('--from-log-dir <dir>', "Apache ZooKeeper's dataLogDir, when its zoo.cfg sets one")
      .requiredOption('--data-dir <dir>', "the Skein ZooKeeper data directory to create (zoo.cfg's dataDir, or <data-dir>/zookeeper for skein start); must be new or empty")
      .addOption(formatOption()),
    [
      ['skein zk import --from /var/lib/zookeeper --data-dir ./data/zookeeper', 'then `skein start --data-dir ./data` serves the same znodes'],
      ['skein zk import --from /data --from-log-dir /datalog --data-dir /srv/skein/zk', 'logs kept apart from snapshots'],
    ],
  ).action(async (o: Options) => {
    let summary;
    try {
      summary = await importApacheZooKeeper({ from: o.from, fromLogDir: o.fromLogDir, dataDir: o.dataDir });
    } catch (err) {
      if (err instanceof ImportError) throw new CommandFailure(`cannot import ${err.message} (nothing was written)`);
      throw err;
    }
    const facts = {
      dataDir: summary.dataDir,
      snapshot: summary.snapshot?.path ?? null,
      logs: summary.logs.length,
      replayed: summary.replayed,
      nodes: summary.nodes,
      sessions: summary.sessions,
      lastZxid: formatZxid(summary.lastZxid),
      tornTail: summary.tornTail ?? null,
      deadSessions: summary.deadSessions,
    };
    printResult(o.format, facts, () =>
      renderTable(
        ['what', 'value'],
        Object.entries(facts).map(([k, v]) => [k, v === null ? null : typeof v === 'object' ? `${v.file} at byte ${v.offset} (a crash-cut record, dropped as Apache does)` : v]),
      ),
    );
  });
}
