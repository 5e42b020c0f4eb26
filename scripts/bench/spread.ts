/**
 * Run-to-run spread of `deno task bench`: reads the JSON of several runs (`--out`) and prints, per figure, the
 * ratio of each run, its min–max, the measured values' min–max and in how many runs the target was met.
 *
 * ```sh
 * for i in 1 2 3; do deno task bench --out bench-$i.json; done
 * deno run -A scripts/bench/spread.ts [--markdown] bench-1.json bench-2.json bench-3.json
 * ```
 */
import { parseArgs } from "node:util";
import type { BenchResult } from "./report.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { markdown: { type: "boolean" } },
  allowPositionals: true,
});
if (positionals.length === 0) {
  console.error("usage: spread.ts [--markdown] run1.json run2.json ...");
  Deno.exit(2);
}

const runs: BenchResult[][] = await Promise.all(
  positionals.map(async (file) => JSON.parse(await Deno.readTextFile(file))),
);
// Figures in the order of the first run that has them.
const names: string[] = [];
for (const run of runs) for (const result of run) if (!names.includes(result.name)) names.push(result.name);

const number = (value: number) => Number.isNaN(value) ? "-" : String(value);
const range = (values: number[], unit = "") => {
  const known = values.filter((value) => !Number.isNaN(value));
  if (known.length === 0) return "-";
  const [min, max] = [Math.min(...known), Math.max(...known)];
  const suffix = unit ? ` ${unit}` : "";
  return min === max ? `${min}${suffix}` : `${min}–${max}${suffix}`;
};

const header = ["figure", "ratio per run", "ratio min–max", "measured min–max", "target", "met"];
const rows = names.map((name) => {
  const results = runs.map((run) => run.find((result) => result.name === name));
  const present = results.filter((result): result is BenchResult => result !== undefined);
  return [
    name,
    results.map((result) => result ? number(result.ratio) : "-").join(" / "),
    range(present.map((result) => result.ratio)),
    range(present.map((result) => result.measured), present[0]?.unit),
    present[0]?.target ?? "",
    `${present.filter((result) => result.met).length} of ${runs.length}`,
  ];
});

if (values.markdown) {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
  console.log([line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n"));
} else {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row: string[]) =>
    row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))
      .join("  ").trimEnd();
  console.log(
    [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n"),
  );
}
