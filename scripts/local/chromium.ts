/**
 * Debian's Chromium for the browser test, installed with apt-get when it is missing and we may (root, and
 * CHROMIUM_AUTO_INSTALL is not "0"), as postgres.ts does for PostgreSQL. Playwright's own browser download cannot
 * work here (only npm and Debian's packages are reachable), so the test drives this one.
 *
 * ```ts
 * const found = await ensureChromium(); // { path: "/usr/bin/chromium" } or { missing: "why" }
 * ```
 */
import { run, runOrThrow } from "./process.ts";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export type ChromiumLookup = { path: string } | { missing: string };

export async function ensureChromium(): Promise<ChromiumLookup> {
  if (await isExecutable(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  if (Deno.uid() !== 0 || Deno.env.get("CHROMIUM_AUTO_INSTALL") === "0") {
    return {
      missing: `${CHROMIUM_PATH} not found; install Debian's chromium package (apt-get install chromium)`,
    };
  }
  console.error("[chromium] installing Debian's chromium package (one time)...");
  await runOrThrow("apt-get", ["update", "-qq"]);
  await runOrThrow("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], {
    env: { DEBIAN_FRONTEND: "noninteractive" },
  });
  if (!(await isExecutable(CHROMIUM_PATH))) {
    throw new Error("apt-get installed chromium but it is still missing");
  }
  return { path: CHROMIUM_PATH };
}

async function isExecutable(path: string): Promise<boolean> {
  const probe = await run(path, ["--version"]).catch(() => undefined);
  return probe?.code === 0;
}
