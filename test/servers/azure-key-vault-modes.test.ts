import { rootCertificates } from "node:tls";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AzureServer, startAzureServer } from "./azure-key-vault.js";

/** The Key Vault test server's asynchronous delete, purge and recover, seen through the real SDK on a clock the test moves. */
let server: AzureServer;
let kv: SecretClient;
let clock = Date.UTC(2026, 0, 1);

beforeAll(async () => {
  server = await startAzureServer({ asyncMs: 1500, now: () => clock });
  const tlsOptions = { ca: [...rootCertificates, server.certificate.cert] };
  const { id, clientId, clientSecret } = server.tenant;
  const credential = new ClientSecretCredential(id, clientId, clientSecret, { authorityHost: server.url, disableInstanceDiscovery: true, tlsOptions });
  kv = new SecretClient(server.url, credential, { tlsOptions, retryOptions: { maxRetries: 0 }, disableChallengeResourceVerification: true });
});
afterAll(() => server?.stop());

/** Status, error code and innererror code of a refused call, as the SDK hands them over. */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "succeeded",
    (e: { statusCode?: number; code?: string; details?: { error?: { innerError?: { code?: string } } } }) =>
      [e.statusCode, e.code, e.details?.error?.innerError?.code].join(" "),
  );

describe("azure key vault test server with asyncMs", () => {
  it("deletes, purges and recovers in the background: the name is unreadable and busy (409) meanwhile", async () => {
    await kv.setSecret("s1", "v1");
    await kv.beginDeleteSecret("s1").catch(() => undefined);
    expect(server.snapshot().s1).toMatchObject({ state: "deleting" });
    expect(await refusal(kv.getSecret("s1"))).toBe("404 SecretNotFound ");
    expect(await refusal(kv.getDeletedSecret("s1"))).toBe("404 SecretNotFound ");
    expect(await refusal(kv.setSecret("s1", "v2"))).toBe("409 Conflict ObjectIsBeingDeleted");
    expect(await refusal(kv.purgeDeletedSecret("s1"))).toBe("409 Conflict ObjectIsBeingDeleted");

    clock += 1500;
    expect((await kv.getDeletedSecret("s1")).name).toBe("s1");
    expect(await refusal(kv.setSecret("s1", "v2"))).toBe("409 Conflict ObjectIsDeletedButRecoverable");
    await kv.beginRecoverDeletedSecret("s1").catch(() => undefined);
    expect(server.snapshot().s1).toMatchObject({ state: "recovering" });
    expect(await refusal(kv.getSecret("s1"))).toBe("404 SecretNotFound ");
    expect(await refusal(kv.setSecret("s1", "v2"))).toBe("409 Conflict ObjectIsBeingRecovered");

    clock += 1500;
    expect((await kv.getSecret("s1")).value).toBe("v1");
    await kv.beginDeleteSecret("s1").catch(() => undefined);
    clock += 1500;
    await kv.purgeDeletedSecret("s1");
    expect(server.snapshot().s1).toMatchObject({ state: "purging" });
    expect(await refusal(kv.setSecret("s1", "v3"))).toBe("409 Conflict ObjectIsBeingDeleted");
    clock += 1500;
    expect(server.snapshot().s1).toBeUndefined();
    await kv.setSecret("s1", "v3");
    expect(server.snapshot().s1).toMatchObject({ state: "live", versions: [{ value: "v3" }] });
  });

  it("counts write requests, refused ones included", async () => {
    const before = server.writes;
    await kv.setSecret("w1", "v1");
    await kv.getSecret("w1");
    await refusal(kv.purgeDeletedSecret("w1"));
    expect(server.writes - before).toBe(2);
  });
});
