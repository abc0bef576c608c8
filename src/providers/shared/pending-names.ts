/**
 * Where providers without staging labels keep a rotation's pending value: a sibling secret named
 * `secretshift-pending/<name>` (spelled the provider's way), which no application reads. Names
 * below it are refused as secrets of their own, and `list` leaves them out.
 */
export const PENDING_ROOT = "secretshift-pending";

export const pendingNameOf = (name: string): string => `${PENDING_ROOT}/${name}`;

export const isPendingName = (name: string): boolean => name === PENDING_ROOT || name.startsWith(`${PENDING_ROOT}/`);

export const RESERVED_PENDING = `${PENDING_ROOT}/ is where secretshift keeps pending rotation values`;
