/**
 * What the functions take and answer, as a browser sees them (user tokens: no secret ever appears here). All are
 * the contract's own types (supabase/functions/_shared/contract), inferred from the schemas the functions use.
 * Types only: the client carries no schema (nor zod) into a browser bundle.
 */
export type {
  AccountNumber,
  AccountNumbers,
  AttachOutcome,
  AttachResult,
  AttachStatus,
  CallRecordings,
  ConnectTwilioInput,
  CredentialsList,
  DetachOutcome,
  DetachResult,
  DetachStatus,
  Disconnected,
  ErrorBody,
  ErrorCode,
  HealthCheck,
  HealthCheckName,
  HealthReport,
  MainTrunk,
  NumberAttachment,
  ProvisioningStatus,
  Recording,
  RecordingMode,
  RecordingSettings,
  RecordingsPage,
  RecordingTrim,
  RepairResult,
  SipConfig,
  TwilioCredentials,
  TwilioRegion,
} from "../../supabase/functions/_shared/contract/index.ts";
