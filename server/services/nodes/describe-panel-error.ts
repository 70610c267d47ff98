/**
 * What went wrong talking to a panel, for the person who has to fix it: a sentence (as a
 * MessageRef) that names the address and says what to check — "Nothing answers at
 * 127.0.0.1:3099 — is the panel running, and is the port right?" — instead of the socket's
 * "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:3099". The technical text stays in the logs and
 * in the columns that keep it (nodes.last_error, health_checks.error).
 */
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";
import { isPanelError } from "@/server/x3ui/types";

const REFUSED = new Set(["ECONNREFUSED"]);
const DNS = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const TIMED_OUT = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT"]);
const RESET = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);
const NO_ROUTE = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN"]);
const NO_TLS = new Set(["EPROTO", "ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_HTTP_REQUEST"]);
const CERTIFICATE = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/** "host:port" of a panel URL, the port written out even when it is the scheme's default. */
export function panelAddressLabel(panelUrl: string): { address: string; host: string } {
  try {
    const url = new URL(panelUrl);
    return { address: `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`, host: url.hostname };
  } catch {
    return { address: panelUrl, host: panelUrl };
  }
}

/** The panel URL a pasted page address (…/abc/panel/inbounds) stands for, or null. */
export function panelRootOfPagePath(panelUrl: string): string | null {
  try {
    const url = new URL(panelUrl);
    const at = url.pathname.search(/\/panel(\/|$)/);
    if (at < 0) return null;
    return `${url.origin}${url.pathname.slice(0, at)}/`;
  } catch {
    return null;
  }
}

export type PanelErrorContext = {
  panelUrl: string;
  /** The deadline that ran out, for a timeout. */
  timeoutMs: number;
  /** The inbound being read, so "not found" can say which one is missing. */
  inboundId?: number;
};

export function describePanelError(error: unknown, context: PanelErrorContext): MessageRef {
  const { address, host } = panelAddressLabel(context.panelUrl);
  if (!isPanelError(error)) return ref("panel.internal");
  switch (error.kind) {
    case "timeout":
      return ref("panel.timeout", { address, ms: context.timeoutMs });
    case "auth":
      return ref("panel.auth", { address });
    case "not_ready":
      return ref("panel.notReady", { address });
    case "duplicate":
      return ref("panel.duplicate", { address });
    case "not_found":
      return context.inboundId === undefined ? ref("panel.notFound", { address }) : ref("check.inboundMissing", { inbound: context.inboundId });
    case "protocol": {
      if (error.status === 404) {
        const suggestion = panelRootOfPagePath(context.panelUrl);
        return suggestion ? ref("panel.pagePath", { address, suggestion }) : ref("panel.notFound", { address });
      }
      return ref("panel.protocol", { address, detail: error.message.slice(0, 200) });
    }
    case "unreachable": {
      const code = error.transport?.code ?? "";
      if (code === "ADDRESS_NOT_ALLOWED") return ref("panel.addressRefused", { address, peer: error.transport?.peer ?? "?" });
      if (code === "PIN_MISMATCH") return ref("panel.pinMismatch", { address });
      if (REFUSED.has(code)) return ref("panel.refused", { address });
      if (DNS.has(code)) return ref("panel.dns", { host });
      if (TIMED_OUT.has(code)) return ref("panel.timeout", { address, ms: context.timeoutMs });
      if (RESET.has(code)) return ref("panel.reset", { address });
      if (NO_ROUTE.has(code)) return ref("panel.noRoute", { address });
      if (NO_TLS.has(code)) return ref("panel.tlsNotSpoken", { address });
      if (CERTIFICATE.test(code)) return ref("panel.tlsCertificate", { address, detail: code });
      if (code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL")) return ref("panel.tlsFailed", { address, detail: code });
      return ref("panel.unreachable", { address, detail: code || error.message.slice(0, 200) });
    }
  }
}
