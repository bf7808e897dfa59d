// Every failure the UI shows is an ApiError: a message, the field it is about (so the form can
// put it next to the input) and a code that picks the advice shown with it.
import type { ApiErrorShape } from '../../shared/api';

export class ApiError extends Error {
  readonly field?: string;
  readonly code: ApiErrorShape['code'] | 'connection-lost';

  constructor(shape: { message: string; field?: string; code: ApiError['code'] }) {
    super(shape.message);
    this.name = 'ApiError';
    this.field = shape.field;
    this.code = shape.code;
  }

  /** Normalises anything a transport rejected with (Error, plain object, string). */
  static from(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as Partial<ApiErrorShape>;
    const codes = ['bad-input', 'not-found', 'run-failed', 'internal'];
    const code = codes.includes(e.code as string) ? (e.code as ApiErrorShape['code']) : e.field ? 'bad-input' : 'internal';
    return new ApiError({ message: typeof e.message === 'string' ? e.message : String(err), field: typeof e.field === 'string' ? e.field : undefined, code });
  }
}
