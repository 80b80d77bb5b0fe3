// Option parsing and the process wrapper both perf tools share.
import { flag, parseArgs, UsageError, type ParsedArgs } from '../bench-args.js';

export { flag, parseArgs, UsageError, type ParsedArgs };

/** An integer option; required when there is no fallback. */
export function intOption(args: ParsedArgs, name: string, usage: string, fallback?: number): number {
  const raw = flag(args, name);
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required\n${usage}`);
    return fallback;
  }
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  return Number(raw);
}

/** The broker to start from: --bootstrap, or Kafka's spelling --bootstrap-server. */
export function bootstrapOption(args: ParsedArgs, usage: string): string {
  const bootstrap = flag(args, 'bootstrap') ?? flag(args, 'bootstrap-server');
  if (!bootstrap) throw new UsageError(`--bootstrap is required\n${usage}`);
  return bootstrap;
}

/** Runs a tool's main and exits with its code; usage errors exit 2 with the message. */
export function runTool(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof UsageError ? err.message : ((err as Error).stack ?? String(err))}\n`);
      process.exit(2);
    },
  );
}
