import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { closeServer } from "../servers/close-server.js";

/** Which requests count as writes (provider-specific: a method, a path, an `X-Amz-Target`). */
export type IsWrite = (req: { method: string; path: string; headers: IncomingMessage["headers"] }) => boolean;

/**
 * When the Nth write arrives: `before` kills and drops it (the write never lands), `after` lets the
 * server handle it, then kills before the answer reaches the client (it landed, unacknowledged).
 */
export interface KillAt {
  readonly write: number;
  readonly when: "before" | "after";
  readonly kill: () => void;
}

export interface KillProxy {
  readonly url: string;
  /** Writes seen so far. */
  readonly writes: number;
  arm(at: KillAt | undefined): void;
  /** True once the armed kill fired. */
  readonly fired: boolean;
  stop(): Promise<void>;
}

/**
 * A loopback proxy in front of a wire-level test server that kills a spawned CLI on an event (its
 * Nth write request), not on a timer. With `tls`, it speaks HTTPS to the client with that
 * certificate and to the server trusting it (the Azure test server).
 */
export async function startKillProxy(target: string, isWrite: IsWrite, tls?: { cert: string; key: string }): Promise<KillProxy> {
  let writes = 0;
  let armed: KillAt | undefined;
  let fired = false;
  const upstream = new URL(target);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      // The journal anchor is written after the run's end line: not a moment inside the run.
      const write = isWrite({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers }) && !touchesAnchor(req.url ?? "/", body);
      if (write) writes++;
      const due = write && armed !== undefined && !fired && writes === armed.write ? armed : undefined;
      if (due?.when === "before") {
        fired = true;
        due.kill();
        req.socket.destroy();
        return;
      }
      const options = {
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
        ...(tls ? { ca: tls.cert } : {}),
      };
      const out = (upstream.protocol === "https:" ? httpsRequest : httpRequest)(new URL(req.url ?? "/", upstream), options, (answer) => {
        const body: Buffer[] = [];
        answer.on("data", (c: Buffer) => body.push(c));
        answer.on("end", () => {
          if (due) {
            fired = true;
            due.kill();
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
        });
      });
      out.on("error", () => req.socket.destroy());
      out.end(body);
    });
  };
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get writes() {
      return writes;
    },
    get fired() {
      return fired;
    },
    arm(at) {
      armed = at;
      fired = false;
      writes = 0;
    },
    stop: () => closeServer(server),
  };
}

const AWS_WRITES = new Set(["CreateSecret", "PutSecretValue", "UpdateSecretVersionStage", "TagResource", "UntagResource", "DeleteSecret", "RestoreSecret"]);

/** Write requests as each service defines them. */
export const WRITES: Record<"aws" | "vault" | "gcp" | "azure", IsWrite> = {
  aws: ({ headers }) => AWS_WRITES.has(String(headers["x-amz-target"] ?? "").replace(/^secretsmanager\./, "")),
  vault: ({ method, path }) => method !== "GET" && method !== "LIST" && !path.startsWith("/v1/auth/") && !path.startsWith("/v1/sys/"),
  gcp: ({ method }) => method !== "GET",
  azure: ({ method, path }) => method !== "GET" && (path.startsWith("/secrets") || path.startsWith("/deletedsecrets")),
};

/** A request about the dedicated `secretshift` anchor entry (a path segment, or AWS's SecretId/Name). */
function touchesAnchor(path: string, body: Buffer): boolean {
  if (/\/secretshift(?:[/?]|$)/.test(path)) return true;
  return /"(?:SecretId|Name)":"secretshift"/.test(body.toString("utf8"));
}
