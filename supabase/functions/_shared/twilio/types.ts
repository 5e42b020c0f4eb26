/**
 * The Twilio side as this product sees it: the operations it uses (TwilioClient) and what they take and give,
 * in its own types rather than the SDK's. client.ts implements it over the official SDK.
 */
import type { TRANSFER_CALLER_IDS, TRANSFER_MODES } from "../config.ts";
import type { RecordingMode, RecordingTrim, TwilioRegion } from "../contract/fields.ts";

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** The account's Twilio region (US1 when unset): it decides the hosts the client talks to. */
  region?: TwilioRegion;
}

export interface TwilioAccount {
  sid: string;
  status: string;
  friendlyName: string;
}

export interface TrunkRecording {
  mode: RecordingMode;
  trim: RecordingTrim;
}

export interface TwilioTrunk {
  sid: string;
  friendlyName: string | null;
  domainName: string | null;
  secure: boolean;
  transferMode: string | null;
  transferCallerId: string | null;
  recording: TrunkRecording;
  authTypeSet: string[];
}

/** Trunk settings this service manages besides its name and domain. */
export interface TrunkSettings {
  secure: boolean;
  transferMode: typeof TRANSFER_MODES[number];
  transferCallerId: typeof TRANSFER_CALLER_IDS[number];
}

export interface TwilioCredentialList {
  sid: string;
  friendlyName: string;
}

export interface TwilioCredential {
  sid: string;
  username: string;
}

export interface OriginationUrlInput {
  sipUrl: string;
  priority: number;
  weight: number;
  enabled: boolean;
  friendlyName: string;
}

export interface TwilioOriginationUrl extends OriginationUrlInput {
  sid: string;
}

export interface TwilioIncomingNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceApplicationSid: string | null;
  trunkSid: string | null;
}

/** An empty string clears a field. */
export interface IncomingNumberUpdate {
  voiceUrl?: string;
  voiceMethod?: string;
  voiceApplicationSid?: string;
  trunkSid?: string;
}

export interface TwilioRecording {
  sid: string;
  callSid: string;
  status: string;
  /** Seconds. */
  duration: number;
  channels: number;
  /** ISO 8601. */
  startTime: string | null;
  source: string;
  /** Where Twilio says the media is: its own API host, or the account's external storage. */
  mediaUrl: string | null;
  /** Twilio holds only ciphertext (`encryption_details` set): the account's private key decrypts it. */
  encrypted: boolean;
}

export type CallStatus =
  | "queued"
  | "ringing"
  | "in-progress"
  | "canceled"
  | "completed"
  | "failed"
  | "busy"
  | "no-answer";

export interface TwilioCall {
  sid: string;
  from: string;
  to: string;
  status: string;
  direction: string;
  startTime: string | null;
  endTime: string | null;
  /** Seconds. */
  duration: number;
  /** Set on terminated calls; empty on origination (`trunking-originating`) calls through the trunk. */
  trunkSid: string | null;
  /** The number an inbound call reached (origination calls through the trunk included); null otherwise. */
  phoneNumberSid: string | null;
}

/** One page of a list; pass `nextPageToken` back as `pageToken` for the next one (null: no more pages). */
export interface TwilioPage<T> {
  items: T[];
  nextPageToken: string | null;
}

/** With a `pageToken`, the other filters are ignored: the token carries the query of the first request. */
export interface PageRequest {
  pageSize?: number;
  pageToken?: string;
}

export interface RecordingQuery extends PageRequest {
  callSid?: string;
}

export interface CallQuery extends PageRequest {
  to?: string;
  from?: string;
  status?: CallStatus;
  startTimeAfter?: Date;
  startTimeBefore?: Date;
}

export type RecordingFormat = "mp3" | "wav";

/** 1: Twilio's mono mix (what it serves by default, even for dual-channel recordings); 2: both channels. */
export type RecordingChannels = 1 | 2;

export interface TwilioClient {
  /**
   * The same account for many calls under an adaptive limiter (numbers/attach.ts `bulk`): a 429 comes back at
   * once, for the limiter to slow down, instead of being retried here.
   */
  forBulkWork(): TwilioClient;

  fetchAccount(): Promise<TwilioAccount>;

  createTrunk(
    input: { friendlyName: string; domainName: string } & Partial<TrunkSettings>,
  ): Promise<TwilioTrunk>;
  updateTrunk(trunkSid: string, settings: Partial<TrunkSettings>): Promise<TwilioTrunk>;
  fetchTrunk(trunkSid: string): Promise<TwilioTrunk>;
  listTrunks(): Promise<TwilioTrunk[]>;
  deleteTrunk(trunkSid: string): Promise<void>;

  createCredentialList(friendlyName: string): Promise<TwilioCredentialList>;
  listCredentialLists(): Promise<TwilioCredentialList[]>;
  deleteCredentialList(listSid: string): Promise<void>;
  createCredential(listSid: string, username: string, password: string): Promise<TwilioCredential>;
  listCredentials(listSid: string): Promise<TwilioCredential[]>;
  updateCredentialPassword(
    listSid: string,
    credentialSid: string,
    password: string,
  ): Promise<TwilioCredential>;
  deleteCredential(listSid: string, credentialSid: string): Promise<void>;

  associateCredentialList(trunkSid: string, listSid: string): Promise<TwilioCredentialList>;
  listTrunkCredentialLists(trunkSid: string): Promise<TwilioCredentialList[]>;
  removeTrunkCredentialList(trunkSid: string, listSid: string): Promise<void>;

  createOriginationUrl(trunkSid: string, input: OriginationUrlInput): Promise<TwilioOriginationUrl>;
  listOriginationUrls(trunkSid: string): Promise<TwilioOriginationUrl[]>;
  updateOriginationUrl(
    trunkSid: string,
    originationUrlSid: string,
    update: Partial<OriginationUrlInput>,
  ): Promise<TwilioOriginationUrl>;
  deleteOriginationUrl(trunkSid: string, originationUrlSid: string): Promise<void>;

  fetchTrunkRecording(trunkSid: string): Promise<TrunkRecording>;
  updateTrunkRecording(trunkSid: string, recording: TrunkRecording): Promise<TrunkRecording>;

  listIncomingNumbers(filter?: { phoneNumber?: string }): Promise<TwilioIncomingNumber[]>;
  fetchIncomingNumber(numberSid: string): Promise<TwilioIncomingNumber>;
  updateIncomingNumber(numberSid: string, update: IncomingNumberUpdate): Promise<TwilioIncomingNumber>;
  attachNumberToTrunk(trunkSid: string, numberSid: string): Promise<TwilioIncomingNumber>;
  detachNumberFromTrunk(trunkSid: string, numberSid: string): Promise<void>;
  listTrunkNumbers(trunkSid: string): Promise<TwilioIncomingNumber[]>;

  listRecordings(query?: RecordingQuery): Promise<TwilioPage<TwilioRecording>>;
  fetchRecording(recordingSid: string): Promise<TwilioRecording>;
  listCalls(query?: CallQuery): Promise<TwilioPage<TwilioCall>>;
  /**
   * The media as an unread (streamable) Response; errors are thrown like every other call. Two channels of a
   * mono recording is Twilio's 400 16113.
   */
  fetchRecordingMedia(
    recordingSid: string,
    format: RecordingFormat,
    options?: { channels?: RecordingChannels },
  ): Promise<Response>;
}
