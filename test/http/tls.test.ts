import { startEngineDouble, type EngineDouble, type TlsOptions } from '../../src/index';
import { issue, makeCa, type Pem } from '../support/certificates';
import { httpsRequest } from '../support/https';

let serverCa: Pem;
let serverCert: Pem;
beforeAll(async () => {
  serverCa = await makeCa('test server CA');
  serverCert = await issue(serverCa, 'localhost', 'server');
});

describe('HTTPS with a certificate given', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: 'default', tls: { cert: serverCert.cert, key: serverCert.key }, metrics: { port: 0 }, log: () => undefined });
  });
  afterAll(() => engine.close());

  it('serves the engine, the control API and the metrics over TLS', async () => {
    expect(engine.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(engine.metricsUrl).toMatch(/^https:/);
    const trust = { ca: serverCa.cert };
    expect((await httpsRequest(`${engine.url}/healthcheck`, trust)).status).toBe(200);
    const control = await httpsRequest(`${engine.url}/__control/scenarios`, trust);
    expect(JSON.parse(control.text)).toMatchObject({ current: { name: 'default' } });
    const metrics = await httpsRequest(engine.metricsUrl!, trust);
    expect(metrics.text).toMatch(/^qix_active_sessions \d+$/m);
  });

  it('is refused by a client that does not trust the certificate, and speaks no plain HTTP', async () => {
    await expect(httpsRequest(`${engine.url}/health`, {})).rejects.toThrow(/certificate/);
    await expect(fetch(`${engine.url.replace('https:', 'http:')}/health`)).rejects.toThrow();
  });

  it('exposes what to trust', () => {
    expect(engine.ca).toBe(serverCert.cert);
  });
});

describe('HTTPS with client certificates required', () => {
  let clientCa: Pem;
  let engine: EngineDouble;
  beforeAll(async () => {
    clientCa = await makeCa('test client CA');
    engine = await startEngineDouble({
      tls: { cert: serverCert.cert, key: serverCert.key, ca: clientCa.cert, clientCert: 'required' },
      metrics: { port: 0 },
      log: () => undefined,
    });
  });
  afterAll(() => engine.close());

  it('answers a client whose certificate the CA signed, on both ports', async () => {
    const client = await issue(clientCa, 'engine-client', 'client');
    const tls = { ca: serverCa.cert, ...client };
    expect((await httpsRequest(`${engine.url}/health`, tls)).status).toBe(200);
    const faults = await httpsRequest(`${engine.url}/__control/faults`, tls);
    expect([faults.status, JSON.parse(faults.text)]).toEqual([200, { rules: [] }]);
    const metrics = await httpsRequest(engine.metricsUrl!, tls);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^qix_active_sessions \d+$/m);
  });

  it('refuses a client without a certificate, or with one another CA signed', async () => {
    await expect(httpsRequest(`${engine.url}/health`, { ca: serverCa.cert })).rejects.toThrow();
    await expect(httpsRequest(engine.metricsUrl!, { ca: serverCa.cert })).rejects.toThrow();
    const stranger = await issue(await makeCa('another CA'), 'stranger', 'client');
    await expect(httpsRequest(`${engine.url}/health`, { ca: serverCa.cert, ...stranger })).rejects.toThrow();
  });
});

describe('HTTPS with a throwaway self-signed certificate', () => {
  it('trusts nothing but the CA the handle exposes, for 127.0.0.1 and localhost', async () => {
    const engine = await startEngineDouble({ tls: { selfSigned: true }, log: () => undefined });
    try {
      expect(engine.ca).toContain('BEGIN CERTIFICATE');
      expect((await httpsRequest(`${engine.url}/health`, { ca: engine.ca! })).status).toBe(200);
      expect((await httpsRequest(`https://localhost:${engine.port}/health`, { ca: engine.ca! })).status).toBe(200);
      await expect(httpsRequest(`${engine.url}/health`, {})).rejects.toThrow();
      await expect(httpsRequest(`${engine.url}/health`, { ca: serverCa.cert })).rejects.toThrow();
    } finally {
      await engine.close();
    }
  });
});

describe('TLS settings that cannot work stop the start', () => {
  it.each<[string, TlsOptions, string]>([
    ['a certificate that is no PEM', { cert: 'not a certificate', key: 'not a key' }, 'TLS: the certificate, key or CA cannot be used'],
    ['a key that does not match', { cert: 'CERT', key: 'KEY' }, 'TLS: the certificate, key or CA cannot be used'],
    ['a certificate without its key', { cert: 'CERT' }, 'a certificate needs its key'],
    ['client certificates without a CA', { cert: 'CERT', key: 'KEY', clientCert: 'required' }, 'needs the CA'],
    ['a given certificate and a self-signed one', { cert: 'CERT', key: 'KEY', selfSigned: true }, 'not both'],
  ])('%s', async (_what, tls, message) => {
    const filled = { ...tls, ...(tls.cert === 'CERT' ? { cert: serverCert.cert } : {}), ...(tls.key === 'KEY' ? { key: serverCa.key } : {}) };
    await expect(startEngineDouble({ tls: filled, port: 0 })).rejects.toThrow(message);
  });
});
