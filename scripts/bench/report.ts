/**
 * What every benchmark returns, and the two ways it is shown: a table on stdout and a JSON file (an array with one
 * object per figure that has a target). A figure is always a ratio to a baseline measured in the same run, so a
 * slow or noisy machine moves both sides together.
 *
 * ```ts
 * const row = figure({ benchmark: "provisioning", name: "create-main-trunk p50 / L", unit: "ms",
 *   measured: 231, baseline: 100, target: atMost(2.5) });
 * console.log(formatTable([row]));
 * ```
 */

export interface Target {
  op: "<=" | ">=";
  value: number;
  /** Said next to the number when the target is more than the ratio (e.g. an absolute ceiling). */
  note?: string;
}

export const atMost = (value: number, note?: string): Target => ({ op: "<=", value, note });
export const atLeast = (value: number, note?: string): Target => ({ op: ">=", value, note });

/** An extra figure shown under its row (not judged): percentiles, shares, the parts of a total. */
export interface Detail {
  name: string;
  measured: number | string;
  baseline?: number | string;
  unit?: string;
}

export interface BenchResult {
  benchmark: string;
  name: string;
  unit: string;
  measured: number;
  baseline: number;
  ratio: number;
  target: string;
  met: boolean;
  details?: Detail[];
  error?: string;
}

export interface FigureInput {
  benchmark: string;
  name: string;
  unit: string;
  measured: number;
  baseline: number;
  target: Target;
  /** A further condition for `met` (e.g. a hard limit), explained in `target.note`. */
  alsoRequired?: boolean;
  details?: Detail[];
}

export function figure(input: FigureInput): BenchResult {
  const ratio = input.measured / input.baseline;
  const withinTarget = input.target.op === "<=" ? ratio <= input.target.value : ratio >= input.target.value;
  const target = `${input.target.op} ${input.target.value}` +
    (input.target.note ? ` ${input.target.note}` : "");
  return {
    benchmark: input.benchmark,
    name: input.name,
    unit: input.unit,
    measured: round(input.measured),
    baseline: round(input.baseline),
    ratio: round(ratio, 3),
    target,
    met: withinTarget && (input.alsoRequired ?? true),
    ...(input.details?.length ? { details: input.details } : {}),
  };
}

/** A benchmark that could not produce its figure: shown, and counted as a missed target. */
export function failure(benchmark: string, error: unknown): BenchResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    benchmark,
    name: `${benchmark} (did not run)`,
    unit: "",
    measured: NaN,
    baseline: NaN,
    ratio: NaN,
    target: "",
    met: false,
    error: message,
  };
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function formatTable(results: BenchResult[]): string {
  const header = ["figure", "measured", "baseline", "ratio", "target", "met"];
  const rows: string[][] = [];
  for (const result of results) {
    const unit = result.unit ? ` ${result.unit}` : "";
    rows.push([
      result.name,
      Number.isNaN(result.measured) ? "-" : `${result.measured}${unit}`,
      Number.isNaN(result.baseline) ? "-" : `${result.baseline}${unit}`,
      Number.isNaN(result.ratio) ? "-" : String(result.ratio),
      result.target,
      result.met ? "yes" : "NO",
    ]);
    for (const detail of result.details ?? []) {
      const unit = detail.unit ? ` ${detail.unit}` : "";
      rows.push([
        `  ${detail.name}`,
        `${detail.measured}${unit}`,
        detail.baseline === undefined ? "" : `${detail.baseline}${unit}`,
        "",
        "",
        "",
      ]);
    }
    if (result.error) rows.push([`  error: ${result.error.split("\n")[0]}`, "", "", "", "", ""]);
  }
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row: string[]) =>
    row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))
      .join("  ").trimEnd();
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}
