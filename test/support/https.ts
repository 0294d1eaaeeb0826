import https from 'node:https';

export interface TlsClient {
  /** PEM the client trusts; none: the system's roots only. */
  ca?: string;
  /** The client's certificate and key, for servers that demand one. */
  cert?: string;
  key?: string;
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTPS request with the TLS settings a client of the double would use; rejects on a refused handshake. */
export function httpsRequest(url: string, client: TlsClient, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false, ...client }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
