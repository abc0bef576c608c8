import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificate {
  readonly cert: string;
  readonly key: string;
  /** PEM file of the certificate, for NODE_EXTRA_CA_CERTS. */
  readonly certFile: string;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost. Key Vault clients only speak HTTPS (the
 * token rides on every request), so the loopback vault needs one; made with the openssl CLI.
 */
export function makeCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), "secretshift-azure-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ],
      { stdio: "pipe" },
    );
  } catch (e) {
    throw new Error(`the Azure Key Vault test server needs the openssl CLI to make its TLS certificate: ${(e as Error).message}`);
  }
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile };
}

/**
 * A Microsoft Entra tenant with one app registration: OpenID metadata and the client-credentials
 * token endpoint, taking a client secret or a workload identity's federated token.
 */
export class Tenant {
  readonly id = randomUUID();
  readonly clientId = randomUUID();
  readonly clientSecret = `s~${randomBytes(18).toString("base64url")}`;
  /** What a workload identity's token file holds (AZURE_FEDERATED_TOKEN_FILE): accepted as a client assertion. */
  readonly federatedToken = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString("base64url")}.sig`;
  readonly tokens = new Set<string>();

  /** `GET /{tenant}/v2.0/.well-known/openid-configuration` */
  openidConfiguration(base: string): Record<string, unknown> {
    const root = `${base}/${this.id}`;
    return {
      token_endpoint: `${root}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${root}/discovery/v2.0/keys`,
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      issuer: `${root}/v2.0`,
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${root}/oauth2/v2.0/logout`,
      tenant_region_scope: "EU",
    };
  }

  /** `POST /{tenant}/oauth2/v2.0/token` with grant_type=client_credentials. */
  token(form: URLSearchParams): { status: number; body: Record<string, unknown> } {
    if (form.get("grant_type") !== "client_credentials")
      return { status: 400, body: { error: "unsupported_grant_type", error_description: "AADSTS70003: The app requested an unsupported grant type." } };
    const assertion =
      form.get("client_assertion_type") === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" && form.get("client_assertion") === this.federatedToken;
    if (form.get("client_id") !== this.clientId || (!assertion && form.get("client_secret") !== this.clientSecret)) {
      return { status: 401, body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided.", error_codes: [7000215] } };
    }
    if (!/\/\.default$/.test(form.get("scope") ?? ""))
      return { status: 400, body: { error: "invalid_scope", error_description: "AADSTS1002012: The provided value for scope is not valid." } };
    const token = `eyJ0eXAiOiJKV1Qi.${randomBytes(24).toString("base64url")}`;
    this.tokens.add(token);
    return { status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token } };
  }
}
