/** Certificates a test makes for itself with selfsigned: a CA, and server or client certificates it signs. */
export interface Pem {
  cert: string;
  key: string;
}

function selfsigned() {
  return require('selfsigned') as typeof import('selfsigned');
}

export async function makeCa(name: string): Promise<Pem> {
  const made = await selfsigned().generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert: made.cert, key: made.private };
}

/** A certificate `ca` signs: for a server at localhost/127.0.0.1, or for a client named `name`. */
export async function issue(ca: Pem, name: string, use: 'server' | 'client'): Promise<Pem> {
  const made = await selfsigned().generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      use === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
      ...(use === 'server' ? [{ name: 'subjectAltName' as const, altNames: [{ type: 2 as const, value: 'localhost' }, { type: 7 as const, ip: '127.0.0.1' }] }] : []),
    ],
  });
  return { cert: made.cert, key: made.private };
}
