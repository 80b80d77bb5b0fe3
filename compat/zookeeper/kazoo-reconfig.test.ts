// kazoo's reconfig against a server started with reconfigEnabled=true: answered Unimplemented, as a
// standalone Apache ZooKeeper 3.8 answers it. (With the default, reconfigEnabled=false, the answer is
// ReconfigDisabled, -123, for which kazoo 2.8 has no exception: its call never returns, against ZooKeeper too.)
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PYTHON, run } from '../helpers/commands.js';
import { zooKeeperForTests } from '../helpers/skein-process.js';

const SCRIPT = join(import.meta.dirname, 'kazoo_recipes.py');
const zk = zooKeeperForTests(['reconfigEnabled=true']);

it('reconfig with reconfigEnabled=true raises UnimplementedError; /zookeeper/config stays empty', async () => {
  const { code, stdout, stderr } = await run(PYTHON, [SCRIPT, zk().address, 'reconfig']);
  if (code !== 0) throw new Error(`kazoo reconfig failed (${code}):\n${stderr}`);
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ error: 'UnimplementedError', config: '' });
});
