/**
 * A private PostgreSQL cluster for the local stack and the tests: initdb into a folder of ours, start it on a
 * loopback port, stop it. Uses Debian's PostgreSQL binaries, installing them with apt-get when they are missing
 * and we are allowed to (root, and PG_AUTO_INSTALL is not "0").
 *
 * ```ts
 * const pg = await startPostgres({ dataDir: "/tmp/x/pgdata", port: 54322 });
 * console.log(pg.url); // postgresql://postgres:postgres@127.0.0.1:54322/postgres
 * await pg.stop();
 * ```
 */
import { dirname, join } from "node:path";
import { run, runOrThrow } from "./process.ts";

export const POSTGRES_PASSWORD = "postgres";

export interface PostgresCluster {
  url: string;
  port: number;
  dataDir: string;
  binDir: string;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  /** Trade durability for speed: right for throw-away test clusters. */
  ephemeral?: boolean;
}

const isRoot = () => Deno.uid() === 0;

/** util-linux's runuser lives in sbin, which a minimal PATH (as in some CI runners) leaves out. */
const RUNUSER = ["/usr/sbin/runuser", "/sbin/runuser"].find((path) => existsSync(path)) ?? "runuser";

/** Runs a PostgreSQL server binary as the `postgres` user when we are root (it refuses to run as root). */
function asClusterOwner(cmd: string, args: string[]): [string, string[]] {
  return isRoot() ? [RUNUSER, ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
}

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

export async function findPostgresBinDir(): Promise<string | undefined> {
  const candidates: string[] = [];
  try {
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) candidates.push(entry.name);
  } catch { /* not a Debian layout */ }
  candidates.sort((a, b) => Number(b) - Number(a));
  for (const version of candidates) {
    const bin = `/usr/lib/postgresql/${version}/bin`;
    if (await exists(join(bin, "initdb"))) return bin;
  }
  const which = await run("sh", ["-c", "command -v initdb"]);
  return which.code === 0 ? dirname(which.stdout.trim()) : undefined;
}

/** Finds the binaries, installing Debian's `postgresql` package if that is allowed. */
export async function ensurePostgresBinaries(): Promise<string> {
  const found = await findPostgresBinDir();
  if (found) return found;
  if (!isRoot() || Deno.env.get("PG_AUTO_INSTALL") === "0") {
    throw new Error(
      "PostgreSQL binaries not found. Install Debian's `postgresql` package (apt-get install postgresql), " +
        "or set DATABASE_URL to a database you already run.",
    );
  }
  console.error("[postgres] installing Debian's postgresql package (one time)...");
  await runOrThrow("apt-get", ["update", "-qq"]);
  await runOrThrow("apt-get", [
    "install",
    "-y",
    "-qq",
    "--no-install-recommends",
    "postgresql",
    "postgresql-client",
  ], {
    env: { DEBIAN_FRONTEND: "noninteractive" },
  });
  const installed = await findPostgresBinDir();
  if (!installed) throw new Error("apt-get installed postgresql but initdb is still missing");
  return installed;
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresCluster> {
  const binDir = await ensurePostgresBinaries();
  const { dataDir, port } = options;
  if (!(await exists(join(dataDir, "PG_VERSION")))) await initCluster(binDir, dataDir);

  const settings = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    "-c unix_socket_directories=''",
    "-c max_connections=300",
    ...(options.ephemeral ? ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"] : []),
  ].join(" ");
  const [cmd, args] = asClusterOwner(join(binDir, "pg_ctl"), [
    "start",
    "-w",
    "-t",
    "60",
    "-D",
    dataDir,
    "-l",
    join(dataDir, "server.log"),
    "-o",
    settings,
  ]);
  const started = await run(cmd, args);
  if (started.code !== 0) {
    const log = await Deno.readTextFile(join(dataDir, "server.log")).catch(() => "");
    throw new Error(`pg_ctl start failed: ${started.stderr}${started.stdout}\n${log.slice(-2000)}`);
  }
  return {
    url: `postgresql://postgres:${POSTGRES_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    binDir,
    stop: () => stopPostgres(binDir, dataDir),
  };
}

export async function stopPostgres(binDir: string, dataDir: string): Promise<void> {
  const [cmd, args] = asClusterOwner(join(binDir, "pg_ctl"), ["stop", "-m", "fast", "-w", "-D", dataDir]);
  await run(cmd, args);
}

async function initCluster(binDir: string, dataDir: string) {
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = join(dataDir, "..", `.pwfile-${crypto.randomUUID()}`);
  await Deno.writeTextFile(pwFile, POSTGRES_PASSWORD + "\n");
  if (isRoot()) {
    // The server runs as `postgres`: it must own its data directory and be able to read the password file.
    await runOrThrow("chown", ["postgres:postgres", dataDir, pwFile]);
  }
  try {
    const [cmd, args] = asClusterOwner(join(binDir, "initdb"), [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--auth=scram-sha-256",
      `--pwfile=${pwFile}`,
      "-E",
      "UTF8",
      "--no-locale",
      "--no-sync",
    ]);
    await runOrThrow(cmd, args);
  } finally {
    await Deno.remove(pwFile).catch(() => {});
  }
}

/**
 * A folder the cluster can live in. As root the server runs as `postgres`, which cannot enter a checkout under a
 * private home directory, so the folder is placed where it can when needed.
 */
export async function clusterDirFor(preferred: string): Promise<string> {
  if (!isRoot()) return preferred;
  await Deno.mkdir(dirname(preferred), { recursive: true });
  const probe = await run(RUNUSER, ["-u", "postgres", "--", "test", "-x", dirname(preferred)]);
  if (probe.code === 0) return preferred;
  const key = await sha256Hex(preferred);
  const fallback = `/var/tmp/twilio-sip-provisioning-${key.slice(0, 12)}/postgres`;
  await Deno.mkdir(dirname(fallback), { recursive: true, mode: 0o755 });
  return fallback;
}

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function exists(path: string) {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
