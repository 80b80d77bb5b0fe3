// Role changes back and forth (participant -> observer -> participant) of each server in turn, the leader
// included, each sent through another server or the changing one itself. A leader that demotes itself
// hands over, and a server may learn of that before it learns the new leader: a reconfig it holds
// meanwhile was sent nowhere and goes to the new leader. It used to be dropped with its connection
// (ConnectionLoss) when the new term became known: this failed within six rounds every time.
import { createHash } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { startEnsemble, type TestEnsemble } from './ensemble-harness.js';
import { fourLetterWord } from './harness.js';

let ens: TestEnsemble | undefined;
afterEach(async () => {
  await ens?.close();
  ens = undefined;
});

const digest = createHash('sha1').update('super:test').digest('base64');
const RECONFIG = `reconfigEnabled=true\nDigestAuthenticationProvider.superDigest=super:${digest}`;
/** Each round demotes and promotes one server (about 0.1 s a round); RECONFIG_ROLE_ROUNDS for a longer run. */
const ROUNDS = Number(process.env.RECONFIG_ROLE_ROUNDS ?? 6);
const mode = async (port: number) => /^Mode: (\S+)$/m.exec(await fourLetterWord(port, 'srvr'))?.[1];

it('demotes and promotes each server in turn through the servers, and every reconfig is answered', async () => {
  ens = await startEnsemble(3, { extraCfg: RECONFIG });
  await ens.leader();
  const clients = new Map<number, Awaited<ReturnType<TestEnsemble['client']>>>();
  for (const id of [1, 2, 3]) {
    const c = await ens.client({ only: [id] });
    await c.addAuth('digest', 'super:test');
    clients.set(id, c);
  }
  for (let round = 0; round < ROUNDS; round++) {
    const target = (round % 3) + 1;
    const steps = [
      { role: 'observer', via: ((round + 1) % 3) + 1, mode: /^observer$/ },
      { role: 'participant', via: ((round * 2 + target) % 3) + 1, mode: /^(leader|follower)$/ },
    ];
    for (const { role, via, mode: want } of steps) {
      const c = clients.get(via)!;
      const config = (await c.getData('/zookeeper/config')).data!.toString();
      const line = config
        .split('\n')
        .find((l) => l.startsWith(`server.${target}=`))!
        .replace(/:(participant|observer);/, `:${role};`);
      const answer = await c.reconfig(line, '').catch((err: unknown) => {
        throw new Error(`round ${round}: server ${target} to ${role} through server ${via}: ${String(err)}`);
      });
      expect(answer.data!.toString()).toContain(line);
      for (let i = 0; !want.test((await mode(ens.ports.get(target)!)) ?? ''); i++) {
        if (i > 250) throw new Error(`server ${target} never became ${role}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}, 60_000);
