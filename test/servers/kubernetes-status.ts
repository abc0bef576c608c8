/** What a handler answers: a status and a JSON body (a Secret, a SecretList or a Status). */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** metav1.Status, as the API server sends it for every failure (and for a successful DELETE). */
export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Reply {
  return {
    status: code,
    body: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: code < 400 ? "Success" : "Failure",
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    },
  };
}

const secretDetails = (name: string) => ({ name, kind: "secrets" });

export const notFound = (name: string) => status(404, "NotFound", `secrets "${name}" not found`, secretDetails(name));
export const namespaceNotFound = (ns: string) => status(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" });
export const alreadyExists = (name: string) => status(409, "AlreadyExists", `secrets "${name}" already exists`, secretDetails(name));
export const conflict = (name: string) =>
  status(
    409,
    "Conflict",
    `Operation cannot be fulfilled on secrets "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    secretDetails(name),
  );
export const preconditionConflict = (name: string, given: string, stored: string) =>
  status(
    409,
    "Conflict",
    `Operation cannot be fulfilled on secrets "${name}": the ResourceVersion in the precondition (${given}) does not match the ResourceVersion in record (${stored}). The object might have been modified`,
    secretDetails(name),
  );
export const unauthorized = () => status(401, "Unauthorized", "Unauthorized");
export const forbidden = (user: string, verb: string, ns: string, name?: string) =>
  status(
    403,
    "Forbidden",
    `secrets${name ? ` "${name}"` : ""} is forbidden: User "${user}" cannot ${verb} resource "secrets" in API group "" in the namespace "${ns}"`,
    name ? secretDetails(name) : { kind: "secrets" },
  );
export const badRequest = (message: string) => status(400, "BadRequest", message);

export interface Cause {
  readonly field: string;
  readonly message: string;
}

/** 422 with field causes, rendered the way apimachinery's ErrorList does. */
export function invalid(name: string, causes: readonly Cause[]): Reply {
  const text = causes.map((c) => `${c.field}: ${c.message}`);
  const message = `Secret "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(", ")}]`}`;
  return status(422, "Invalid", message, {
    name,
    kind: "Secret",
    causes: causes.map((c) => ({ reason: "FieldValueInvalid", message: c.message, field: c.field })),
  });
}
