// Argument parsers for commander options: each turns the text a user typed into a value or throws
// InvalidArgumentError, which commander reports as one line naming the option.
import { InvalidArgumentError } from 'commander';

/** A usage mistake found after parsing (a missing combination of options, a file that is not one). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A TCP port, 0 (any free port) to 65535. */
export function parsePort(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new InvalidArgumentError('must be a port number');
  return Number(raw);
}

/** A whole number within [min, max]. */
export function intIn(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** For options given several times (--override a=1 --override b=2): collects them in order. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** `key=value` (the value may contain '='), as --config and --set take it. */
export function parseKeyValue(raw: string): { name: string; value: string } {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('must be key=value');
  return { name: raw.slice(0, eq), value: raw.slice(eq + 1) };
}

/** A repeatable key=value option's parser: collects the pairs in order. */
export function collectKeyValue(raw: string, previous: readonly { name: string; value: string }[] = []): { name: string; value: string }[] {
  return [...previous, parseKeyValue(raw)];
}

/** A comma-separated list of partition numbers ("0,2,5"). */
export function parsePartitionList(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new InvalidArgumentError('must be partition numbers separated by commas');
  return parts.map(Number);
}
