/**
 * The Twilio side of provisioning, one idempotent step per resource, with no database in sight. Each step either
 * creates its resource or finds the one an earlier run created (by a deterministic name), so running a step
 * twice never makes two. When a create fails ambiguously (no answer, or a 5xx: Twilio may have done it anyway),
 * the step looks for what it asked for before giving up.
 *
 * ```ts
 * await addLiveKitOriginationToTrunk(twilio, trunkSid, "sip:abc.sip.livekit.cloud;transport=tcp");
 * await enableTrunkRecording(twilio, trunkSid, { mode: "record-from-answer", trim: "do-not-trim" });
 * ```
 */
import type { ProvisioningConfig } from "../config.ts";
import {
  RECORDING_MODES,
  RECORDING_TRIMS,
  type RecordingMode,
  type RecordingTrim,
} from "../contract/fields.ts";
import type { TrunkSettings, TwilioClient } from "../twilio/types.ts";
import { hasTwilioCode, isOutcomeUnknown, TwilioApiError } from "../twilio/errors.ts";
import { normalizeSipUri } from "./sip-uri.ts";
import { credentialListNameFor, domainNameFor, domainPrefixFor, trunkFriendlyNameFor } from "./names.ts";

type Trunk = Awaited<ReturnType<TwilioClient["createTrunk"]>>;
type CredentialList = Awaited<ReturnType<TwilioClient["createCredentialList"]>>;
type OriginationUrl = Awaited<ReturnType<TwilioClient["createOriginationUrl"]>>;

/** A resource and whether this call created it (false: it already existed and was found). */
export interface Ensured<T> {
  resource: T;
  created: boolean;
}

const DOMAIN_ATTEMPTS = 4;

/**
 * Creates the user's main trunk with a fresh `user-{userId}-{timestamp}` domain. When Twilio says the domain is in
 * use (21248 anywhere on Twilio; 21245 for a trunk of the same account) it adopts that trunk if it is this user's
 * main trunk (a create whose answer was lost), and otherwise tries again with a random suffix.
 */
export async function createMainTrunk(
  twilio: TwilioClient,
  userId: string,
  settings: TrunkSettings,
  now = Date.now,
): Promise<Ensured<Trunk>> {
  const friendlyName = trunkFriendlyNameFor(userId);
  for (let attempt = 1;; attempt++) {
    const suffix = attempt === 1 ? "" : crypto.randomUUID().slice(0, 6);
    const domainName = domainNameFor(domainPrefixFor(userId, now(), suffix));
    const withThisDomain = async () =>
      (await twilio.listTrunks()).find((trunk) => trunk.domainName === domainName);
    try {
      return await createOrAdopt(
        () => twilio.createTrunk({ friendlyName, domainName, ...settings }),
        withThisDomain,
      );
    } catch (error) {
      if (!(error instanceof TwilioApiError)) throw error;
      // 21245 also covers other trunk validation failures: only a trunk holding the domain says it was this one.
      const holder = hasTwilioCode(error, "trunkValidationFailed") ? await withThisDomain() : undefined;
      if (holder?.friendlyName === friendlyName) return { resource: holder, created: true };
      if ((hasTwilioCode(error, "domainTaken") || holder) && attempt < DOMAIN_ATTEMPTS) continue;
      throw error;
    }
  }
}

/** The trunk settings the configuration asks for: transfer for LiveKit's REFER, secure trunking with TLS. */
export function trunkSettingsFor(config: ProvisioningConfig): TrunkSettings {
  return {
    secure: config.secure,
    transferMode: config.transfer.mode,
    transferCallerId: config.transfer.callerId,
  };
}

/** The user's main trunk made by an earlier run that did not get to record its SID. */
export async function findMainTrunk(twilio: TwilioClient, userId: string): Promise<Trunk | undefined> {
  const friendlyName = trunkFriendlyNameFor(userId);
  return (await twilio.listTrunks()).find((trunk) => trunk.friendlyName === friendlyName);
}

export async function ensureCredentialList(
  twilio: TwilioClient,
  userId: string,
  options: { mayExist: boolean },
): Promise<Ensured<CredentialList>> {
  const friendlyName = credentialListNameFor(userId);
  const find = async () =>
    (await twilio.listCredentialLists()).find((list) => list.friendlyName === friendlyName);
  if (options.mayExist) {
    const existing = await find();
    if (existing) return { resource: existing, created: false };
  }
  return await createOrAdopt(() => twilio.createCredentialList(friendlyName), find);
}

/**
 * The SIP credential in the list. Twilio keeps only a digest of the password, so a credential found from an
 * earlier run gets our (stored) password set again.
 */
export async function ensureCredential(
  twilio: TwilioClient,
  listSid: string,
  username: string,
  password: string,
  options: { mayExist: boolean },
): Promise<Ensured<{ sid: string }>> {
  const find = async () => {
    const existing = (await twilio.listCredentials(listSid)).find((credential) =>
      credential.username === username
    );
    if (existing) await twilio.updateCredentialPassword(listSid, existing.sid, password);
    return existing;
  };
  if (options.mayExist) {
    const existing = await find();
    if (existing) return { resource: existing, created: false };
  }
  return await createOrAdopt(() => twilio.createCredential(listSid, username, password), find);
}

/** Associates the credential list with the trunk for termination auth; "already associated" counts as done. */
export async function associateCredentialList(
  twilio: TwilioClient,
  trunkSid: string,
  listSid: string,
  options: { mayExist: boolean },
): Promise<Ensured<{ sid: string }>> {
  const isAssociated = async () =>
    (await twilio.listTrunkCredentialLists(trunkSid)).some((list) => list.sid === listSid);
  if (options.mayExist && await isAssociated()) return { resource: { sid: listSid }, created: false };
  try {
    await twilio.associateCredentialList(trunkSid, listSid);
    return { resource: { sid: listSid }, created: true };
  } catch (error) {
    // 21245 also covers other trunk validation failures: only the trunk's own list tells which one this was.
    if (hasTwilioCode(error, "trunkValidationFailed") && await isAssociated()) {
      return { resource: { sid: listSid }, created: false };
    }
    throw error;
  }
}

export interface OriginationOptions {
  /** Lower is tried first (0..65535). */
  priority?: number;
  /** Share within one priority (1..65535). */
  weight?: number;
  friendlyName?: string;
  /** False when the trunk was created moments ago by us: nothing to look for, one round trip saved. */
  mayExist?: boolean;
  /**
   * Refuse (`OriginationElsewhereError`) when the trunk already routes inbound calls to a URI outside this list
   * (normalised): a trunk we adopted keeps going where it goes. Unset: no such check.
   */
  onlyBeside?: string[];
}

/** The trunk sends inbound calls elsewhere, and it is not ours to change. */
class OriginationElsewhereError extends Error {
  constructor(readonly existing: string[]) {
    super(`the trunk already routes inbound calls to ${existing.join(", ")}; left as it is`);
    this.name = "OriginationElsewhereError";
  }
}

/**
 * Points the trunk's inbound calls at LiveKit: adds `sipUri` as an origination URL unless the trunk already has
 * it (compared normalised, so `;transport=TCP` and `;transport=tcp` are the same). The URI is sent exactly as
 * given, parameters included.
 */
export async function addLiveKitOriginationToTrunk(
  twilio: TwilioClient,
  trunkSid: string,
  sipUri: string,
  options: OriginationOptions = {},
): Promise<Ensured<OriginationUrl>> {
  const wanted = normalizeSipUri(sipUri);
  const find = async () =>
    (await twilio.listOriginationUrls(trunkSid)).find((url) => normalizeSipUri(url.sipUrl) === wanted);
  if (options.mayExist ?? true) {
    const all = await twilio.listOriginationUrls(trunkSid);
    const existing = all.find((url) => normalizeSipUri(url.sipUrl) === wanted);
    if (existing) return { resource: existing, created: false };
    const elsewhere = all.filter((url) => !options.onlyBeside?.includes(normalizeSipUri(url.sipUrl)));
    if (options.onlyBeside && elsewhere.length) {
      throw new OriginationElsewhereError(elsewhere.map((url) => url.sipUrl));
    }
  }
  const priority = options.priority ?? 1;
  return await createOrAdopt(
    () =>
      twilio.createOriginationUrl(trunkSid, {
        sipUrl: sipUri,
        priority,
        weight: options.weight ?? 1,
        enabled: true,
        friendlyName: options.friendlyName ?? `livekit-priority-${priority}`,
      }),
    find,
  );
}

/** Sets the trunk's recording through its /Recording resource (the only way Twilio allows). */
export async function enableTrunkRecording(
  twilio: TwilioClient,
  trunkSid: string,
  recording: { mode: RecordingMode; trim?: RecordingTrim },
): Promise<{ mode: RecordingMode; trim: RecordingTrim }> {
  const trim = recording.trim ?? "do-not-trim";
  if (!RECORDING_MODES.includes(recording.mode)) {
    throw new RangeError(`unknown recording mode ${recording.mode}`);
  }
  if (!RECORDING_TRIMS.includes(trim)) throw new RangeError(`unknown recording trim ${trim}`);
  return await twilio.updateTrunkRecording(trunkSid, { mode: recording.mode, trim });
}

/**
 * Runs a create; if the outcome is unknown (no answer or a 5xx, after the client's own retries), looks for the
 * resource before reporting failure, because Twilio may have created it.
 */
async function createOrAdopt<T>(
  create: () => Promise<T>,
  find: () => Promise<T | undefined>,
): Promise<Ensured<T>> {
  try {
    return { resource: await create(), created: true };
  } catch (error) {
    if (!isOutcomeUnknown(error)) throw error;
    const found = await find().catch(() => undefined);
    if (found) return { resource: found, created: true };
    throw error;
  }
}
