/**
 * The progress display on stderr of the operator tasks (backfill, rotate-keys): on a terminal, one line redrawn
 * in place (at most every 100 ms); otherwise (a log file, CI) a plain line every few seconds. Log lines written
 * through it never tear the bar. Each task brings its counts to the line (`formatProgressLine`) and its pace
 * (`paceOf`); `runWithProgress` puts it all together.
 */
import { stopOnInterrupt } from "./interrupt.ts";

/** How far a run over rows has got, and how fast. */
export interface Pace {
  /** Rows the run set out to do. */
  total: number;
  /** Rows finished, whatever their outcome. */
  processed: number;
  elapsedSeconds: number;
  /** Rows finished per second so far. */
  rowsPerSecond: number;
  /** At the current rate; null until a row has finished. */
  etaSeconds: number | null;
}

/** `startedAt` is a `performance.now()` reading. */
export function paceOf(processed: number, total: number, startedAt: number): Pace {
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const rowsPerSecond = elapsedSeconds > 0 ? processed / elapsedSeconds : 0;
  const left = Math.max(0, total - processed);
  return {
    total,
    processed,
    elapsedSeconds: round(elapsedSeconds, 3),
    rowsPerSecond: round(rowsPerSecond, 2),
    etaSeconds: left === 0 ? 0 : rowsPerSecond > 0 ? round(left / rowsPerSecond, 1) : null,
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

const BAR_WIDTH = 24;

/**
 * Any task's progress line: the bar (on a terminal), rows done of the total, rate, ETA, then `counts` (the first
 * always, the others once not zero).
 */
export function formatProgressLine(
  pace: Pace,
  counts: [string, number][],
  options: { bar: boolean } = { bar: true },
): string {
  const { total, processed } = pace;
  const shown = counts.filter(([, count], index) => index === 0 || count > 0);
  const fraction = total > 0 ? Math.min(1, processed / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const parts = [
    `${processed}/${total}`,
    `${String(Math.floor(fraction * 100)).padStart(3)}%`,
    `${pace.rowsPerSecond.toFixed(1)} rows/s`,
    `ETA ${pace.etaSeconds === null ? "?" : formatDuration(pace.etaSeconds)}`,
    shown.map(([name, count]) => `${name} ${count}`).join(" "),
  ];
  const bar = options.bar ? `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ` : "";
  return bar + parts.filter(Boolean).join("  ");
}

/** 75 -> "1:15", 3725 -> "1:02:05" */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

type ProgressFormat<T> = (progress: T, options?: { bar: boolean }) => string;

export interface ProgressReporter<T> {
  update(progress: T): void;
  /** Writes a line above the bar. */
  log(line: string): void;
  /** Draws the last state for good and leaves the cursor on a new line. */
  finish(): void;
}

export function createProgressReporter<T>(options: {
  terminal: boolean;
  format: ProgressFormat<T>;
  write?: (text: string) => void;
  intervalMs?: number;
  now?: () => number;
}): ProgressReporter<T> {
  const encoder = new TextEncoder();
  const write = options.write ?? ((text: string) => void Deno.stderr.writeSync(encoder.encode(text)));
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? (options.terminal ? 100 : 5000);
  let latest: T | undefined;
  let drawnAt = -Infinity;
  let onScreen = false;

  const draw = () => {
    if (latest === undefined) return;
    drawnAt = now();
    if (options.terminal) {
      write(`\r\x1b[2K${options.format(latest)}`);
      onScreen = true;
    } else {
      write(`${options.format(latest, { bar: false })}\n`);
    }
  };
  const clear = () => {
    if (onScreen) write("\r\x1b[2K");
    onScreen = false;
  };

  return {
    update(progress) {
      latest = progress;
      if (now() - drawnAt >= interval) draw();
    },
    log(line) {
      clear();
      write(`${line}\n`);
      if (options.terminal) draw();
    },
    finish() {
      draw();
      if (options.terminal && onScreen) write("\n");
      onScreen = false;
    },
  };
}

/** What a task's work gets from runWithProgress. */
export interface ProgressRun<P> {
  /** Aborted by Ctrl-C: finish the rows in flight, then stop. */
  signal: AbortSignal;
  onProgress: (progress: P) => void;
  /** Writes a line above the progress line. */
  log: (line: string) => void;
}

/**
 * Runs a task over rows with its progress line on stderr and Ctrl-C stopping it (interrupt.ts), then prints its
 * summary on stdout: `describe`'s text, or JSON.
 */
export async function runWithProgress<P, S>(
  display: { format: ProgressFormat<P>; describe: (summary: S) => string; json: boolean },
  work: (run: ProgressRun<P>) => Promise<S>,
): Promise<S> {
  const reporter = createProgressReporter({ terminal: Deno.stderr.isTerminal(), format: display.format });
  const interrupt = stopOnInterrupt((line) => reporter.log(line));
  try {
    const summary = await work({
      signal: interrupt.signal,
      onProgress: (progress) => reporter.update(progress),
      log: (line) => reporter.log(line),
    });
    reporter.finish();
    console.log(display.json ? JSON.stringify(summary, null, 2) : display.describe(summary));
    return summary;
  } finally {
    interrupt.release();
  }
}
