// A long-running client program the failover tests drive while they kill servers: it prints one JSON
// object per line (an "event" name and "t", the wall clock in ms, plus fields) and takes commands on
// stdin. The test waits for events, sends commands, and kills the program with -9 when the test is about
// a client that dies. A line that is not JSON (a program with its own output, zkCli) becomes a "line"
// event with its text.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ClientEvent {
  event: string;
  t: number;
  [field: string]: unknown;
}

/** Output lines kept for a failure report. */
const REPORT_LINES = 30;
const POLL_MS = 20;

export class JsonLinesChild {
  /** Programs started and not yet exited, for killAll. */
  private static readonly alive = new Set<JsonLinesChild>();

  /** kill -9 of every program still running: after a test that failed before stopping its clients. */
  static async killAll(): Promise<void> {
    await Promise.all([...JsonLinesChild.alive].map((c) => c.kill()));
  }

  readonly events: ClientEvent[] = [];
  private readonly child: ChildProcess;
  private stderr = '';
  private pending = '';
  private readonly exit: Promise<number | null>;

  constructor(
    readonly name: string,
    file: string,
    args: string[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.stdin!.on('error', () => {});
    this.child.stdout!.on('data', (d: Buffer) => {
      this.pending += d.toString();
      const lines = this.pending.split('\n');
      this.pending = lines.pop()!;
      for (const line of lines) {
        if (line.trim() === '') continue;
        let event: ClientEvent;
        try {
          event = JSON.parse(line) as ClientEvent;
        } catch {
          event = { event: 'line', t: Date.now(), text: line };
        }
        this.events.push(event);
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    JsonLinesChild.alive.add(this);
    void this.exit.then(() => JsonLinesChild.alive.delete(this));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Waits until `condition` holds, polling; after `timeoutMs` fails with the recent output of each of
   * `programs`, the clients whose behaviour the condition is about.
   */
  static async until(what: string, condition: () => boolean, programs: readonly JsonLinesChild[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms\n${programs.map((p) => p.report()).join('\n')}`);
      await sleep(POLL_MS);
    }
  }

  /** Events named `event`. */
  all(event: string): ClientEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  /** Waits until an event satisfies `match`, failing with the program's recent output after `timeoutMs`. */
  async waitFor(what: string, match: (e: ClientEvent) => boolean, timeoutMs = 60_000): Promise<ClientEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (!this.running) throw new Error(`${this.name} exited before ${what}\n${this.report()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms\n${this.report()}`);
      await sleep(POLL_MS);
    }
  }

  send(command: string): void {
    this.child.stdin!.write(`${command}\n`);
  }

  /** Sends `command` ("stop" by default) and waits for the program to exit by itself with 0. */
  async stop(command = 'stop', timeoutMs = 60_000): Promise<number | null> {
    this.send(command);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exit;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`${this.name} exited with ${code}\n${this.report()}`);
    return code;
  }

  /** kill -9: the program's sessions are left to expire. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exit;
  }

  report(): string {
    const last = this.events.slice(-REPORT_LINES).map((e) => JSON.stringify(e));
    return `${this.name} last events:\n${last.join('\n')}\nstderr:\n${this.stderr.split('\n').slice(-REPORT_LINES).join('\n')}`;
  }
}
