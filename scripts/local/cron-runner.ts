/**
 * The worker of the local pg_cron stand-in (see pg-net-vault-standins.sql): runs every job in cron.job once a
 * minute, as pg_cron runs `* * * * *` jobs (the only schedule the project uses; others are run at that pace too).
 */
import postgres from "postgres";

const EVERY_MS = 60_000;

export function startCronRunner(dbUrl: string) {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const runJobs = async () => {
    const jobs = await sql<{ jobname: string; command: string }[]>`select jobname, command from cron.job`;
    for (const job of jobs) {
      await sql.unsafe(job.command).catch((error) =>
        console.error(`[cron] ${job.jobname}: ${error.message}`)
      );
    }
  };
  const timer = setInterval(() => runJobs().catch(() => {}), EVERY_MS);
  return {
    async close() {
      clearInterval(timer);
      await sql.end({ timeout: 5 });
    },
  };
}
