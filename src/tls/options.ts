/**
 * TLS of the double's ports (the API port, the metrics port, and any door that shares the API
 * server, such as the QIX websocket): a certificate given as PEM, client certificates demanded
 * against a CA, or a throwaway CA and certificate made at start. Every refusal is an Error that
 * says which setting is wrong, so the start stops before anything listens.
 */
import os from 'node:os';
import { createSecureContext, type TlsOptions as NodeTlsOptions } from 'node:tls';
import { isIP } from 'node:net';
import { missingOptionalPackage } from '../optional-packages';

/** How a double serves TLS (in process; the CLI's --tls-* flags fill it). */
export interface TlsOptions {
  /** PEM of the server certificate (its chain may follow). */
  cert?: string | Buffer;
  /** PEM of the certificate's private key. */
  key?: string | Buffer;
  /** PEM of the CA(s) that sign the client certificates accepted with `clientCert: 'required'`. */
  ca?: string | Buffer;
  /** `required`: a client without a certificate the CA signed is refused at the handshake, as a certificate-secured engine does. Default `none`. */
  clientCert?: 'none' | 'required';
  /** Make a throwaway CA and a certificate it signs for localhost, 127.0.0.1, ::1, the host and this machine's name; the handle's `ca` is what to trust. */
  selfSigned?: boolean;
}

/** What the servers are made with, and what a client should trust. */
export interface ServingTls {
  server: NodeTlsOptions;
  /** PEM a client trusts to reach the double: the throwaway CA, or the certificate given. */
  trust: string;
}

const CLIENT_CERT_MODES = ['none', 'required'] as const;
/** Long enough for any test run, short enough that a leaked throwaway certificate soon means nothing. */
const SELF_SIGNED_DAYS = 30;
const DAY_MS = 86_400_000;

function text(value: string | Buffer): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}

/** The names a throwaway certificate is valid for. */
function subjectAltNames(host: string): { type: 2 | 7; value?: string; ip?: string }[] {
  const names = new Set(['localhost', '127.0.0.1', '::1', os.hostname()]);
  if (host !== '' && host !== '0.0.0.0' && host !== '::') names.add(host);
  return [...names].map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }));
}

/** A throwaway CA and a server certificate it signs; selfsigned (an optional package) loads only here. */
async function throwawayCertificate(host: string): Promise<{ cert: string; key: string; ca: string }> {
  const missing = missingOptionalPackage('selfsigned', '--tls-self-signed (selfSigned: true)');
  if (missing !== undefined) throw new Error(missing);
  const selfsigned = require('selfsigned') as typeof import('selfsigned');
  const notBeforeDate = new Date(Date.now() - DAY_MS);
  const notAfterDate = new Date(Date.now() + SELF_SIGNED_DAYS * DAY_MS);
  const ca = await selfsigned.generate([{ name: 'commonName', value: 'qlik-engine-double throwaway CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: subjectAltNames(host) },
    ],
  });
  return { cert: server.cert, key: server.private, ca: ca.cert };
}

/** Checks the settings and makes what the servers need; undefined when TLS is off. */
export async function resolveTls(options: TlsOptions | undefined, host: string): Promise<ServingTls | undefined> {
  if (options === undefined) return undefined;
  const clientCert = options.clientCert ?? 'none';
  if (!CLIENT_CERT_MODES.includes(clientCert)) throw new Error(`TLS: client certificates must be ${CLIENT_CERT_MODES.join(' or ')}, not ${JSON.stringify(clientCert)}`);
  if (options.selfSigned && (options.cert !== undefined || options.key !== undefined)) {
    throw new Error('TLS: give a certificate and key, or ask for a self-signed one, not both');
  }
  if (!options.selfSigned && (options.cert === undefined || options.key === undefined)) {
    if (options.cert === undefined && options.key === undefined && options.ca === undefined && clientCert === 'none') return undefined;
    throw new Error('TLS: a certificate needs its key (--tls-cert with --tls-key), or ask for a self-signed one (--tls-self-signed)');
  }
  if (clientCert === 'required' && options.ca === undefined) throw new Error('TLS: requiring client certificates needs the CA that signs them (--tls-ca)');
  if (clientCert === 'none' && options.ca !== undefined) throw new Error('TLS: a client CA (--tls-ca) is only read with client certificates required (--tls-client-cert required)');
  const made = options.selfSigned ? await throwawayCertificate(host) : undefined;
  const cert = made?.cert ?? text(options.cert!);
  const key = made?.key ?? text(options.key!);
  const server: NodeTlsOptions = {
    cert,
    key,
    ...(clientCert === 'required' ? { ca: text(options.ca!), requestCert: true, rejectUnauthorized: true } : {}),
  };
  try {
    createSecureContext(server);
  } catch (error) {
    throw new Error(`TLS: the certificate, key or CA cannot be used: ${(error as Error).message}`);
  }
  return { server, trust: made?.ca ?? cert };
}
