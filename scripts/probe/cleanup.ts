/**
 * Everything the probe creates in Twilio and LiveKit, recorded the moment the service returns its SID or id, and
 * removed at the end whatever happened in between. The service code never reports its SIDs to the probe, so the
 * probe's clients do it (`trackCreations`, `trackLiveKitCreations`): every trunk, credential list, origination URL,
 * LiveKit trunk and dispatch rule created through them is in the registry before the service sees it. A number
 * is recorded with its settings before anything touches it.
 *
 * ```ts
 * const registry = new CleanupRegistry();
 * const twilio = trackCreations(createTwilioClient(credentials), registry);
 * const report = await cleanUp({ twilio, livekit }, registry, probe.names());
 * ```
 */
import { LiveKitError, type LiveKitSip } from "../../supabase/functions/_shared/livekit/client.ts";
import { detachIfAttached } from "../../supabase/functions/_shared/numbers/attach.ts";
import {
  restoreVoiceSettings,
  voiceSettingsOf,
} from "../../supabase/functions/_shared/numbers/voice-settings.ts";
import type { TwilioClient, TwilioIncomingNumber } from "../../supabase/functions/_shared/twilio/types.ts";
import { nullIfNotFound } from "../../supabase/functions/_shared/twilio/errors.ts";
import { describe } from "./steps.ts";

export type Resource =
  | { kind: "trunk"; sid: string; name: string | null }
  | { kind: "credential-list"; sid: string; name: string }
  | { kind: "origination-url"; sid: string; trunkSid: string; sipUrl: string }
  /** Not created: borrowed, and put back as `original` was. */
  | { kind: "number"; sid: string; phoneNumber: string; original: TwilioIncomingNumber }
  /** In the LiveKit project: an inbound or outbound trunk (`ST_…`) or a dispatch rule (`SDR_…`). */
  | { kind: "livekit-trunk" | "livekit-rule"; sid: string; name: string };

export class CleanupRegistry {
  readonly #resources: Resource[] = [];

  /** Records a resource once (a number keeps the settings it had when first recorded). */
  record(resource: Resource) {
    if (!this.#resources.some((known) => known.sid === resource.sid)) this.#resources.push(resource);
  }

  get resources(): readonly Resource[] {
    return this.#resources;
  }
}

/** The client, with every create recorded in the registry as soon as Twilio answers it. */
export function trackCreations(twilio: TwilioClient, registry: CleanupRegistry): TwilioClient {
  return {
    ...twilio,
    createTrunk: async (input) => {
      const trunk = await twilio.createTrunk(input);
      registry.record({ kind: "trunk", sid: trunk.sid, name: trunk.friendlyName });
      return trunk;
    },
    createCredentialList: async (friendlyName) => {
      const list = await twilio.createCredentialList(friendlyName);
      registry.record({ kind: "credential-list", sid: list.sid, name: list.friendlyName });
      return list;
    },
    createOriginationUrl: async (trunkSid, input) => {
      const url = await twilio.createOriginationUrl(trunkSid, input);
      registry.record({ kind: "origination-url", sid: url.sid, trunkSid, sipUrl: url.sipUrl });
      return url;
    },
  };
}

/** The service's LiveKit client, with every trunk and rule it creates recorded as soon as LiveKit answers. */
export function trackLiveKitCreations(livekit: LiveKitSip, registry: CleanupRegistry): LiveKitSip {
  const recorded =
    <T extends { id: string; name: string }>(kind: "livekit-trunk" | "livekit-rule") => (object: T) => {
      registry.record({ kind, sid: object.id, name: object.name });
      return object;
    };
  return {
    ...livekit,
    createOutboundTrunk: (input) => livekit.createOutboundTrunk(input).then(recorded("livekit-trunk")),
    createInboundTrunk: (input) => livekit.createInboundTrunk(input).then(recorded("livekit-trunk")),
    createDispatchRule: (input) => livekit.createDispatchRule(input).then(recorded("livekit-rule")),
  };
}

/** A resource as the report shows it: never a number's settings (a voice URL may carry credentials). */
export interface ResourceLine {
  kind: Resource["kind"];
  sid: string;
  description: string;
}

export interface CleanupReport {
  /** Deleted (or, for a number, put back) by the cleanup. */
  removed: ResourceLine[];
  /** Already gone (the flow's teardown removed it) or, for a number, already as it was. */
  alreadyGone: ResourceLine[];
  /** Still there: delete these by hand. */
  left: (ResourceLine & { error: string })[];
}

/**
 * Names that mark a resource as the probe's even when its SID never reached the registry (a create whose answer
 * was lost, or a project's database webhook that provisioned the probe's row in another process): found by
 * listing, and removed with the rest. LiveKit objects say whose they are in their metadata.
 */
export interface ProbeNames {
  trunk: (friendlyName: string | null) => boolean;
  list: (friendlyName: string) => boolean;
  livekit: (object: { metadata: string }) => boolean;
}

/** Where the probe's resources are: the account, and the LiveKit project when one was given. */
export interface CleanupTargets {
  twilio: TwilioClient;
  livekit?: LiveKitSip;
}

/**
 * Deletes the LiveKit rules and trunks first (as the service's teardown does: they stop answering for the numbers
 * before Twilio lets them go), puts numbers back (off the probe's trunks), then deletes origination URLs, trunks
 * and credential lists, each kind newest first: a list goes after the trunks because Twilio may refuse to delete a
 * list a trunk still uses. "Not found" counts as gone. What fails gets a second pass once the rest is done (a
 * trunk's deletion takes its origination URLs with it); what fails again is reported as left.
 */
export async function cleanUp(
  targets: CleanupTargets,
  registry: CleanupRegistry,
  names?: ProbeNames,
): Promise<CleanupReport> {
  const report: CleanupReport = { removed: [], alreadyGone: [], left: [] };
  // A search that fails leaves the recorded SIDs, which are most of it: the cleanup goes on without it.
  if (names) {
    await recordByName(targets.twilio, registry, names).catch(() => {});
    if (targets.livekit) await recordLiveKitByOwner(targets.livekit, registry, names).catch(() => {});
  }
  let pending = inRemovalOrder(registry.resources);
  for (const pass of [1, 2]) {
    const failed: { resource: Resource; error: string }[] = [];
    for (const resource of pending) {
      try {
        (await remove(targets, resource) ? report.removed : report.alreadyGone).push(lineOf(resource));
      } catch (error) {
        failed.push({ resource, error: describe(error) });
      }
    }
    if (pass === 2 || failed.length === 0) {
      report.left.push(...failed.map(({ resource, error }) => ({ ...lineOf(resource), error })));
      break;
    }
    pending = failed.map(({ resource }) => resource);
  }
  return report;
}

const lineOf = (resource: Resource): ResourceLine => ({
  kind: resource.kind,
  sid: resource.sid,
  description: describeResource(resource),
});

const ORDER: Resource["kind"][] = [
  "livekit-rule",
  "livekit-trunk",
  "number",
  "origination-url",
  "trunk",
  "credential-list",
];

function inRemovalOrder(resources: readonly Resource[]): Resource[] {
  const newestFirst = [...resources].reverse();
  return ORDER.flatMap((kind) => newestFirst.filter((resource) => resource.kind === kind));
}

async function recordByName(twilio: TwilioClient, registry: CleanupRegistry, names: ProbeNames) {
  const [trunks, lists] = await Promise.all([twilio.listTrunks(), twilio.listCredentialLists()]);
  for (const trunk of trunks.filter((trunk) => names.trunk(trunk.friendlyName))) {
    registry.record({ kind: "trunk", sid: trunk.sid, name: trunk.friendlyName });
  }
  for (const list of lists.filter((list) => names.list(list.friendlyName))) {
    registry.record({ kind: "credential-list", sid: list.sid, name: list.friendlyName });
  }
}

async function recordLiveKitByOwner(livekit: LiveKitSip, registry: CleanupRegistry, names: ProbeNames) {
  const [outbound, inbound, rules] = await Promise.all([
    livekit.listOutboundTrunks({}),
    livekit.listInboundTrunks({}),
    livekit.listDispatchRules({}),
  ]);
  for (const trunk of [...outbound, ...inbound].filter(names.livekit)) {
    registry.record({ kind: "livekit-trunk", sid: trunk.id, name: trunk.name });
  }
  for (const rule of rules.filter(names.livekit)) {
    registry.record({ kind: "livekit-rule", sid: rule.id, name: rule.name });
  }
}

/** True when this call removed it (or put the number back); false when it was gone (or as it was) already. */
async function remove({ twilio, livekit }: CleanupTargets, resource: Resource): Promise<boolean> {
  switch (resource.kind) {
    case "livekit-rule":
      return await deletedFromLiveKit(() => liveKitOf(livekit).deleteDispatchRule(resource.sid));
    case "livekit-trunk":
      return await deletedFromLiveKit(() => liveKitOf(livekit).deleteTrunk(resource.sid));
    case "number":
      return await restoreNumber(twilio, resource.original);
    case "origination-url":
      return await deleted(() => twilio.deleteOriginationUrl(resource.trunkSid, resource.sid));
    case "trunk":
      return await deleted(() => twilio.deleteTrunk(resource.sid));
    case "credential-list":
      return await deleted(() => twilio.deleteCredentialList(resource.sid));
  }
}

const deleted = async (remove: () => Promise<void>) => (await nullIfNotFound(remove)) !== null;

const deletedFromLiveKit = (remove: () => Promise<void>) =>
  remove().then(() => true, (error) => {
    if (error instanceof LiveKitError && error.isNotFound) return false;
    throw error;
  });

/** LiveKit objects are only ever recorded through a LiveKit client, so one exists when they do. */
function liveKitOf(livekit: LiveKitSip | undefined): LiveKitSip {
  if (!livekit) throw new Error("LiveKit objects recorded, but no LiveKit project given");
  return livekit;
}

/** Off any trunk it was not on before, then its voice URL, method and application (or its trunk) as they were. */
async function restoreNumber(twilio: TwilioClient, original: TwilioIncomingNumber): Promise<boolean> {
  const current = await nullIfNotFound(() => twilio.fetchIncomingNumber(original.sid));
  if (!current || voiceSettingsDiffer(current, original).length === 0) return false;
  if (current.trunkSid && current.trunkSid !== original.trunkSid) {
    await detachIfAttached(twilio, current.trunkSid, original.sid);
  }
  await restoreVoiceSettings(twilio, original.sid, voiceSettingsOf(original));
  const restored = await twilio.fetchIncomingNumber(original.sid);
  const differences = voiceSettingsDiffer(restored, original);
  if (differences.length) throw new Error(`${original.phoneNumber}: ${differences.join(", ")} not as before`);
  return true;
}

/** The voice settings in which two readings of a number differ, by name only: a voice URL may carry credentials. */
export function voiceSettingsDiffer(now: TwilioIncomingNumber, before: TwilioIncomingNumber): string[] {
  const fields = ["trunkSid", "voiceUrl", "voiceMethod", "voiceApplicationSid"] as const;
  // Twilio renders an unset field as null or "" depending on the field: both mean unset.
  return fields.filter((field) => (now[field] || null) !== (before[field] || null));
}

/** One line per resource, as a person deleting it by hand needs it. */
export function describeResource(resource: Resource): string {
  switch (resource.kind) {
    case "trunk":
      return `trunk ${resource.sid}${resource.name ? ` (${resource.name})` : ""}`;
    case "credential-list":
      return `credential list ${resource.sid} (${resource.name})`;
    case "origination-url":
      return `origination URL ${resource.sid} on trunk ${resource.trunkSid} (${resource.sipUrl})`;
    case "number":
      return `number ${resource.phoneNumber} (${resource.sid}), its voice settings`;
    case "livekit-trunk":
      return `LiveKit SIP trunk ${resource.sid} (${resource.name})`;
    case "livekit-rule":
      return `LiveKit dispatch rule ${resource.sid} (${resource.name})`;
  }
}
