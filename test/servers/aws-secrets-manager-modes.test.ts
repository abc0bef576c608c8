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
} from "@aws-sdk/client-secrets-manager";
import { afterEach, describe, expect, it } from "vitest";
import { type AwsServer, type AwsServerOptions, startAwsServer } from "./aws-secrets-manager.js";

/** The switchable behaviours of the AWS test server, seen through the real SDK on a clock the test moves. */
const KEY = "AKIDMODESTEST";
const T1 = "11111111-1111-4111-8111-111111111111";
const T2 = "22222222-2222-4222-8222-222222222222";

let server: AwsServer;
let sm: SecretsManagerClient;
let clock = Date.UTC(2026, 0, 1);

async function start(options: AwsServerOptions) {
  server = await startAwsServer({ accessKeys: [KEY], now: () => clock, ...options });
  sm = new SecretsManagerClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: KEY, secretAccessKey: "x" }, maxAttempts: 1 });
}

const failure = (p: Promise<unknown>) => p.then(() => "succeeded").catch((e: { name?: string; message?: string }) => `${e.name}: ${e.message}`);
const listed = async () => ((await sm.send(new ListSecretsCommand({}))).SecretList ?? []).map((s) => s.Name);

afterEach(async () => {
  sm.destroy();
  await server.stop();
});

describe("aws test server modes", () => {
  it("listingLagMs: ListSecrets shows each secret as it was that long ago; reads by id are current", async () => {
    await start({ listingLagMs: 5000 });
    await sm.send(new CreateSecretCommand({ Name: "a", SecretString: "v1", ClientRequestToken: T1 }));
    expect(await listed()).toEqual([]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: "a" }))).SecretString).toBe("v1");
    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["a", "b"] }));
    expect([batch.SecretValues?.map((v) => v.Name), batch.Errors?.map((e) => [e.SecretId, e.ErrorCode])]).toEqual([
      ["a"],
      [["b", "ResourceNotFoundException"]],
    ]);
    clock += 5000;
    expect(await listed()).toEqual(["a"]);
    await sm.send(new DeleteSecretCommand({ SecretId: "a", ForceDeleteWithoutRecovery: true }));
    expect(await failure(sm.send(new DescribeSecretCommand({ SecretId: "a" })))).toMatch(/^ResourceNotFoundException/);
    expect(await listed()).toEqual(["a"]);
    clock += 5000;
    expect(await listed()).toEqual([]);
  });

  it("asyncDeleteMs: a force-deleted name stays marked for deletion, cannot be created, restored or read, then is free", async () => {
    await start({ asyncDeleteMs: 1500 });
    await sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "v1", ClientRequestToken: T1 }));
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: "gone", ForceDeleteWithoutRecovery: true }));
    expect(deleted.DeletionDate?.getTime()).toBe(clock);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: "gone" }))).DeletedDate?.getTime()).toBe(clock);
    expect(await failure(sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "v2", ClientRequestToken: T2 })))).toBe(
      "InvalidRequestException: You can't create this secret because a secret with this name is already scheduled for deletion.",
    );
    expect(await failure(sm.send(new GetSecretValueCommand({ SecretId: "gone" })))).toMatch(/^InvalidRequestException: .*marked for deletion/);
    expect(await failure(sm.send(new ListSecretVersionIdsCommand({ SecretId: "gone" })))).toMatch(/^InvalidRequestException/);
    expect(await failure(sm.send(new RestoreSecretCommand({ SecretId: "gone" })))).toMatch(/^InvalidRequestException: .*without a recovery window/);
    expect(server.snapshot().gone).toMatchObject({ forceDeleted: true });
    clock += 1500;
    expect(server.snapshot().gone).toBeUndefined();
    await sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "v2", ClientRequestToken: T2 }));
    expect(server.versions("gone")).toEqual([{ id: T2, stages: ["AWSCURRENT"], value: "v2" }]);
  });

  it("strictCreate: CreateSecret on an existing name is ResourceExistsException even for the same token and value", async () => {
    const create = new CreateSecretCommand({ Name: "x", SecretString: "v1", ClientRequestToken: T1 });
    await start({});
    await sm.send(create);
    expect(await failure(sm.send(create))).toBe("succeeded");
    server.setOptions({ strictCreate: true });
    expect(await failure(sm.send(create))).toBe("ResourceExistsException: The operation failed because the secret x already exists.");
    expect(server.versions("x")).toHaveLength(1);
  });

  it("counts write requests and runs a hook after the Nth, before its response; the snapshot is plain JSON", async () => {
    await start({});
    const seen: string[] = [];
    server.onWrite(2, () => seen.push(JSON.stringify(server.snapshot())));
    await sm.send(new CreateSecretCommand({ Name: "w", SecretString: "v1", ClientRequestToken: T1 }));
    await sm.send(new GetSecretValueCommand({ SecretId: "w" }));
    expect(await failure(sm.send(new PutSecretValueCommand({ SecretId: "nope", SecretString: "v", ClientRequestToken: T2 })))).toMatch(/ResourceNotFound/);
    expect(server.writes).toBe(2);
    expect(seen).toHaveLength(1);
    await sm.send(new PutSecretValueCommand({ SecretId: "w", SecretString: "v2", ClientRequestToken: T2 }));
    expect(server.writes).toBe(3);
    expect(server.snapshot()).toEqual({
      w: {
        arn: expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:\d+:secret:w-\w{6}$/),
        tags: {},
        versions: [
          { id: T1, value: "v1", stages: ["AWSPREVIOUS"] },
          { id: T2, value: "v2", stages: ["AWSCURRENT"] },
        ],
      },
    });
  });
});
