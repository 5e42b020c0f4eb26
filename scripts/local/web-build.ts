/**
 * The example page's build (web/ → web/dist), for `task dev` and the browser test. Installs web/'s pinned npm
 * packages when they are missing or the lock changed, and builds when web/dist was not built from the current
 * sources (a hash of them is kept in the build). The build carries no project URL or key: the server hands those
 * out as config.json, so one build serves any stack.
 *
 * ```ts
 * const distDir = await buildWebPage();
 * ```
 */
import { join, relative } from "node:path";
import { repoRoot, runOrThrow } from "./process.ts";

export const webDir = join(repoRoot, "web");
export const distDir = join(webDir, "dist");

const INPUTS = [
  "web/index.html",
  "web/vite.config.ts",
  "web/tsconfig.json",
  "web/package-lock.json",
  "web/src",
  "client/src",
  // The client's types come from the contract, which the build type-checks with it.
  "supabase/functions/_shared/contract",
];
const BUILD_STAMP = ".sources-sha256";
const INSTALL_STAMP = join(webDir, "node_modules", ".package-lock-sha256");

/** Builds web/dist if it is missing or stale; returns its path. Safe to call from several processes at once. */
export async function buildWebPage(): Promise<string> {
  const lock = await Deno.open(join(webDir, ".build.lock"), { create: true, write: true });
  try {
    await lock.lock(true);
    await installDependencies();
    const sources = await hashOf(await inputFiles());
    if ((await readText(join(distDir, BUILD_STAMP))) === sources) return distDir;
    console.error("[web] building the example page (web/dist)...");
    await build(sources);
    return distDir;
  } finally {
    lock.close();
  }
}

async function installDependencies() {
  const lockHash = await hashOf([join(webDir, "package-lock.json")]);
  if ((await readText(INSTALL_STAMP)) === lockHash) return;
  console.error("[web] installing the page's pinned npm packages (web/package-lock.json)...");
  // Not `npm ci`: the registry here does not serve one of Vite's optional Windows-only packages, so the lock
  // cannot list it and `npm ci` refuses the lock as out of sync. `install --no-save` installs exactly the
  // locked versions and leaves the lock as it is (as scripts/local/supabase-cli.ts does for the CLI).
  await runOrThrow("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: webDir,
  });
  await Deno.writeTextFile(INSTALL_STAMP, lockHash);
}

/** Type-checks, then builds into a fresh folder and swaps it in, so a server never sees a half-written dist. */
async function build(sources: string) {
  const bin = (name: string) => join(webDir, "node_modules", ".bin", name);
  await runOrThrow(bin("tsc"), ["--noEmit", "-p", "."], { cwd: webDir });
  const staging = `${distDir}.build-${Deno.pid}`;
  await runOrThrow(bin("vite"), ["build", "--outDir", staging, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: webDir,
    // Empty, so a developer's own values (or a .env file) never get baked into the shared local build.
    env: { VITE_SUPABASE_URL: "", VITE_SUPABASE_PUBLISHABLE_KEY: "" },
  });
  await Deno.writeTextFile(join(staging, BUILD_STAMP), sources);
  await Deno.remove(distDir, { recursive: true }).catch(() => {});
  await Deno.rename(staging, distDir);
}

async function inputFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const input of INPUTS) {
    files.push(...(await filesUnder(join(repoRoot, input))));
  }
  return files.sort();
}

async function filesUnder(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (info.isFile) return [path];
  const found: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    found.push(...(await filesUnder(join(path, entry.name))));
  }
  return found;
}

/** SHA-256 over each file's path (relative to the repo) and contents. */
async function hashOf(files: string[]): Promise<string> {
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const file of files) {
    parts.push(
      encoder.encode(`${relative(repoRoot, file)}\0`),
      await Deno.readFile(file),
      encoder.encode("\0"),
    );
  }
  const all = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  parts.reduce((offset, part) => (all.set(part, offset), offset + part.length), 0);
  const digest = await crypto.subtle.digest("SHA-256", all);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function readText(path: string): Promise<string | undefined> {
  return await Deno.readTextFile(path).catch(() => undefined);
}
