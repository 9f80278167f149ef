import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One measured figure, beside the baseline measured in the same run where there is one. */
export type Figure = {
  name: string;
  unit: string;
  value: number;
  baseline?: number;
  /** value / baseline (computed when both exist). */
  ratio?: number;
  /** The goal, in the figure's unit, as the issue states it (`≥ 50000`, `≤ 100`). */
  target?: string;
};

/** A scenario module exports `run(args)` returning its figures. */
export type Scenario = { run(args: string[]): Promise<Figure[]> };

/** What machine the figures come from. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Adds ratios, prints a table, and writes bench/results/<scenario>.json. */
export function report(scenario: string, figures: Figure[]): string {
  const withRatio = figures.map((f) =>
    f.baseline !== undefined && f.baseline !== 0 && f.ratio === undefined
      ? { ...f, ratio: round(f.value / f.baseline, 3) }
      : f,
  );
  const dir = path.resolve(import.meta.dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${scenario}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ scenario, machine: machine(), figures: withRatio }, null, 2)}\n`);
  const rows = withRatio.map(
    (f) =>
      `  ${f.name.padEnd(48)} ${fmt(f.value).padStart(12)} ${f.unit.padEnd(10)} ${f.baseline === undefined ? ''.padStart(12) : fmt(f.baseline).padStart(12)} ${f.ratio === undefined ? '' : `×${f.ratio}`.padStart(8)}  ${f.target ?? ''}`,
  );
  const header = `  ${'figure'.padEnd(48)} ${'value'.padStart(12)} ${'unit'.padEnd(10)} ${'baseline'.padStart(12)} ${'ratio'.padStart(8)}  target`;
  process.stdout.write(
    `\n${scenario} — ${machine()}\n${header}\n${rows.join('\n')}\n  → ${path.relative(process.cwd(), file)}\n`,
  );
  return file;
}

export function round(v: number, digits = 1): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(round(v, 2));
}

/** The p-th percentile (0–100) of some samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}
