// JSON text of a value in pieces, the same text JSON.stringify(value) gives (no spaces), so a
// large session can be written or compressed as it is produced instead of first becoming one
// string several times the size of its data (and bumping into V8's string length limit).

/** Long arrays of numbers are emitted this many elements at a time. */
const ARRAY_SLICE = 4096;

function leaf(value: unknown): string | undefined {
  // What JSON.stringify does for everything that is not an object or array.
  return JSON.stringify(value);
}

/**
 * Yields the JSON text of `value` in order. Matches JSON.stringify: toJSON is honoured, undefined
 * and functions are left out of objects and become null in arrays, NaN and ±Infinity become null.
 */
export function* jsonChunks(value: unknown): Generator<string> {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null || typeof value !== 'object') {
    yield leaf(value) ?? 'null';
    return;
  }
  if (Array.isArray(value)) {
    if (value.every((x) => typeof x === 'number' || x === null)) {
      // A column of samples: stringified a slice at a time.
      if (value.length === 0) {
        yield '[]';
        return;
      }
      for (let i = 0; i < value.length; i += ARRAY_SLICE) {
        const part = JSON.stringify(value.slice(i, i + ARRAY_SLICE));
        yield (i === 0 ? '[' : ',') + part.slice(1, -1);
      }
      yield ']';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      const x = value[i];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') yield 'null';
      else yield* jsonChunks(x);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const x = (value as Record<string, unknown>)[key];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    yield* jsonChunks(x);
  }
  yield '}';
}

/** The pieces of jsonChunks gathered into strings of at least `size` characters (fewer, larger writes). */
export function* batched(chunks: Iterable<string>, size = 1 << 20): Generator<string> {
  let buf: string[] = [];
  let n = 0;
  for (const c of chunks) {
    buf.push(c);
    n += c.length;
    if (n >= size) {
      yield buf.join('');
      buf = [];
      n = 0;
    }
  }
  if (n > 0) yield buf.join('');
}
