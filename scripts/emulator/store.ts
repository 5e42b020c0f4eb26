// In-memory state of one emulator instance, and the cascades that keep it consistent across both APIs.
import { Clock, newAuthToken, newSid } from "./ids.ts";
import type { Sequenced } from "./paging.ts";
import type { Region } from "./regions.ts";

/** A trunk records not at all, or from ringing or answer, mono or dual (Twilio's trunk recording modes). */
const RECORDING_STARTS = ["ringing", "answer"] as const;
export const RECORDING_MODES = [
  "do-not-record",
  ...RECORDING_STARTS.map((start) => `record-from-${start}` as const),
  ...RECORDING_STARTS.map((start) => `record-from-${start}-dual` as const),
] as const;
export const RECORDING_TRIMS = ["trim-silence", "do-not-trim"] as const;
export const TRANSFER_MODES = ["disable-all", "enable-all", "sip-only"] as const;
export const TRANSFER_CALLER_IDS = ["from-transferee", "from-transferor"] as const;
export const HTTP_METHODS = ["GET", "POST"] as const;
/** account_enum_status in twilio_api_v2010.json. */
export const ACCOUNT_STATUSES = ["active", "suspended", "closed"] as const;
/** Recording statuses as twilio-api-facts.md lists them; only `completed` has media. */
export const RECORDING_STATUSES = [
  "in-progress",
  "paused",
  "stopped",
  "processing",
  "completed",
  "absent",
  "deleted",
] as const;

interface Timestamps {
  created: Date;
  updated: Date;
}

interface Owned extends Sequenced, Timestamps {
  sid: string;
  accountSid: string;
}

export interface Account extends Sequenced, Timestamps {
  sid: string;
  friendlyName: string;
  authToken: string;
  status: typeof ACCOUNT_STATUSES[number];
  /** Its credentials work only on this region's hosts. */
  region: Region;
}

export interface TrunkRecording {
  mode: typeof RECORDING_MODES[number];
  trim: typeof RECORDING_TRIMS[number];
}

export interface Trunk extends Owned {
  friendlyName: string | null;
  domainName: string | null;
  secure: boolean;
  transferMode: typeof TRANSFER_MODES[number];
  transferCallerId: typeof TRANSFER_CALLER_IDS[number];
  cnamLookupEnabled: boolean;
  disasterRecoveryUrl: string | null;
  disasterRecoveryMethod: typeof HTTP_METHODS[number] | null;
  recording: TrunkRecording;
}

/** A credential list associated with a trunk (the v1 …/CredentialLists resource). */
export interface TrunkCredentialList extends Sequenced, Timestamps {
  trunkSid: string;
  credentialListSid: string;
}

export interface CredentialList extends Owned {
  friendlyName: string;
}

export interface Credential extends Owned {
  credentialListSid: string;
  username: string;
  /** SHA-256 of the password; Twilio keeps only a digest and never returns it. */
  passwordDigest: string;
}

export interface OriginationUrl extends Owned {
  trunkSid: string;
  weight: number;
  priority: number;
  enabled: boolean;
  sipUrl: string;
  friendlyName: string;
}

/** Unset string fields hold `""` where Twilio renders `""` (its IncomingPhoneNumber examples), null where null. */
export interface PhoneNumber extends Owned {
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  voiceMethod: string;
  voiceFallbackUrl: string | null;
  voiceApplicationSid: string;
  trunkSid: string | null;
  smsUrl: string;
  statusCallback: string;
}

export interface Call extends Owned {
  /** Only terminated (outbound) trunk calls carry it. */
  trunkSid: string | null;
  /** The IncomingPhoneNumber that received an inbound call; "" otherwise. */
  phoneNumberSid: string;
  to: string;
  from: string;
  status: string;
  direction: string;
  start: Date;
  durationSeconds: number;
}

/** Twilio's encryption_details for a recording encrypted with the account's public key. */
export interface EncryptionDetails {
  encryption_public_key_sid: string;
  encryption_cek: string;
  encryption_iv: string;
}

export interface Recording extends Owned {
  callSid: string;
  channels: 1 | 2;
  durationSeconds: number;
  source: "Trunking" | "OutboundAPI";
  start: Date;
  status: typeof RECORDING_STATUSES[number];
  encryption: EncryptionDetails | null;
  /** Set when the account stores recordings externally: media_url points there and Twilio serves no media. */
  externalMediaUrl: string | null;
}

export function associationKey(trunkSid: string, credentialListSid: string): string {
  return `${trunkSid}/${credentialListSid}`;
}

export class Store {
  readonly clock = new Clock();
  readonly accounts = new Map<string, Account>();
  readonly trunks = new Map<string, Trunk>();
  /** Keyed by `associationKey()`. */
  readonly trunkCredentialLists = new Map<string, TrunkCredentialList>();
  readonly credentialLists = new Map<string, CredentialList>();
  readonly credentials = new Map<string, Credential>();
  readonly originationUrls = new Map<string, OriginationUrl>();
  readonly numbers = new Map<string, PhoneNumber>();
  readonly calls = new Map<string, Call>();
  readonly recordings = new Map<string, Recording>();
  /** Domains of deleted trunks (lower case): Twilio keeps them reserved for up to 30 days. */
  readonly reservedDomains = new Set<string>();
  #seq = 0;

  /**
   * A new record's place in the creation order (lists sort by it, page tokens point into it), created and
   * updated `at` (now unless given).
   */
  stamp(at = this.clock.now()): Sequenced & Timestamps {
    return { seq: ++this.#seq, created: at, updated: at };
  }

  lastSeq(): number {
    return this.#seq;
  }

  /** After a restored snapshot: new records come after every restored one. */
  continueSeqFrom(seq: number): void {
    this.#seq = Math.max(this.#seq, seq);
  }

  clear(): void {
    for (
      const map of [
        this.accounts,
        this.trunks,
        this.trunkCredentialLists,
        this.credentialLists,
        this.credentials,
        this.originationUrls,
        this.numbers,
        this.calls,
        this.recordings,
      ]
    ) map.clear();
    this.reservedDomains.clear();
  }

  createAccount(
    init: Partial<Pick<Account, "sid" | "authToken" | "status" | "friendlyName" | "region">>,
  ): Account {
    const account: Account = {
      sid: init.sid ?? newSid("AC"),
      authToken: init.authToken ?? newAuthToken(),
      status: init.status ?? "active",
      friendlyName: init.friendlyName ?? "Emulated account",
      region: init.region ?? "us1",
      ...this.stamp(),
    };
    this.accounts.set(account.sid, account);
    return account;
  }

  ofAccount<T extends { accountSid: string }>(map: Map<string, T>, accountSid: string): T[] {
    return [...map.values()].filter((record) => record.accountSid === accountSid);
  }

  trunkOf<T extends { trunkSid: string | null }>(map: Map<string, T>, trunkSid: string): T[] {
    return [...map.values()].filter((record) => record.trunkSid === trunkSid);
  }

  associationsOfList(credentialListSid: string): TrunkCredentialList[] {
    return [...this.trunkCredentialLists.values()].filter((a) => a.credentialListSid === credentialListSid);
  }

  associationsOfTrunk(trunkSid: string): TrunkCredentialList[] {
    return [...this.trunkCredentialLists.values()].filter((a) => a.trunkSid === trunkSid);
  }

  /**
   * "Setting a trunk_sid will automatically delete your voice_application_sid and vice versa"; the voice URL
   * is kept and only ignored while the number is on a trunk (twilio-api-facts.md, "Attaching a number").
   */
  attachNumber(number: PhoneNumber, trunk: Trunk): void {
    if (number.trunkSid === trunk.sid) return;
    number.trunkSid = trunk.sid;
    number.voiceApplicationSid = "";
    number.updated = this.clock.now();
  }

  /** The "vice versa": a voice application takes the number off its trunk. */
  setVoiceApplication(number: PhoneNumber, applicationSid: string): void {
    number.voiceApplicationSid = applicationSid;
    number.trunkSid = null;
    number.updated = this.clock.now();
  }

  /** Detaching restores nothing: the voice application that attaching deleted stays deleted. */
  detachNumber(number: PhoneNumber): void {
    number.trunkSid = null;
    number.updated = this.clock.now();
  }

  deleteTrunk(trunk: Trunk): void {
    for (const association of this.associationsOfTrunk(trunk.sid)) {
      this.trunkCredentialLists.delete(associationKey(trunk.sid, association.credentialListSid));
    }
    for (const url of this.trunkOf(this.originationUrls, trunk.sid)) this.originationUrls.delete(url.sid);
    for (const number of this.trunkOf(this.numbers, trunk.sid)) this.detachNumber(number);
    if (trunk.domainName) this.reservedDomains.add(trunk.domainName.toLowerCase());
    this.trunks.delete(trunk.sid);
  }

  deleteCredentialList(list: CredentialList): void {
    for (const credential of this.credentials.values()) {
      if (credential.credentialListSid === list.sid) this.credentials.delete(credential.sid);
    }
    this.credentialLists.delete(list.sid);
  }
}
