import type { ListedSecret } from "./aws-sm-listing.js";
import { AwsError, CURRENT, checkSecretName, checkToken, epoch, readValue, type SecretsModel, sameValue, validationError } from "./aws-sm-model.js";
import { describe, type Input, matchesFilters, type Output, page } from "./aws-sm-views.js";

export interface OpContext {
  readonly model: SecretsModel;
  readonly now: Date;
  /** Throws AccessDeniedException when `op` on `secretId` is in the server's denied set. */
  authorize(op: string, secretId: string): void;
  /** What a listing sees now: the live state, or the state of a while ago when listings lag. */
  listed(): ListedSecret[];
  /** Force deletion finishes this long after the request (0: at once). */
  readonly asyncDeleteMs: number;
  /** CreateSecret on an existing name is ResourceExistsException even for a matching token and value. */
  readonly strictCreate: boolean;
}

type Handler = (input: Input, ctx: OpContext) => Output;

function secretValue(ctx: OpContext, id: string, input: Input): Output {
  ctx.authorize("GetSecretValue", id);
  const s = ctx.model.live(id);
  const stage = input.VersionStage ?? (input.VersionId === undefined ? CURRENT : undefined);
  const v = input.VersionId !== undefined ? s.versions.get(input.VersionId) : ctx.model.holder(s, stage);
  if (!v || (stage !== undefined && !v.stages.has(stage))) {
    const what = input.VersionId !== undefined ? `VersionId: ${input.VersionId}` : `staging label: ${stage}`;
    throw new AwsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for ${what}`);
  }
  return {
    ARN: s.arn,
    Name: s.name,
    VersionId: v.id,
    SecretString: v.string,
    SecretBinary: v.binary,
    VersionStages: [...v.stages],
    CreatedDate: epoch(v.created),
  };
}

export const operations: Record<string, Handler> = {
  CreateSecret(input, ctx) {
    const name = checkSecretName(input.Name);
    const value = readValue(input, false);
    const token = checkToken(input.ClientRequestToken);
    const existing = ctx.model.find(name);
    if (existing?.deletedDate) {
      throw new AwsError("InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    if (existing) {
      // The API reference ignores a repeat with the same token and value; AWS-validated emulator
      // tests (LocalStack) record ResourceExistsException whenever the name exists: `strictCreate`.
      const prior = existing.versions.get(token);
      if (!ctx.strictCreate && prior && value && sameValue(prior, value)) return { ARN: existing.arn, Name: name, VersionId: prior.id };
      throw new AwsError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`);
    }
    const s = ctx.model.create(name, ctx.now);
    s.description = input.Description;
    s.kmsKeyId = input.KmsKeyId;
    for (const t of input.Tags ?? []) s.tags.set(t.Key, t.Value);
    if (!value) return { ARN: s.arn, Name: name };
    return { ARN: s.arn, Name: name, VersionId: ctx.model.addVersion(s, token, value, undefined, ctx.now).id };
  },

  PutSecretValue(input, ctx) {
    const s = ctx.model.live(input.SecretId);
    const value = readValue(input, true) ?? {};
    const token = checkToken(input.ClientRequestToken);
    const prior = s.versions.get(token);
    if (prior) {
      if (!sameValue(prior, value)) throw new AwsError("ResourceExistsException", "You can't modify an existing version, you can only create a new version.");
      return { ARN: s.arn, Name: s.name, VersionId: prior.id, VersionStages: [...prior.stages] };
    }
    const stages: string[] | undefined = input.VersionStages;
    if (stages !== undefined && (stages.length < 1 || stages.length > 20)) throw validationError("versionStages", "Member must have length between 1 and 20");
    const v = ctx.model.addVersion(s, token, value, stages, ctx.now);
    return { ARN: s.arn, Name: s.name, VersionId: v.id, VersionStages: [...v.stages] };
  },

  GetSecretValue: (input, ctx) => secretValue(ctx, input.SecretId, input),

  BatchGetSecretValue(input, ctx) {
    const ids: string[] | undefined = input.SecretIdList;
    if (ids !== undefined && input.Filters !== undefined) throw new AwsError("InvalidParameterException", "Specify either SecretIdList or Filters, not both.");
    if (ids === undefined && input.Filters === undefined) throw new AwsError("InvalidParameterException", "Specify either SecretIdList or Filters.");
    if (ids && (ids.length < 1 || ids.length > 20)) throw validationError("secretIdList", "Member must have length between 1 and 20");
    let targets = ids ?? [];
    let NextToken: string | undefined;
    if (!ids) {
      ctx.authorize("ListSecrets", "*");
      const all = ctx.listed().filter((s) => !s.deleted && matchesFilters(s, input.Filters));
      const p = page(all, input, 20, 20);
      targets = p.items.map((s) => s.name);
      NextToken = p.NextToken;
    } else if (input.MaxResults !== undefined) {
      throw new AwsError("InvalidParameterException", "MaxResults can only be used with Filters.");
    }
    const SecretValues: Output[] = [];
    const Errors: Output[] = [];
    for (const id of targets) {
      try {
        SecretValues.push(secretValue(ctx, id, {}));
      } catch (e) {
        if (!(e instanceof AwsError) || e.status !== 400) throw e;
        Errors.push({ SecretId: id, ErrorCode: e.type, Message: e.message });
      }
    }
    return { SecretValues, Errors, NextToken };
  },

  ListSecrets(input, ctx) {
    const all = ctx.listed().filter((s) => (input.IncludePlannedDeletion || !s.deleted) && matchesFilters(s, input.Filters));
    if (input.SortOrder === "desc") all.reverse();
    const p = page(all, input, 100, 100);
    const SecretList = p.items.map((s) => {
      const { VersionIdsToStages, RotationEnabled: _, ...rest } = s.entry;
      return { ...rest, SecretVersionsToStages: VersionIdsToStages };
    });
    return { SecretList, NextToken: p.NextToken };
  },

  DescribeSecret: (input, ctx) => describe(ctx.model.get(input.SecretId)),

  ListSecretVersionIds(input, ctx) {
    const s = ctx.model.live(input.SecretId);
    const versions = [...s.versions.values()].filter((v) => input.IncludeDeprecated || v.stages.size > 0);
    const p = page(versions, input, 100, 100);
    const Versions = p.items.map((v) => ({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: epoch(v.created) }));
    return { Versions, NextToken: p.NextToken, ARN: s.arn, Name: s.name };
  },

  UpdateSecretVersionStage(input, ctx) {
    const s = ctx.model.live(input.SecretId);
    const stage: string = input.VersionStage;
    if (typeof stage !== "string" || stage.length === 0) throw validationError("versionStage", "Member must not be null");
    const holder = ctx.model.holder(s, stage);
    const remove: string | undefined = input.RemoveFromVersionId;
    const move: string | undefined = input.MoveToVersionId;
    const target = move === undefined ? undefined : s.versions.get(move);
    if (move !== undefined && !target) throw new AwsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret version: ${move}`);
    if (remove !== undefined && holder?.id !== remove) {
      throw new AwsError("InvalidParameterException", `The staging label ${stage} is not attached to version ${remove}.`);
    }
    if (target && holder && holder !== target && remove === undefined) {
      throw new AwsError(
        "InvalidParameterException",
        `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (!target && stage === CURRENT && holder)
      throw new AwsError("InvalidParameterException", "You can't remove the staging label AWSCURRENT without moving it to another version.");
    if (target) ctx.model.moveStage(s, stage, target);
    else holder?.stages.delete(stage);
    s.lastChanged = ctx.now;
    return { ARN: s.arn, Name: s.name };
  },

  DeleteSecret(input, ctx) {
    const force = input.ForceDeleteWithoutRecovery === true;
    const windowDays = input.RecoveryWindowInDays;
    if (force && windowDays !== undefined) {
      throw new AwsError("InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (windowDays !== undefined && (!Number.isInteger(windowDays) || windowDays < 7 || windowDays > 30)) {
      throw new AwsError("InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    const s = ctx.model.find(input.SecretId);
    if (!s) {
      if (force) return { Name: input.SecretId, DeletionDate: epoch(ctx.now) };
      throw new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }
    if (s.deletedDate && !force) throw new AwsError("InvalidRequestException", "You can't delete secret because it is already scheduled for deletion.");
    if (force) {
      // "Secrets Manager performs the actual deletion with an asynchronous background process"
      // (API reference, DeleteSecret): until then the name is marked for deletion and cannot be reused.
      if (ctx.asyncDeleteMs > 0) {
        s.deletedDate = ctx.now;
        s.purgeAt ??= ctx.now.getTime() + ctx.asyncDeleteMs;
      } else ctx.model.secrets.delete(s.name);
      return { ARN: s.arn, Name: s.name, DeletionDate: epoch(ctx.now) };
    }
    s.deletedDate = new Date(ctx.now.getTime() + (windowDays ?? 30) * 86400_000);
    return { ARN: s.arn, Name: s.name, DeletionDate: epoch(s.deletedDate) };
  },

  RestoreSecret(input, ctx) {
    const s = ctx.model.get(input.SecretId);
    // "If you delete a secret with the ForceDeleteWithoutRecovery parameter, then you have no opportunity to recover the secret."
    if (s.purgeAt !== undefined)
      throw new AwsError("InvalidRequestException", "You can't restore this secret because it was deleted without a recovery window.");
    s.deletedDate = undefined;
    return { ARN: s.arn, Name: s.name };
  },

  TagResource(input, ctx) {
    const s = ctx.model.live(input.SecretId);
    // The Tag shape's constraints (API reference): key 1-128, value 0-256 characters.
    for (const [i, t] of (input.Tags ?? []).entries()) {
      if (typeof t.Key !== "string" || t.Key.length < 1 || t.Key.length > 128)
        throw validationError(`tags.${i + 1}.member.key`, "Member must have length between 1 and 128");
      if (typeof t.Value === "string" && t.Value.length > 256)
        throw validationError(`tags.${i + 1}.member.value`, "Member must have length less than or equal to 256");
    }
    for (const t of input.Tags ?? []) s.tags.set(t.Key, t.Value);
    return {};
  },

  UntagResource(input, ctx) {
    const s = ctx.model.live(input.SecretId);
    for (const k of input.TagKeys ?? []) s.tags.delete(k);
    return {};
  },
};

/** Operations that count against the write quota; everything else uses the read quota. */
export const WRITE_OPS = new Set([
  "CreateSecret",
  "PutSecretValue",
  "UpdateSecretVersionStage",
  "DeleteSecret",
  "RestoreSecret",
  "TagResource",
  "UntagResource",
]);
