/**
 * The product flow, step by step, through the same service functions the Edge Functions call: provision, the SIP
 * configuration LiveKit gets, a number attached, verify, recording, a drift repaired, the number detached, and
 * the teardown of a deleted row, each confirmed against what Twilio then holds; after each of them, the LiveKit
 * side in the LiveKit project (livekit.ts), when one is given.
 */
import type { AttachOutcome, DetachOutcome } from "../../supabase/functions/_shared/contract/attach-phone.ts";
import type { MainTrunk } from "../../supabase/functions/_shared/contract/create-main-trunk.ts";
import { deleteCredential, findActiveCredential } from "../../supabase/functions/_shared/db/credentials.ts";
import { repairTrunk } from "../../supabase/functions/_shared/health/repair.ts";
import { verifyTrunkExists } from "../../supabase/functions/_shared/health/verify.ts";
import {
  attachPhoneToMainTrunk,
  detachPhoneFromMainTrunk,
} from "../../supabase/functions/_shared/numbers/attach.ts";
import { deprovisionCredential } from "../../supabase/functions/_shared/provisioning/deprovision.ts";
import {
  createMainTrunkForUser,
  getSipConfigForLiveKit,
} from "../../supabase/functions/_shared/provisioning/service.ts";
import { normalizeSipUri } from "../../supabase/functions/_shared/provisioning/sip-uri.ts";
import {
  getTrunkRecordingSettings,
  setTrunkRecordingSettings,
} from "../../supabase/functions/_shared/recordings/settings.ts";
import type { ServiceContext } from "../../supabase/functions/_shared/service-context.ts";
import { nullIfNotFound } from "../../supabase/functions/_shared/twilio/errors.ts";
import { voiceSettingsDiffer } from "./cleanup.ts";
import type { ProbeContext } from "./context.ts";
import { createProbeUser, openProbeDatabase, type ProbeDatabase, removeProbeUser } from "./database.ts";
import { LiveKitFlow } from "./livekit.ts";
import { failingChecks, Skipped, type Step } from "./steps.ts";

/** Not the default (do-not-record), so that setting it is seen to change something. */
const PROBE_RECORDING = { mode: "record-from-answer-dual", trim: "trim-silence" } as const;

export class ProductFlow {
  #database?: ProbeDatabase;
  #service?: ServiceContext;
  #trunk?: MainTrunk;
  readonly #livekit: LiveKitFlow;

  constructor(private readonly probe: ProbeContext) {
    this.#livekit = new LiveKitFlow(probe, { service: () => this.#ctx, trunk: () => this.#trunk! });
  }

  steps(): Step<{ detail: string }>[] {
    const step = (name: string, needs: string[], run: () => Promise<string>) => ({
      name,
      needs,
      run: async () => ({ detail: await run() }),
    });
    const livekit = this.#livekit;
    return [
      step("credentials", [], () => this.#credentials()),
      step("livekit_project", [], () => livekit.project()),
      step("database", ["credentials"], () => this.#openDatabase()),
      step("provision", ["database"], () => this.#provision()),
      step("sip_config", ["provision"], () => this.#sipConfig()),
      step("livekit_sip_config", ["sip_config", "livekit_project"], () => livekit.beforeNumbers()),
      step("attach_number", ["provision"], () => this.#attachNumber()),
      step("livekit_attach", ["attach_number", "livekit_project"], () => livekit.afterAttach()),
      step("verify", ["provision"], () => this.#verify()),
      step("recording", ["provision"], () => this.#recording()),
      step("repair", ["provision"], () => this.#repairDrift()),
      step("livekit_repair", ["livekit_attach"], () => livekit.repairRule()),
      step("detach_number", ["attach_number"], () => this.#detachNumber()),
      step("livekit_detach", ["detach_number", "livekit_attach"], () => livekit.afterDetach()),
      step("deprovision", ["provision"], () => this.#deprovision()),
      step("livekit_teardown", ["deprovision", "livekit_project"], () => livekit.afterTeardown()),
    ];
  }

  /** Removes the throw-away user's rows and closes the database (stopping a throw-away cluster). */
  async close() {
    if (!this.#database) return;
    try {
      if (this.probe.userId) await removeProbeUser(this.#database.sql, this.probe.userId);
    } finally {
      await this.#database.close();
    }
  }

  get #userId(): string {
    return this.probe.userId!;
  }

  get #ctx(): ServiceContext {
    return this.#service!;
  }

  async #credentials() {
    const account = await this.probe.twilio.fetchAccount();
    if (account.status !== "active") throw new Error(`account ${account.sid} is ${account.status}`);
    return `account ${account.sid} is active`;
  }

  async #openDatabase() {
    this.#database = await openProbeDatabase(this.probe.args.dbUrl);
    this.probe.userId = await createProbeUser(this.#database.sql);
    this.#service = this.probe.serviceContext(this.#database.sql);
    return `${this.#database.description}; throw-away user ${this.#userId}`;
  }

  async #provision() {
    const { accountSid, authToken } = this.probe.args.credentials;
    const trunk = await createMainTrunkForUser(this.#ctx, {
      userId: this.#userId,
      accountSid,
      authToken,
      label: "twilio live probe",
    });
    this.#trunk = trunk;
    if (trunk.degraded.length) {
      const row = await findActiveCredential(this.#ctx.sql, this.#userId);
      const parts = Object.entries(row?.degraded ?? {}).map(([part, failure]) =>
        `${part} (Twilio ${failure.code ?? "no answer"}: ${failure.message})`
      );
      throw new Error(`trunk ${trunk.trunkSid} works, but not everything was set up: ${parts.join("; ")}`);
    }
    const origination = await this.probe.twilio.listOriginationUrls(trunk.trunkSid);
    return `trunk ${trunk.trunkSid} at ${trunk.domainName}, credential list ${trunk.credentialListSid} ` +
      `(user ${trunk.sipUsername}), ${origination.length} origination URL(s)`;
  }

  async #sipConfig() {
    const config = await getSipConfigForLiveKit(this.#ctx, { userId: this.#userId, includePassword: true });
    const { livekit } = config;
    const problems = [
      config.status !== "active" && `status ${config.status}`,
      livekit.address !== this.#trunk!.domainName && `address ${livekit.address}`,
      livekit.authUsername !== this.#trunk!.sipUsername && `username ${livekit.authUsername}`,
      !livekit.authPassword && "no password",
    ].filter(Boolean);
    if (problems.length) throw new Error(`unexpected configuration: ${problems.join(", ")}`);
    return `LiveKit outbound trunk: address ${livekit.address}, transport ${livekit.transport}, ` +
      `username ${livekit.authUsername}, password present (not shown)`;
  }

  async #attachNumber() {
    const number = await this.#borrowedNumber();
    const result = await attachPhoneToMainTrunk(this.#ctx, { userId: this.#userId, numbers: [number.sid] });
    expectStatus(result.results[0], "attached");
    const now = await this.probe.twilio.fetchIncomingNumber(number.sid);
    if (now.trunkSid !== this.#trunk!.trunkSid) {
      throw new Error(`reported attached, but Twilio has it on ${now.trunkSid ?? "no trunk"}`);
    }
    return `${number.phoneNumber} on ${now.trunkSid}`;
  }

  async #verify() {
    const report = await verifyTrunkExists(this.#ctx, { userId: this.#userId });
    if (report.status !== "verified") throw new Error(`${report.status}: ${failingChecks(report)}`);
    return `verified: ${report.checks.map((check) => check.name).join(", ")}`;
  }

  async #recording() {
    await setTrunkRecordingSettings(this.#ctx, { userId: this.#userId, ...PROBE_RECORDING });
    const read = await getTrunkRecordingSettings(this.#ctx, { userId: this.#userId });
    if (read.mode !== PROBE_RECORDING.mode || read.trim !== PROBE_RECORDING.trim) {
      throw new Error(
        `set ${PROBE_RECORDING.mode}/${PROBE_RECORDING.trim}, Twilio has ${read.mode}/${read.trim}`,
      );
    }
    return `${read.mode}, ${read.trim}: set and read back`;
  }

  /** The drift someone can cause in the console: the inbound route deleted. Repair must see it and undo it. */
  async #repairDrift() {
    const trunkSid = this.#trunk!.trunkSid;
    const wanted = normalizeSipUri(this.#ctx.config.livekitSipUri!);
    const urls = await this.probe.twilio.listOriginationUrls(trunkSid);
    const target = urls.find((url) => normalizeSipUri(url.sipUrl) === wanted);
    if (!target) throw new Error(`the trunk has no origination URL ${wanted} to remove`);
    await this.probe.twilio.deleteOriginationUrl(trunkSid, target.sid);
    const { before, after, repaired } = await repairTrunk(this.#ctx, { userId: this.#userId });
    if (!before.checks.some((check) => check.name === "origination_url" && !check.ok)) {
      throw new Error(`the deleted origination URL went unseen: ${before.status}`);
    }
    if (after.status !== "verified") throw new Error(`after repair ${after.status}: ${failingChecks(after)}`);
    return `origination URL ${target.sid} deleted through Twilio: ${before.status} (${
      failingChecks(before)
    }); ` +
      `repaired ${repaired.join(", ")}; verified again`;
  }

  async #detachNumber() {
    const number = await this.#borrowedNumber();
    const result = await detachPhoneFromMainTrunk(this.#ctx, { userId: this.#userId, numbers: [number.sid] });
    expectStatus(result.results[0], "detached");
    if (!result.results[0].restored) throw new Error("detached, but its voice settings were not restored");
    await this.#expectNumberAsBefore();
    return `${number.phoneNumber} off the trunk, voice settings as before`;
  }

  /** The row deleted as a user deletes it, its teardown run, and Twilio asked whether anything is left. */
  async #deprovision() {
    const { sql } = this.#ctx;
    const row = await findActiveCredential(sql, this.#userId);
    if (!row) throw new Error("the probe's credential row is gone");
    await deleteCredential(sql, row.id);
    const result = await deprovisionCredential(this.#ctx, row.id);
    let teardown: string;
    if (result.kind === "retrying") throw new Error(`teardown postponed: ${result.error}`);
    if (result.kind === "deprovisioned") {
      if (result.leftInPlace.length) {
        throw new Error(`teardown left in place: ${result.leftInPlace.join(", ")}`);
      }
      // As the teardown itself reports it; what Twilio holds is checked below.
      teardown = `teardown reports deleted: ${result.deleted.join(", ") || "(none)"}`;
    } else {
      // A project's database webhook may have run the teardown first; it must have finished cleanly.
      const [done] = await sql<{ doneAt: Date | null; lastError: string | null }[]>`
        select done_at, last_error from public.twilio_teardowns where credential_id = ${row.id}`;
      if (!done?.doneAt || done.lastError) {
        throw new Error(`teardown not done: ${done?.lastError ?? "none recorded"}`);
      }
      teardown = "teardown done by the database webhook";
    }
    const twilio = this.probe.twilio;
    if (row.trunkSid && await nullIfNotFound(() => twilio.fetchTrunk(row.trunkSid!))) {
      throw new Error(`trunk ${row.trunkSid} still exists`);
    }
    if ((await twilio.listCredentialLists()).some((list) => list.sid === row.credentialListSid)) {
      throw new Error(`credential list ${row.credentialListSid} still exists`);
    }
    if (this.probe.number) await this.#expectNumberAsBefore();
    return `row deleted; ${teardown}; Twilio has neither trunk nor list` +
      (this.probe.number ? "; number as before" : "");
  }

  async #borrowedNumber() {
    if (!this.probe.number) throw new Skipped("no --number given");
    return await this.probe.number.original();
  }

  async #expectNumberAsBefore() {
    const number = this.probe.number!;
    const differences = voiceSettingsDiffer(await number.current(), await number.original());
    if (differences.length) throw new Error(`number's ${differences.join(", ")} not as before`);
  }
}

function expectStatus(result: AttachOutcome | DetachOutcome, wanted: string) {
  if (result.status !== wanted) {
    const why = result.message
      ? `: ${result.twilioCode ? `Twilio ${result.twilioCode}, ` : ""}${result.message}`
      : "";
    throw new Error(`${result.status}${why}`);
  }
}
