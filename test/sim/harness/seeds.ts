// Which seeds a simulation runs: a fixed CI slice by default, SIM_SEEDS=n for a long run, SIM_SEED=s
// to replay one failure exactly.

export interface SeedPlan {
  seeds: number[];
  /** How a failing seed is replayed, for the failure message. */
  replay: (seed: number) => string;
}

export function seedPlan(defaultCount: number, testFile: string): SeedPlan {
  const one = process.env.SIM_SEED;
  const count = process.env.SIM_SEEDS;
  const base = Number(process.env.SIM_SEED_BASE ?? 1);
  let seeds: number[];
  if (one !== undefined) seeds = [Number(one)];
  else seeds = Array.from({ length: count !== undefined ? Number(count) : defaultCount }, (_, i) => base + i);
  if (seeds.some((s) => !Number.isSafeInteger(s))) throw new Error(`bad SIM_SEED/SIM_SEEDS/SIM_SEED_BASE: ${one ?? count}`);
  return { seeds, replay: (seed) => `SIM_SEED=${seed} npx vitest run ${testFile}` };
}
