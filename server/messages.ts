/**
 * Every server text the dashboard shows, as a code and the names of its parameters. Services
 * build MessageRefs with `ref()` (typed against this list) and store or throw them; the dashboard
 * renders them from the per-locale dictionaries (components/i18n/messages/server-*.ts), where each
 * code is a message key. server/messages.test.ts holds every code × locale to a message with
 * exactly these placeholders, so a code without its Russian (or a renamed parameter) fails a test.
 *
 * A plural message takes `count`. A parameter may be a MessageRef itself (a health state, a reason).
 */
import type { MessageParam, MessageRef } from "./message-ref";

export const MESSAGE_PARAMS = {
  // Field messages: the validation error map (server/errors.ts › fieldErrorsFromZod) and service rules.
  "validation.required": [],
  "validation.invalid": [],
  "validation.number": [],
  "validation.integer": [],
  "validation.text": [],
  "validation.boolean": [],
  "validation.list": [],
  "validation.object": [],
  "validation.min": ["minimum"],
  "validation.greaterThan": ["minimum"],
  "validation.max": ["maximum"],
  "validation.lessThan": ["maximum"],
  "validation.minLength": ["count"],
  "validation.maxLength": ["count"],
  "validation.minItems": ["count"],
  "validation.maxItems": ["count"],
  "validation.oneOf": ["options"],
  "validation.unknownKeys": ["keys"],
  "validation.format": [],
  "validation.format.uuid": [],
  "validation.format.url": [],
  "validation.format.email": [],
  "validation.json": [],
  "validation.yaml": ["line"],
  "validation.panelUrl.format": [],
  "validation.panelUrl.scheme": [],
  "validation.panelUrl.credentials": [],
  "validation.panelUrl.query": [],
  "validation.tlsPin": [],
  "validation.username": [],
  "admin.field.usernameTaken": [],

  "node.field.nameTaken": ["node"],
  "node.field.panelTaken": ["node", "inbound"],
  "node.field.panelTakenUnnamed": ["inbound"],
  "node.field.inboundTaken": ["node"],
  "node.field.belowUsers": ["count"],
  "node.field.belowUsersUnknown": [],
  "node.field.credentials": [],
  "node.field.usernameWithPassword": [],
  "node.field.pinRequired": [],
  "node.field.pinNeedsHttps": [],
  "node.field.deletedWhileImporting": [],
  "node.field.repeatsName": ["entry"],
  "node.field.unknownYamlField": ["fields"],

  // The SSRF guard's refusals of a panel URL.
  "panelAddress.invalid": [],
  "panelAddress.unresolvable": ["host"],
  "panelAddress.private": ["host"],
  "panelAddress.resolvesPrivate": ["host", "address"],

  // What went wrong talking to a panel, for people: server/services/nodes/describe-panel-error.ts.
  "panel.refused": ["address"],
  "panel.dns": ["host"],
  "panel.timeout": ["address", "ms"],
  "panel.reset": ["address"],
  "panel.noRoute": ["address"],
  "panel.tlsNotSpoken": ["address"],
  "panel.tlsCertificate": ["address", "detail"],
  "panel.tlsFailed": ["address", "detail"],
  "panel.pinMismatch": ["address"],
  "panel.addressRefused": ["address", "peer"],
  "panel.unreachable": ["address", "detail"],
  "panel.auth": ["address"],
  "panel.notFound": ["address"],
  "panel.pagePath": ["address", "suggestion"],
  "panel.protocol": ["address", "detail"],
  "panel.notReady": ["address"],
  "panel.duplicate": ["address"],
  "panel.internal": [],

  // A health check's finding (nodes.last_error_ref, health_checks.error_ref).
  "check.xray": ["state"],
  "check.xrayWithDetail": ["state", "detail"],
  "check.secretUnusable": [],
  "check.inboundMissing": ["inbound"],
  "check.inboundDisabled": ["inbound"],
  "check.inboundProtocol": ["inbound", "protocol"],
  "check.duplicate": ["node", "inbound"],

  "xrayState.running": [],
  "xrayState.stop": [],
  "xrayState.error": [],
  "tlsMode.verify": [],
  "tlsMode.skip": [],
  "tlsMode.pin": [],

  // Events (events.message_ref): what the system did or noticed.
  "event.node.up": ["node", "from"],
  "event.node.degraded": ["node", "from", "reason"],
  "event.node.down": ["node", "from", "reason"],
  "event.node.auth_error": ["node", "reason"],
  "event.node.misconfigured": ["node", "reason"],
  "event.failover.held": ["failed", "fleet", "limit"],

  // Errors (AppError messages) a person sees.
  "error.badRequest": [],
  "error.internal": [],
  "error.signIn": [],
  "error.forbiddenRole": ["role"],
  "error.node.notFound": [],
  "error.admin.notFound": [],
  "error.admin.lastOwner": [],
  "error.admin.ownRole": [],
  "error.admin.ownDisable": [],
  "error.delivery.notFound": [],
  "error.delivery.delivered": [],
  "error.operation.notFound": [],
  "error.rebalance.running": [],
  "error.drain.disabled": ["node"],
  "error.drain.notDraining": ["node"],
  "error.drain.stillUnhealthy": ["node"],
  "error.user.noKeyToMove": [],
  "error.user.keyPending": [],
  "error.user.alreadyThere": [],
  "user.field.currentNode": [],
  "error.node.connectionFailed": ["reason"],
  "error.node.importRefused": [],
  "error.location.none": ["location", "locations"],
  "error.location.noneAtAll": ["location"],
  "error.capacity.none": [],
  "error.capacity.location": ["location"],
  "error.user.notFound": [],
  "error.user.nodeCannotTake": [],
  "user.field.nodeCannotTake": [],
  "plan.field.future": [],
  "plan.field.extendWithExpiresAt": [],
  "plan.field.nothingToChange": [],
} as const satisfies Record<string, readonly string[]>;

export type MessageCode = keyof typeof MESSAGE_PARAMS;

type ParamsOf<C extends MessageCode> = { [K in (typeof MESSAGE_PARAMS)[C][number]]: MessageParam };

/** A MessageRef for `code`, with exactly the parameters its message takes. */
export function ref<C extends MessageCode>(code: C, ...params: (typeof MESSAGE_PARAMS)[C] extends readonly [] ? [] : [ParamsOf<C>]): MessageRef {
  return params[0] ? { code, params: params[0] } : { code };
}

export function isMessageCode(value: string): value is MessageCode {
  return Object.hasOwn(MESSAGE_PARAMS, value);
}
