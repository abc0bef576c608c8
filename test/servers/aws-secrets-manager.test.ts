import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AwsServer, type AwsServerOptions, startAwsServer } from "./aws-secrets-manager.js";

const KEY = "AKIDSERVERTEST";
const T1 = "11111111-1111-4111-8111-111111111111";
const T2 = "22222222-2222-4222-8222-222222222222";
const T3 = "33333333-3333-4333-8333-333333333333";

let server: AwsServer;
let sm: SecretsManagerClient;

async function start(options: AwsServerOptions = {}) {
  server = await startAwsServer({ accessKeys: [KEY], ...options });
  sm = new SecretsManagerClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: KEY, secretAccessKey: "x" }, maxAttempts: 1 });
}

const failure = async (p: Promise<unknown>) => {
  const e = (await p.then(() => undefined).catch((err: unknown) => err)) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  expect(e, "expected the call to fail").toBeDefined();
  return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
};

beforeEach(() => start());
afterEach(async () => {
  sm.destroy();
  await server.stop();
});

describe("aws secrets manager test server", () => {
  it("moves AWSCURRENT and AWSPREVIOUS on PutSecretValue, one version per label", async () => {
    await sm.send(new CreateSecretCommand({ Name: "app/db", SecretString: "v1", ClientRequestToken: T1 }));
    await sm.send(new PutSecretValueCommand({ SecretId: "app/db", SecretString: "v2", ClientRequestToken: T2 }));
    await sm.send(new PutSecretValueCommand({ SecretId: "app/db", SecretString: "v3", ClientRequestToken: T3 }));
    expect(server.versions("app/db")).toEqual([
      { id: T1, stages: [], value: "v1" },
      { id: T2, stages: ["AWSPREVIOUS"], value: "v2" },
      { id: T3, stages: ["AWSCURRENT"], value: "v3" },
    ]);
    const got = await sm.send(new GetSecretValueCommand({ SecretId: "app/db" }));
    expect([got.SecretString, got.VersionId]).toEqual(["v3", T3]);
    const prev = await sm.send(new GetSecretValueCommand({ SecretId: "app/db", VersionStage: "AWSPREVIOUS" }));
    expect(prev.SecretString).toBe("v2");
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "app/db" }));
    expect(listed.Versions?.map((v) => v.VersionId)).toEqual([T2, T3]);
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "app/db", IncludeDeprecated: true }));
    expect(all.Versions).toHaveLength(3);
  });

  it("leaves AWSCURRENT alone when VersionStages is given", async () => {
    await sm.send(new CreateSecretCommand({ Name: "k", SecretString: "v1", ClientRequestToken: T1 }));
    await sm.send(new PutSecretValueCommand({ SecretId: "k", SecretString: "v2", ClientRequestToken: T2, VersionStages: ["AWSPENDING"] }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: "k" }));
    expect(d.VersionIdsToStages).toEqual({ [T1]: ["AWSCURRENT"], [T2]: ["AWSPENDING"] });
  });

  it("is idempotent on ClientRequestToken and refuses a different value under the same token", async () => {
    await sm.send(new CreateSecretCommand({ Name: "k", SecretString: "v1", ClientRequestToken: T1 }));
    const again = await sm.send(new CreateSecretCommand({ Name: "k", SecretString: "v1", ClientRequestToken: T1 }));
    expect(again.VersionId).toBe(T1);
    await sm.send(new PutSecretValueCommand({ SecretId: "k", SecretString: "v2", ClientRequestToken: T2 }));
    await sm.send(new PutSecretValueCommand({ SecretId: "k", SecretString: "v2", ClientRequestToken: T2 }));
    expect(server.versions("k")).toHaveLength(2);
    expect((await failure(sm.send(new PutSecretValueCommand({ SecretId: "k", SecretString: "other", ClientRequestToken: T2 })))).name).toBe(
      "ResourceExistsException",
    );
    expect((await failure(sm.send(new CreateSecretCommand({ Name: "k", SecretString: "v1", ClientRequestToken: T3 })))).name).toBe("ResourceExistsException");
  });

  it("requires RemoveFromVersionId to move an attached label, and moves AWSPREVIOUS with AWSCURRENT", async () => {
    await sm.send(new CreateSecretCommand({ Name: "k", SecretString: "v1", ClientRequestToken: T1 }));
    await sm.send(new PutSecretValueCommand({ SecretId: "k", SecretString: "v2", ClientRequestToken: T2 }));
    const bare = await failure(sm.send(new UpdateSecretVersionStageCommand({ SecretId: "k", VersionStage: "AWSCURRENT", MoveToVersionId: T1 })));
    expect(bare.name).toBe("InvalidParameterException");
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "k", VersionStage: "AWSCURRENT", MoveToVersionId: T1, RemoveFromVersionId: T2 }));
    expect(server.versions("k").map((v) => v.stages)).toEqual([["AWSCURRENT"], ["AWSPREVIOUS"]]);
    const missing = await failure(
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: "k", VersionStage: "AWSCURRENT", MoveToVersionId: T3, RemoveFromVersionId: T1 })),
    );
    expect(missing.name).toBe("ResourceNotFoundException");
  });

  it("handles deletion: recovery window, planned-deletion listing, restore, force delete", async () => {
    await sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "v" }));
    const both = await failure(sm.send(new DeleteSecretCommand({ SecretId: "gone", ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7 })));
    expect(both.name).toBe("InvalidParameterException");
    await sm.send(new DeleteSecretCommand({ SecretId: "gone", RecoveryWindowInDays: 7 }));
    expect((await failure(sm.send(new GetSecretValueCommand({ SecretId: "gone" })))).name).toBe("InvalidRequestException");
    expect((await failure(sm.send(new PutSecretValueCommand({ SecretId: "gone", SecretString: "x" })))).name).toBe("InvalidRequestException");
    expect((await failure(sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "x" })))).name).toBe("InvalidRequestException");
    expect((await sm.send(new ListSecretsCommand({}))).SecretList).toEqual([]);
    const planned = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true }));
    expect(planned.SecretList?.[0]?.DeletedDate).toBeInstanceOf(Date);
    await sm.send(new RestoreSecretCommand({ SecretId: "gone" }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: "gone" }))).SecretString).toBe("v");
    await sm.send(new DeleteSecretCommand({ SecretId: "gone", ForceDeleteWithoutRecovery: true }));
    expect((await failure(sm.send(new DescribeSecretCommand({ SecretId: "gone" })))).name).toBe("ResourceNotFoundException");
    await sm.send(new DeleteSecretCommand({ SecretId: "never-existed", ForceDeleteWithoutRecovery: true }));
    expect((await failure(sm.send(new DeleteSecretCommand({ SecretId: "never-existed" })))).name).toBe("ResourceNotFoundException");
  });

  it("checks names and value sizes the way the service does", async () => {
    expect((await failure(sm.send(new CreateSecretCommand({ Name: "bad name!", SecretString: "v" })))).name).toBe("ValidationException");
    expect((await failure(sm.send(new CreateSecretCommand({ Name: "x".repeat(513), SecretString: "v" })))).name).toBe("ValidationException");
    const big = await failure(sm.send(new CreateSecretCommand({ Name: "big", SecretString: "x".repeat(65_537) })));
    expect(big.name).toBe("ValidationException");
    await sm.send(new CreateSecretCommand({ Name: "edge", SecretString: "x".repeat(65_536) }));
    expect((await failure(sm.send(new PutSecretValueCommand({ SecretId: "edge" })))).name).toBe("InvalidParameterException");
    expect((await failure(sm.send(new GetSecretValueCommand({ SecretId: "nope" })))).name).toBe("ResourceNotFoundException");
  });

  it("pages and filters ListSecrets, and batches values with per-secret errors", async () => {
    for (let i = 0; i < 25; i++) await sm.send(new CreateSecretCommand({ Name: `app/s${String(i).padStart(2, "0")}`, SecretString: `v${i}` }));
    await sm.send(new CreateSecretCommand({ Name: "other/x", SecretString: "o" }));
    await sm.send(new TagResourceCommand({ SecretId: "other/x", Tags: [{ Key: "team", Value: "red" }] }));
    const p1 = await sm.send(new ListSecretsCommand({ MaxResults: 10, Filters: [{ Key: "name", Values: ["app/"] }] }));
    const p2 = await sm.send(new ListSecretsCommand({ MaxResults: 10, Filters: [{ Key: "name", Values: ["app/"] }], NextToken: p1.NextToken }));
    const p3 = await sm.send(new ListSecretsCommand({ MaxResults: 10, Filters: [{ Key: "name", Values: ["app/"] }], NextToken: p2.NextToken }));
    expect([p1.SecretList?.length, p2.SecretList?.length, p3.SecretList?.length, p3.NextToken]).toEqual([10, 10, 5, undefined]);
    expect((await sm.send(new ListSecretsCommand({ Filters: [{ Key: "tag-key", Values: ["team"] }] }))).SecretList?.map((s) => s.Name)).toEqual(["other/x"]);
    expect((await failure(sm.send(new ListSecretsCommand({ MaxResults: 101 })))).name).toBe("ValidationException");

    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["app/s00", "missing", "other/x"] }));
    expect(batch.SecretValues?.map((v) => [v.Name, v.SecretString])).toEqual([
      ["app/s00", "v0"],
      ["other/x", "o"],
    ]);
    expect(batch.Errors?.map((e) => [e.SecretId, e.ErrorCode])).toEqual([["missing", "ResourceNotFoundException"]]);
    const ids = Array.from({ length: 21 }, (_, i) => `app/s${String(i).padStart(2, "0")}`);
    expect((await failure(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ids })))).name).toBe("ValidationException");
  });

  it("requires a signature, refuses unknown keys, and denies configured operations and secrets", async () => {
    const raw = await fetch(server.url, {
      method: "POST",
      headers: { "X-Amz-Target": "secretsmanager.ListSecrets", "Content-Type": "application/x-amz-json-1.1" },
      body: "{}",
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { __type: string }).__type).toBe("UnrecognizedClientException");
    const stranger = new SecretsManagerClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    expect((await failure(stranger.send(new ListSecretsCommand({})))).name).toBe("UnrecognizedClientException");
    stranger.destroy();

    await sm.send(new CreateSecretCommand({ Name: "open", SecretString: "a" }));
    await sm.send(new CreateSecretCommand({ Name: "locked", SecretString: "b" }));
    server.setOptions({ denied: ["GetSecretValue:locked", "DeleteSecret"] });
    expect((await failure(sm.send(new GetSecretValueCommand({ SecretId: "locked" })))).name).toBe("AccessDeniedException");
    expect((await failure(sm.send(new DeleteSecretCommand({ SecretId: "open" })))).name).toBe("AccessDeniedException");
    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["open", "locked"] }));
    expect(batch.Errors?.map((e) => e.ErrorCode)).toEqual(["AccessDeniedException"]);
  });

  it("throttles over quota, injects faults, limits versions and counts requests", async () => {
    server.setOptions({ writeQuota: { perSecond: 1, burst: 1 } });
    await sm.send(new CreateSecretCommand({ Name: "q", SecretString: "1" }));
    const t = await failure(sm.send(new PutSecretValueCommand({ SecretId: "q", SecretString: "2" })));
    expect([t.name, t.status, t.message]).toEqual(["ThrottlingException", 400, "Rate exceeded"]);
    await sm.send(new GetSecretValueCommand({ SecretId: "q" }));

    server.setOptions({ writeQuota: undefined, fault: { every: 1, kind: "500" } });
    const f = await failure(sm.send(new GetSecretValueCommand({ SecretId: "q" })));
    expect([f.name, f.status]).toEqual(["InternalServiceError", 500]);
    server.setOptions({ fault: { every: 1, kind: "reset" } });
    await failure(sm.send(new GetSecretValueCommand({ SecretId: "q" })));

    server.setOptions({ fault: undefined, maxVersions: 2 });
    await sm.send(new PutSecretValueCommand({ SecretId: "q", SecretString: "2" }));
    expect((await failure(sm.send(new PutSecretValueCommand({ SecretId: "q", SecretString: "3" })))).name).toBe("LimitExceededException");
    expect(server.counts).toMatchObject({ CreateSecret: 1, PutSecretValue: 3, GetSecretValue: 3 });
    expect(server.stats).toMatchObject({ throttled: 1, faults: 2 });
  });
});
