// A JVM server (Apache ZooKeeper from Debian's jars) as a child of the test: killed if the test worker
// exits first, and stopped with SIGTERM, its temp dir removed once it has exited.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

export interface JavaServer {
  stop(): Promise<void>;
}

export function spawnJavaServer(args: readonly string[], dir: string): JavaServer {
  const child: ChildProcess = spawn('java', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test worker that dies before afterAll must not leave a JVM behind.
  const orphaned = (): void => void child.kill('SIGKILL');
  process.once('exit', orphaned);
  return {
    async stop() {
      process.off('exit', orphaned);
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
