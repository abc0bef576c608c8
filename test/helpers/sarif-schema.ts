import { readFileSync } from "node:fs";
import ajvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";

// Both are CommonJS modules that also export themselves as `default`.
const Ajv = ajvDraft04.default;
const addFormats = ajvFormats.default;

/**
 * The official SARIF 2.1.0 schema (OASIS, errata 01, vendored under fixtures/scan/sarif-schema with
 * its licence), compiled by a JSON-schema draft-04 validator with format checks (`uri-reference`,
 * `date-time`). `strict: false` because the official schema itself uses what Ajv's strict mode
 * rejects (a `default` on string items that is an array).
 */
const schema = JSON.parse(readFileSync(new URL("../../fixtures/scan/sarif-schema/sarif-schema-2.1.0.json", import.meta.url), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** The schema's complaints about a document, as `path: message` lines; empty when it is valid. */
export function sarifErrors(document: unknown): string[] {
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message}`);
}
