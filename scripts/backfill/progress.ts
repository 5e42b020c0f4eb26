/**
 * The progress display on stderr: on a terminal, one line redrawn in place (at most every 100 ms); otherwise
 * (a log file, CI) a plain line every few seconds. Log lines written through it never tear the bar.
 */
import { formatProgress } from "./format.ts";
import type { BackfillProgress } from "./tally.ts";

export interface ProgressReporter {
  update(progress: BackfillProgress): void;
  /** Writes a line above the bar. */
  log(line: string): void;
  /** Draws the last state for good and leaves the cursor on a new line. */
  finish(): void;
}

export function createProgressReporter(options: {
  terminal: boolean;
  write?: (text: string) => void;
  intervalMs?: number;
  now?: () => number;
}): ProgressReporter {
  const encoder = new TextEncoder();
  const write = options.write ?? ((text: string) => void Deno.stderr.writeSync(encoder.encode(text)));
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? (options.terminal ? 100 : 5000);
  let latest: BackfillProgress | undefined;
  let drawnAt = -Infinity;
  let onScreen = false;

  const draw = () => {
    if (!latest) return;
    drawnAt = now();
    if (options.terminal) {
      write(`\r\x1b[2K${formatProgress(latest)}`);
      onScreen = true;
    } else {
      write(`${formatProgress(latest, { bar: false })}\n`);
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
