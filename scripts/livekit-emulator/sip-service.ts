// The emulated methods of Twirp service livekit.SIP, following livekit-server's pkg/service/sip.go: request
// checks, then object validation, then conflicts with the stored objects, then the store.
import {
  CreateSIPDispatchRuleRequest,
  CreateSIPInboundTrunkRequest,
  CreateSIPOutboundTrunkRequest,
  DeleteSIPDispatchRuleRequest,
  DeleteSIPTrunkRequest,
  GetSIPInboundTrunkRequest,
  GetSIPInboundTrunkResponse,
  GetSIPOutboundTrunkRequest,
  GetSIPOutboundTrunkResponse,
  ListSIPDispatchRuleRequest,
  ListSIPDispatchRuleResponse,
  ListSIPInboundTrunkRequest,
  ListSIPInboundTrunkResponse,
  ListSIPOutboundTrunkRequest,
  ListSIPOutboundTrunkResponse,
  SIPDispatchRuleInfo,
  type SIPDispatchRuleUpdate,
  type SIPInboundTrunkInfo,
  type SIPInboundTrunkUpdate,
  type SIPOutboundTrunkInfo,
  type SIPOutboundTrunkUpdate,
  SIPTrunkInfo,
  UpdateSIPDispatchRuleRequest,
  UpdateSIPInboundTrunkRequest,
  UpdateSIPOutboundTrunkRequest,
} from "@livekit/protocol";
import type { Behaviour } from "./behaviour.ts";
import { checkDispatchRuleConflicts, checkInboundTrunkConflicts } from "./conflicts.ts";
import { invalidArgument, notFound } from "./errors.ts";
import { newDispatchRuleId, newTrunkId } from "./ids.ts";
import { filterDispatchRules, filterInboundTrunks, filterOutboundTrunks } from "./list-filters.ts";
import type { SipStore } from "./store.ts";
import { applyDispatchRuleUpdate, applyInboundTrunkUpdate, applyOutboundTrunkUpdate } from "./updates.ts";
import {
  validateDispatchRule,
  validateInboundTrunk,
  validateListUpdate,
  validateOutboundTrunk,
} from "./validation.ts";

export interface ServiceContext {
  store: SipStore;
  behaviour: Behaviour;
}

export interface ProtoMessage {
  toJson(): unknown;
}

/** Protobuf JSON as parsed from a request body. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Parses a request body with the protocol's message class (strictly: an unknown field throws) and returns the
 * call to make once the caller has checked the grant, as the Twirp server decodes before the method runs.
 */
export type SipMethod = (body: JsonValue) => (ctx: ServiceContext) => ProtoMessage;

function method<Req>(
  type: { fromJson(json: JsonValue): Req },
  handle: (ctx: ServiceContext, req: Req) => ProtoMessage,
): SipMethod {
  return (body) => {
    let req: Req;
    try {
      req = type.fromJson(body);
    } catch (error) {
      throw invalidArgument(`the json request could not be decoded: ${(error as Error).message}`);
    }
    return (ctx) => handle(ctx, req);
  };
}

/** What create and update need to know about one kind of stored object (U: its `update` form). */
interface Resource<T extends { clone(): T }, U> {
  noun: "trunk" | "rule";
  notFound: string;
  items(store: SipStore): {
    get(id: string): T | undefined;
    put(id: string, item: T): void;
    all(): T[];
  };
  newId(): string;
  idOf(item: T): string;
  setId(item: T, id: string): void;
  validate(ctx: ServiceContext, item: T): void;
  /** Conflicts among all objects of the kind, the new or updated one included. */
  checkConflicts(all: T[]): void;
  /** Checks on the `update` form itself (its ListUpdates), before the object is loaded. */
  validateUpdate(update: U): void;
  applyUpdate(item: T, update: U): void;
}

const TRUNK_NOT_FOUND = "requested sip trunk does not exist";
const RULE_NOT_FOUND = "requested sip dispatch rule does not exist";

/** Inbound and outbound trunks share their ids, and so their not-found. */
const trunk = {
  noun: "trunk",
  notFound: TRUNK_NOT_FOUND,
  newId: newTrunkId,
  idOf: (t: { sipTrunkId: string }) => t.sipTrunkId,
  setId: (t: { sipTrunkId: string }, id: string) => (t.sipTrunkId = id),
} as const;

const inboundTrunks: Resource<SIPInboundTrunkInfo, SIPInboundTrunkUpdate> = {
  ...trunk,
  items: (store) => store.inboundTrunks,
  validate: (ctx, t) => validateInboundTrunk(t, ctx.behaviour),
  checkConflicts: checkInboundTrunkConflicts,
  validateUpdate: (u) => [u.numbers, u.allowedAddresses, u.allowedNumbers].forEach(validateListUpdate),
  applyUpdate: applyInboundTrunkUpdate,
};

/** Outbound trunks have no conflicts ("No additional validation needed for outbound"). */
const outboundTrunks: Resource<SIPOutboundTrunkInfo, SIPOutboundTrunkUpdate> = {
  ...trunk,
  items: (store) => store.outboundTrunks,
  validate: (_ctx, t) => validateOutboundTrunk(t),
  checkConflicts: () => {},
  validateUpdate: (u) => validateListUpdate(u.numbers),
  applyUpdate: applyOutboundTrunkUpdate,
};

const dispatchRules: Resource<SIPDispatchRuleInfo, SIPDispatchRuleUpdate> = {
  noun: "rule",
  notFound: RULE_NOT_FOUND,
  items: (store) => store.dispatchRules,
  newId: newDispatchRuleId,
  idOf: (r) => r.sipDispatchRuleId,
  setId: (r, id) => (r.sipDispatchRuleId = id),
  validate: (ctx, rule) => {
    validateDispatchRule(rule);
    if (!ctx.behaviour.rejectUnknownTrunkIds) return;
    const unknown = rule.trunkIds.find((id) => !ctx.store.inboundTrunks.has(id));
    if (unknown !== undefined) throw notFound(`${TRUNK_NOT_FOUND}: ${unknown}`);
  },
  checkConflicts: checkDispatchRuleConflicts,
  validateUpdate: (u) => validateListUpdate(u.trunkIds),
  applyUpdate: applyDispatchRuleUpdate,
};

function create<T extends { clone(): T }, U>(
  resource: Resource<T, U>,
  ctx: ServiceContext,
  item: T | undefined,
): T {
  if (!item) throw invalidArgument(`missing ${resource.noun}`);
  if (resource.idOf(item) !== "") throw invalidArgument(`${resource.noun} id must not be set`);
  resource.validate(ctx, item);
  const items = resource.items(ctx.store);
  resource.checkConflicts([...items.all(), item]);
  const id = resource.newId();
  resource.setId(item, id);
  items.put(id, item);
  return item;
}

type UpdateAction<T, U> = { case: "replace"; value: T } | { case: "update"; value: U } | {
  case: undefined;
  value?: undefined;
};

/** Both forms of Update*: `replace` swaps the whole object (unset fields are wiped), `update` changes fields. */
function update<T extends { clone(): T }, U>(
  resource: Resource<T, U>,
  ctx: ServiceContext,
  id: string,
  action: UpdateAction<NoInfer<T>, NoInfer<U>>,
): T {
  const { noun } = resource;
  if (id === "") throw invalidArgument(`${noun} id must be set`);
  if (action.case === undefined) throw invalidArgument("missing or unsupported update action");
  if (action.case === "replace") {
    const replacementId = resource.idOf(action.value);
    if (replacementId !== "" && replacementId !== id) {
      throw invalidArgument(`${noun} id in the info must be empty or match the id in the update`);
    }
    resource.validate(ctx, action.value);
  } else {
    resource.validateUpdate(action.value);
  }
  const items = resource.items(ctx.store);
  const current = items.get(id);
  if (!current) throw notFound(resource.notFound);
  let next: T;
  if (action.case === "replace") {
    next = action.value.clone();
    resource.setId(next, id);
  } else {
    next = current;
    resource.applyUpdate(next, action.value);
    resource.validate(ctx, next);
  }
  resource.checkConflicts(items.all().map((item) => (resource.idOf(item) === id ? next : item)));
  items.put(id, next);
  return next;
}

/** Get*: the stored object, or not found. */
function get<T extends { clone(): T }, U>(resource: Resource<T, U>, ctx: ServiceContext, id: string): T {
  const item = resource.items(ctx.store).get(requireId(id, resource.noun));
  if (!item) throw notFound(resource.notFound);
  return item;
}

function requireId(id: string, what: string): string {
  if (id === "") throw invalidArgument(`${what} ID is required`);
  return id;
}

/** The deprecated top-level fields are what the SDK sends; `dispatchRule` wins when present (sip.go). */
function requestedRule(req: CreateSIPDispatchRuleRequest): SIPDispatchRuleInfo {
  const { dispatchRule, ...fields } = req;
  return dispatchRule ?? new SIPDispatchRuleInfo(fields);
}

export const SIP_METHODS: Record<string, SipMethod> = {
  CreateSIPInboundTrunk: method(
    CreateSIPInboundTrunkRequest,
    (ctx, req) => create(inboundTrunks, ctx, req.trunk),
  ),
  CreateSIPOutboundTrunk: method(
    CreateSIPOutboundTrunkRequest,
    (ctx, req) => create(outboundTrunks, ctx, req.trunk),
  ),
  GetSIPInboundTrunk: method(
    GetSIPInboundTrunkRequest,
    (ctx, req) => new GetSIPInboundTrunkResponse({ trunk: get(inboundTrunks, ctx, req.sipTrunkId) }),
  ),
  GetSIPOutboundTrunk: method(
    GetSIPOutboundTrunkRequest,
    (ctx, req) => new GetSIPOutboundTrunkResponse({ trunk: get(outboundTrunks, ctx, req.sipTrunkId) }),
  ),
  ListSIPInboundTrunk: method(
    ListSIPInboundTrunkRequest,
    ({ store }, req) =>
      new ListSIPInboundTrunkResponse({ items: filterInboundTrunks(store.inboundTrunks.all(), req) }),
  ),
  ListSIPOutboundTrunk: method(
    ListSIPOutboundTrunkRequest,
    ({ store }, req) =>
      new ListSIPOutboundTrunkResponse({ items: filterOutboundTrunks(store.outboundTrunks.all(), req) }),
  ),
  UpdateSIPInboundTrunk: method(
    UpdateSIPInboundTrunkRequest,
    (ctx, req) => update(inboundTrunks, ctx, req.sipTrunkId, req.action),
  ),
  UpdateSIPOutboundTrunk: method(
    UpdateSIPOutboundTrunkRequest,
    (ctx, req) => update(outboundTrunks, ctx, req.sipTrunkId, req.action),
  ),
  /**
   * Deletes an inbound or outbound trunk and answers with its id only (sip.go). A missing id is 404 per the
   * facts file; livekit-server's Redis store would answer 200 (HDEL of nothing).
   */
  DeleteSIPTrunk: method(DeleteSIPTrunkRequest, ({ store }, req) => {
    const id = requireId(req.sipTrunkId, "trunk");
    if (!store.inboundTrunks.delete(id) && !store.outboundTrunks.delete(id)) throw notFound(TRUNK_NOT_FOUND);
    return new SIPTrunkInfo({ sipTrunkId: id });
  }),
  CreateSIPDispatchRule: method(
    CreateSIPDispatchRuleRequest,
    (ctx, req) => create(dispatchRules, ctx, requestedRule(req)),
  ),
  ListSIPDispatchRule: method(
    ListSIPDispatchRuleRequest,
    ({ store }, req) =>
      new ListSIPDispatchRuleResponse({ items: filterDispatchRules(store.dispatchRules.all(), req) }),
  ),
  UpdateSIPDispatchRule: method(
    UpdateSIPDispatchRuleRequest,
    (ctx, req) => update(dispatchRules, ctx, req.sipDispatchRuleId, req.action),
  ),
  /** Answers with the deleted rule (sip.go). */
  DeleteSIPDispatchRule: method(DeleteSIPDispatchRuleRequest, ({ store }, req) => {
    const id = requireId(req.sipDispatchRuleId, "dispatch rule");
    const rule = store.dispatchRules.get(id);
    if (!rule) throw notFound(RULE_NOT_FOUND);
    store.dispatchRules.delete(id);
    return rule;
  }),
};

/**
 * Methods of livekit.SIP that exist but are not emulated: the deprecated combined trunks, and calls (which
 * need the separate SIP service and media). They answer `unimplemented` rather than pretending to work.
 */
export const NOT_EMULATED = new Set([
  "CreateSIPTrunk",
  "ListSIPTrunk",
  "CreateSIPParticipant",
  "TransferSIPParticipant",
]);
