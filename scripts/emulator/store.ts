// In-memory state of one emulator instance, and the cascades that keep it consistent across both APIs.
import { Clock, newAuthToken, newSid } from "./ids.ts";
import type { Sequenced } from "./paging.ts";

export const RECORDING_MODES = [
  "do-not-record",
  "record-from-ringing",
  "record-from-answer",
  "record-from-ringing-dual",
  "record-from-answer-dual",
] as const;
export const RECORDING_TRIMS = ["trim-silence", "do-not-trim"] as const;
export const TRANSFER_MODES = ["disable-all", "enable-all", "sip-only"] as const;
export const TRANSFER_CALLER_IDS = ["from-transferee", "from-transferor"] as const;
export const HTTP_METHODS = ["GET", "POST"] as const;

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
  status: "active" | "suspended";
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

export interface PhoneNumber extends Owned {
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceFallbackUrl: string | null;
  voiceApplicationSid: string | null;
  trunkSid: string | null;
  smsUrl: string | null;
  statusCallback: string | null;
}

export interface Call extends Owned {
  trunkSid: string | null;
  to: string;
  from: string;
  status: string;
  direction: string;
  start: Date;
  durationSeconds: number;
}

export interface Recording extends Owned {
  callSid: string;
  channels: 1 | 2;
  durationSeconds: number;
  source: "Trunking" | "OutboundAPI";
  start: Date;
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
  #seq = 0;

  /** Creation order; lists sort by it and page tokens point into it. */
  nextSeq(): number {
    return ++this.#seq;
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
  }

  createAccount(init: Partial<Pick<Account, "sid" | "authToken" | "status" | "friendlyName">>): Account {
    const now = this.clock.now();
    const account: Account = {
      sid: init.sid ?? newSid("AC"),
      authToken: init.authToken ?? newAuthToken(),
      status: init.status ?? "active",
      friendlyName: init.friendlyName ?? "Emulated account",
      seq: this.nextSeq(),
      created: now,
      updated: now,
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

  /** Attaching makes Twilio route calls to the trunk and clear the number's voice configuration. */
  attachNumber(number: PhoneNumber, trunk: Trunk): void {
    if (number.trunkSid === trunk.sid) return;
    number.trunkSid = trunk.sid;
    number.voiceUrl = null;
    number.voiceMethod = null;
    number.voiceApplicationSid = null;
    number.updated = this.clock.now();
  }

  /** Detaching does not restore the voice configuration that attaching cleared. */
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
    this.trunks.delete(trunk.sid);
  }

  deleteCredentialList(list: CredentialList): void {
    for (const credential of this.credentials.values()) {
      if (credential.credentialListSid === list.sid) this.credentials.delete(credential.sid);
    }
    this.credentialLists.delete(list.sid);
  }
}
