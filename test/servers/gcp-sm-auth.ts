import { createVerify, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";

/** A service-account key file as Google issues it, and the public half the server checks tokens with. */
export interface ServiceAccount {
  readonly keyFile: Record<string, string>;
  readonly email: string;
  readonly publicKey: KeyObject;
}

export function makeServiceAccount(projectId: string, tokenUri: string): ServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const email = `secretshift-test@${projectId}.iam.gserviceaccount.com`;
  const keyId = randomBytes(20).toString("hex");
  const keyFile = {
    type: "service_account",
    project_id: projectId,
    private_key_id: keyId,
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: email,
    client_id: "100000000000000000001",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: tokenUri,
    universe_domain: "googleapis.com",
  };
  return { keyFile, email, publicKey };
}

const b64json = (part: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** Checks an RS256 JWT signed by the account: signature, issuer, key id and expiry. Returns why not, or undefined. */
export function jwtProblem(token: string, account: ServiceAccount, keyId: string, nowSeconds = Date.now() / 1000): string | undefined {
  const [head, body, signature] = token.split(".");
  if (!head || !body || !signature) return "not a JWT";
  const header = b64json(head);
  const claims = b64json(body);
  if (header?.alg !== "RS256") return "unsupported algorithm";
  if (header.kid !== undefined && header.kid !== keyId) return "unknown key id";
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${head}.${body}`);
  if (!verifier.verify(account.publicKey, Buffer.from(signature, "base64url"))) return "bad signature";
  if (claims?.iss !== account.email) return "wrong issuer";
  if (typeof claims.exp !== "number" || claims.exp < nowSeconds) return "expired";
  return undefined;
}
