/**
 * An example of the code the double exists to test: a small client of the Qlik Associative Engine
 * REST API, as a team would write it for its own service. Nothing here knows about the double;
 * engine-client.test.ts tests it against one.
 */

/** The attributes the engine reports for an app (NxAttributes; more may come). */
export interface AppAttributes {
  id: string;
  name: string;
  description?: string;
  thumbnail?: string;
  createdDate?: string;
  modifiedDate?: string;
  published?: boolean;
  [extra: string]: unknown;
}

/** An answer the engine gave with an error status. */
export class EngineRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} failed with ${status}: ${body.slice(0, 200)}`);
    this.name = 'EngineRequestError';
  }
}

export interface EngineClientOptions {
  /** The engine, e.g. http://localhost:9076. */
  baseUrl: string;
  /** Sent with every request (an Authorization header, say). */
  headers?: Record<string, string>;
}

/** A client of the engine's app and media endpoints. */
export class EngineClient {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(options: EngineClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = options.headers ?? {};
  }

  async createApp(name: string, description?: string): Promise<AppAttributes> {
    const app = await this.json<{ attributes: AppAttributes }>('POST', '/v1/apps', { attributes: { name, ...(description !== undefined ? { description } : {}) } });
    return app.attributes;
  }

  async getApp(appId: string): Promise<AppAttributes> {
    return (await this.json<{ attributes: AppAttributes }>('GET', `/v1/apps/${encodeURIComponent(appId)}`)).attributes;
  }

  async renameApp(appId: string, name: string): Promise<AppAttributes> {
    return (await this.json<{ attributes: AppAttributes }>('PUT', `/v1/apps/${encodeURIComponent(appId)}`, { attributes: { name } })).attributes;
  }

  /** Stores a file in the app's media library; `path` may contain folders ("images/logo.png"). */
  async uploadMedia(appId: string, path: string, bytes: Uint8Array): Promise<void> {
    await this.send('PUT', this.mediaPath(appId, 'files', path), { body: bytes, contentType: 'application/octet-stream' });
  }

  /** The files (and empty folders) under `folder` of the app's media library, recursively. */
  async listMedia(appId: string, folder = ''): Promise<string[]> {
    const res = await this.send('GET', `${this.mediaPath(appId, 'list', folder)}?show=all`);
    return (await res.json()) as string[];
  }

  async deleteApp(appId: string): Promise<void> {
    await this.send('DELETE', `/v1/apps/${encodeURIComponent(appId)}`);
  }

  private mediaPath(appId: string, kind: 'files' | 'list', path: string): string {
    return `/v1/apps/${encodeURIComponent(appId)}/media/${kind}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' });
    return (await res.json()) as T;
  }

  private async send(method: string, path: string, options: { body?: string | Uint8Array; contentType?: string } = {}): Promise<Response> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { accept: 'application/json', ...(options.contentType ? { 'content-type': options.contentType } : {}), ...this.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    if (!res.ok) throw new EngineRequestError(res.status, await res.text(), `${method} ${path}`);
    return res;
  }
}
