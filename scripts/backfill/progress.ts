/**
 * The progress display on stderr of the operator tasks (backfill, rotate-keys): on a terminal, one line redrawn
 * in place (at most every 100 ms); otherwise (a log file, CI) a plain line every few seconds. Log lines written
 * through it never tear the bar. Each task brings its line (`format`) and its pace (`paceOf`).
 */

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
