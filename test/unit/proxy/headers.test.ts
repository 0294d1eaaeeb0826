import { endToEndHeaders } from '../../../src/proxy/headers';

describe('endToEndHeaders', () => {
  it('drops hop-by-hop headers whatever their case, and keeps the rest in order with repeats', () => {
    const raw = ['Host', 'a', 'Connection', 'keep-alive', 'Set-Cookie', 'x=1', 'TRANSFER-ENCODING', 'chunked', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'y=2', 'Upgrade', 'h2c', 'TE', 'trailers', 'Authorization', 'Bearer t'];
    expect(endToEndHeaders(raw)).toEqual(['Host', 'a', 'Set-Cookie', 'x=1', 'Set-Cookie', 'y=2', 'Authorization', 'Bearer t']);
  });

  it('drops the headers the Connection header names, and the names asked for', () => {
    const raw = ['Connection', 'close, X-Trace ,x-other', 'X-Trace', '1', 'X-Other', '2', 'X-Qlik-Session', 's', 'Host', 'h', 'X-Kept', 'k'];
    expect(endToEndHeaders(raw, ['host'])).toEqual(['X-Qlik-Session', 's', 'X-Kept', 'k']);
  });
});
