import { createSign } from "node:crypto";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { AwsServer } from "../servers/aws-secrets-manager.js";
import type { AzureServer } from "../servers/azure-key-vault.js";
import type { GcpServer } from "../servers/gcp-secret-manager.js";
import type { VaultServer } from "../servers/vault.js";
import { TEST_ACCESS_KEY_ID } from "./aws-harness.js";

/** What an application's read of a secret got: the HTTP status, and the value on a 200. */
export interface AppRead {
  readonly status: number;
  readonly value?: string;
}

/** One HTTP request, as plain data, so a child process (the test command) can make it too. */
export interface ReadRequest {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** PEM to trust (the Azure test server's self-signed certificate). */
  readonly ca?: string;
}

/**
 * The service's own default read of one secret, the way applications, the vendors' CLIs and agents
 * make it: AWS `GetSecretValue` without a stage, Vault `GET <mount>/data/<name>`, GCP
 * `versions/latest:access`, Azure `GET /secrets/<name>`. Straight over HTTP to the test server,
 * never through secretshift's code.
 */
export interface AppReader {
  readonly request: ReadRequest;
  parse(status: number, body: string): AppRead;
}

export async function appRead(reader: AppReader): Promise<AppRead> {
  const { status, body } = await send(reader.request);
  return reader.parse(status, body);
}

function send(r: ReadRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(r.url);
    const options = { method: r.method, headers: r.headers, ...(r.ca ? { ca: r.ca } : {}) };
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(r.body);
  });
}

const json = (body: string): Record<string, unknown> => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
};
const ok = (status: number, value: unknown): AppRead => (status === 200 && typeof value === "string" ? { status, value } : { status });

/** `version` reads that version by its number or id instead of the default (what `--with-previous` readers do). */
export function vaultReader(server: VaultServer, mount: string, name: string, version?: string, field = "value"): AppReader {
  const query = version === undefined ? "" : `?version=${version}`;
  return {
    request: { url: `${server.url}/v1/${mount}/data/${name}${query}`, method: "GET", headers: { "X-Vault-Token": server.rootToken } },
    parse: (status, body) => ok(status, (json(body).data as { data?: Record<string, unknown> } | undefined)?.data?.[field]),
  };
}

export function awsReader(server: AwsServer, name: string, version?: string): AppReader {
  const credential = `${TEST_ACCESS_KEY_ID}/20260101/us-east-1/secretsmanager/aws4_request`;
  return {
    request: {
      url: server.url,
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "secretsmanager.GetSecretValue",
        Authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host;x-amz-target, Signature=0`,
      },
      body: JSON.stringify({ SecretId: name, ...(version === undefined ? {} : { VersionId: version }) }),
    },
    parse: (status, body) => ok(status, json(body).SecretString),
  };
}

/** The bearer token is a JWT the service account signs itself, as Google's libraries do with a key file. */
export function gcpReader(server: GcpServer, id: string, version = "latest"): AppReader {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: "RS256", typ: "JWT", kid: server.account.keyFile.private_key_id })}.${b64({ iss: server.account.email, sub: server.account.email, iat: now, exp: now + 3600 })}`;
  const signature = createSign("RSA-SHA256")
    .update(head)
    .sign(server.account.keyFile.private_key ?? "")
    .toString("base64url");
  return {
    request: {
      url: `${server.url}/v1/projects/${server.projectId}/secrets/${id}/versions/${version}:access`,
      method: "GET",
      headers: { Authorization: `Bearer ${head}.${signature}` },
    },
    parse: (status, body) => {
      const data = (json(body).payload as { data?: string } | undefined)?.data;
      return ok(status, data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8"));
    },
  };
}

/** The token comes from the tenant's client-credentials endpoint, as an application's would. */
export async function azureReader(server: AzureServer, vaultName: string, version?: string): Promise<AppReader> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: server.tenant.clientId,
    client_secret: server.tenant.clientSecret,
    scope: "https://vault.azure.net/.default",
  });
  const token = await send({
    url: `${server.url}/${server.tenant.id}/oauth2/v2.0/token`,
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    ca: server.certificate.cert,
  });
  const accessToken = String(json(token.body).access_token);
  return {
    request: {
      url: `${server.url}/secrets/${vaultName}${version === undefined ? "" : `/${version}`}?api-version=7.5`,
      method: "GET",
      headers: { Authorization: `Bearer ${accessToken}` },
      ca: server.certificate.cert,
    },
    parse: (status, body) => ok(status, json(body).value),
  };
}

// A test command makes the same read while secretshift runs `test` (its environment is minimal, so
// the request comes from a file) and appends what it got to app-reads.jsonl.
const SCRIPT = `import { appendFileSync, readFileSync } from "node:fs";
import { request as http } from "node:http";
import { request as https } from "node:https";
const r = JSON.parse(readFileSync(new URL("./app-read.json", import.meta.url), "utf8"));
const url = new URL(r.url);
const req = (url.protocol === "https:" ? https : http)(url, { method: r.method, headers: r.headers, ...(r.ca ? { ca: r.ca } : {}) }, (res) => {
  let body = "";
  res.on("data", (d) => (body += d));
  res.on("end", () => appendFileSync(new URL("./app-reads.jsonl", import.meta.url), JSON.stringify({ status: res.statusCode, body }) + "\\n"));
});
req.on("error", (e) => { console.error(String(e)); process.exit(3); });
req.end(r.body);
`;

/** Writes the reader script into `dir`; returns the command that runs it (a --test-command, or a part of one). */
export async function installReaderScript(dir: string, reader: AppReader): Promise<string> {
  await writeFile(join(dir, "app-read.mjs"), SCRIPT);
  await writeFile(join(dir, "app-read.json"), JSON.stringify(reader.request));
  await appendFile(join(dir, "app-reads.jsonl"), "");
  return `"${process.execPath}" app-read.mjs`;
}

/** What the script's reads got, in order. */
export async function scriptReads(dir: string, reader: AppReader): Promise<AppRead[]> {
  const lines = (await readFile(join(dir, "app-reads.jsonl"), "utf8")).split("\n").filter(Boolean);
  return lines.map((l) => {
    const { status, body } = JSON.parse(l) as { status: number; body: string };
    return reader.parse(status, body);
  });
}
