// The one way the web talks to the server. Paths, methods and parameters are typed from
// the OpenAPI document (schema.d.ts, generated), so a call to a route the server does not
// have fails the type check. Sessions ride on the HttpOnly `tb_session` cookie; writes
// carry the session's CSRF token, as the server requires.
import type { paths } from './schema';

type Method = 'get' | 'post' | 'put' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
export type PathWith<M extends Method> = {
  [P in keyof paths]: [NonNullable<paths[P][M]>] extends [never] ? never : P;
}[keyof paths];
type ParametersOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: infer X } ? X : never;
type PathParams<P extends keyof paths, M extends Method> =
  ParametersOf<P, M> extends { path?: infer X } ? ([X] extends [never | undefined] ? never : X) : never;
type QueryParams<P extends keyof paths, M extends Method> =
  ParametersOf<P, M> extends { query?: infer X } ? ([X] extends [never | undefined] ? never : X) : never;

export interface CallOptions<P extends keyof paths, M extends Method> {
  path?: PathParams<P, M>;
  query?: QueryParams<P, M>;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: boolean;  // return the Response itself (files)
}

/** An error answer of the API: `code` is stable English, `message` is Chinese for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrfToken(token: string) {
  csrfToken = token;
}

export function urlOf(template: string, path?: object, query?: object): string {
  let url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (path as Record<string, unknown> | undefined)?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const qs = search.toString();
  if (qs) url += '?' + qs;
  return url;
}

async function call<T>(method: Method, template: string, options: CallOptions<never, never> | Record<string, unknown> = {}): Promise<T> {
  const o = options as { path?: object; query?: object; body?: unknown; headers?: Record<string, string>; raw?: boolean };
  const headers: Record<string, string> = { accept: 'application/json', ...(o.headers ?? {}) };
  let body: BodyInit | undefined;
  if (o.body instanceof Blob || o.body instanceof FormData) {
    body = o.body;
  } else if (o.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(o.body);
  }
  if (method !== 'get' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(urlOf(template, o.path, o.query), {
    method: method.toUpperCase(), headers, body, credentials: 'same-origin',
  });
  if (o.raw && res.ok) return res as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `服务器返回了无法识别的内容（${res.status}）`);
  }
  if (!res.ok) {
    const e = (json as { error?: { code: string; message: string; details?: Record<string, unknown> } })?.error;
    throw new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? `请求失败（${res.status}）`, e?.details ?? {});
  }
  return json as T;
}

export const api = {
  get: <T = unknown, P extends PathWith<'get'> = PathWith<'get'>>(path: P, options: CallOptions<P, 'get'> = {}) =>
    call<T>('get', path, options),
  post: <T = unknown, P extends PathWith<'post'> = PathWith<'post'>>(path: P, options: CallOptions<P, 'post'> = {}) =>
    call<T>('post', path, options),
  put: <T = unknown, P extends PathWith<'put'> = PathWith<'put'>>(path: P, options: CallOptions<P, 'put'> = {}) =>
    call<T>('put', path, options),
  del: <T = unknown, P extends PathWith<'delete'> = PathWith<'delete'>>(path: P, options: CallOptions<P, 'delete'> = {}) =>
    call<T>('delete', path, options),
};

/** Uploads one file with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function upload(file: File, onProgress: (percent: number) => void): Promise<{ id: string; [k: string]: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', urlOf('/api/v1/uploads' satisfies PathWith<'post'>, {}, { name: file.name }));
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let json: { error?: { code: string; message: string; details?: Record<string, unknown> } } & Record<string, unknown> = {};
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        /* handled below */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as { id: string });
      else reject(new ApiError(xhr.status, json.error?.code ?? 'HTTP_' + xhr.status, json.error?.message ?? '上传失败', json.error?.details ?? {}));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', '网络异常，上传失败'));
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.send(file);
  });
}
