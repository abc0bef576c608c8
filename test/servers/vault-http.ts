import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect, createServer, type Server, type Socket } from "node:net";

/** What a handler answers; `body` is sent as JSON, no body means 204 or an empty reply. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** Vault's success envelope (`vault/http/logical.go`). */
export function ok(data: unknown, extra: Record<string, unknown> = {}): Reply {
  return {
    status: 200,
    body: { request_id: randomUUID(), lease_id: "", renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null, ...extra },
  };
}

export const fail = (status: number, ...messages: string[]): Reply => ({ status, body: { errors: messages } });
export const noContent: Reply = { status: 204 };
/** Read/list that finds nothing: 404 with an empty error list. */
export const notFound: Reply = fail(404);
export const denied: Reply = fail(403, "permission denied");

/** go-multierror's rendering, which Vault passes through for validation failures. */
export function multiError(messages: readonly string[]): string {
  const head = messages.length === 1 ? "1 error occurred:" : `${messages.length} errors occurred:`;
  return `${head}\n${messages.map((m) => `\t* ${m}`).join("\n")}\n\n`;
}

export type JsonBody = { ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply };

export async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return { ok: false, reply: fail(400, "failed to parse JSON input: expected an object") };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, reply: fail(400, `failed to parse JSON input: ${(error as Error).message}`) };
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { "Cache-Control": "no-store", ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  res.writeHead(reply.status, { ...headers, "Content-Type": "application/json" }).end(JSON.stringify(reply.body));
}

/**
 * Node's HTTP parser rejects the `LIST` verb (HPE_INVALID_METHOD) before any handler runs, while
 * Vault accepts it. This TCP front rewrites `LIST /p` to `GET /p?list=true` (what Vault treats as
 * the same operation) and passes everything else through, tracking Content-Length so request
 * bodies are never mistaken for request lines. A chunked body ends rewriting on that connection.
 */
export async function startListMethodProxy(targetPort: number): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    const rewrite = listRewriter();
    client.on("data", (chunk: Buffer) => upstream.write(rewrite(chunk)));
    client.on("end", () => upstream.end());
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function listRewriter(): (chunk: Buffer) => Buffer {
  let head = Buffer.alloc(0);
  let bodyLeft = 0;
  let passthrough = false;
  return (chunk) => {
    if (passthrough) return chunk;
    const out: Buffer[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (bodyLeft > 0) {
        const n = Math.min(bodyLeft, rest.length);
        out.push(rest.subarray(0, n));
        bodyLeft -= n;
        rest = rest.subarray(n);
        continue;
      }
      head = Buffer.concat([head, rest]);
      rest = Buffer.alloc(0);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) break;
      const text = head.subarray(0, end + 4).toString("latin1");
      rest = head.subarray(end + 4);
      head = Buffer.alloc(0);
      out.push(Buffer.from(rewriteListHead(text), "latin1"));
      if (/\r\ntransfer-encoding:[ \t]*chunked/i.test(text)) {
        passthrough = true;
        out.push(rest);
        break;
      }
      bodyLeft = Number(/\r\ncontent-length:[ \t]*(\d+)/i.exec(text)?.[1] ?? 0);
    }
    return Buffer.concat(out);
  };
}

function rewriteListHead(text: string): string {
  if (!text.startsWith("LIST ")) return text;
  const [line = "", ...others] = text.split("\r\n");
  const [, target = "/", version = "HTTP/1.1"] = line.split(" ");
  const sep = target.includes("?") ? "&" : "?";
  return [`GET ${target}${sep}list=true ${version}`, "X-Original-Method: LIST", ...others].join("\r\n");
}
