// Limits every front door enforces on a run, with messages that name the field and the range.

export const RATE_HZ = { min: 1, max: 100, default: 20 } as const;
export const TIMEOUT_S = { min: 0.1, max: 86_400, default: 600 } as const;
/** Stack samples per second in the launched program's own threads; 0 is off. */
export const STACKS_HZ = { min: 1, max: 1000, default: 100 } as const;

export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** The value as the message shows it: a hostile 64 KiB string is not echoed back whole, and a value String() cannot convert (a null-prototype object) does not throw. */
const shown = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  let text: string;
  try {
    text = String(v);
  } catch {
    text = Object.prototype.toString.call(v);
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
};

export function checkRateHz(v: unknown, field = 'rateHz'): number {
  if (v === undefined) return RATE_HZ.default;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < RATE_HZ.min || v > RATE_HZ.max) {
    throw new InputError(field, `${field} must be a number from ${RATE_HZ.min} to ${RATE_HZ.max} samples per second (got ${shown(v)})`);
  }
  return v;
}

export function checkStacksHz(v: unknown, field = 'stacksHz'): number {
  if (v === undefined) return STACKS_HZ.default;
  if (typeof v !== 'number' || !Number.isFinite(v) || (v !== 0 && (v < STACKS_HZ.min || v > STACKS_HZ.max))) {
    throw new InputError(field, `${field} must be 0 (off) or a number from ${STACKS_HZ.min} to ${STACKS_HZ.max} stack samples per second (got ${shown(v)})`);
  }
  return v;
}

export function checkTimeoutS(v: unknown, field = 'timeoutS'): number {
  if (v === undefined) return TIMEOUT_S.default;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < TIMEOUT_S.min || v > TIMEOUT_S.max) {
    throw new InputError(field, `${field} must be a number of seconds from ${TIMEOUT_S.min} to ${TIMEOUT_S.max} (got ${shown(v)})`);
  }
  return v;
}
