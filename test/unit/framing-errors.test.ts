import { describe, expect, it } from 'vitest';
import { toOcpp16Frame } from '../../src/ocpp/framing-errors.ts';

describe('toOcpp16Frame', () => {
  it('rewrites RpcFrameworkError to FormationViolation', () => {
    const frame = JSON.stringify([4, 'abc-1', 'RpcFrameworkError', 'Message must be an array', {}]);
    expect(toOcpp16Frame(frame)).toBe(JSON.stringify([4, 'abc-1', 'FormationViolation', 'Message must be an array', {}]));
  });

  it('rewrites MessageTypeNotSupported to ProtocolError', () => {
    const frame = JSON.stringify([4, '42', 'MessageTypeNotSupported', 'Unsupported message type: 7', { type: 7 }]);
    expect(toOcpp16Frame(frame)).toBe(
      JSON.stringify([4, '42', 'ProtocolError', 'Unsupported message type: 7', { type: 7 }]),
    );
  });

  it('keeps the id, description and details of a rewritten frame', () => {
    const details = { errors: [{ keyword: 'type', path: '/a' }], nested: { n: 1.5, s: 'ü' } };
    const out = JSON.parse(toOcpp16Frame(JSON.stringify([4, 'id-ü', 'RpcFrameworkError', 'desc "quoted"', details])));
    expect(out).toEqual([4, 'id-ü', 'FormationViolation', 'desc "quoted"', details]);
  });

  it('tolerates whitespace inside and around the frame', () => {
    const frame = '  \n[ 4 ,\t"id1" , "RpcFrameworkError" , "bad" , { } ]\n';
    expect(JSON.parse(toOcpp16Frame(frame))).toEqual([4, 'id1', 'FormationViolation', 'bad', {}]);
  });

  it.each([
    'GenericError',
    'FormationViolation',
    'ProtocolError',
    'NotImplemented',
    'InternalError',
    'TypeConstraintViolation',
    'rpcframeworkerror',
  ])('leaves a CALLERROR with code %s byte-identical', (code) => {
    const frame = `[4, "id",  "${code}", "desc", {"a": 1}]`;
    expect(toOcpp16Frame(frame)).toBe(frame);
  });

  it('leaves CALL and CALLRESULT frames byte-identical, even when they mention the codes', () => {
    const call = '[2, "1", "DataTransfer", {"vendorId": "RpcFrameworkError", "data": "MessageTypeNotSupported"}]';
    const result = '[3,"1",{"status":"Accepted","data":"RpcFrameworkError"}]';
    const spacedResult = ' [ 3 , "2" , { } ] ';
    expect(toOcpp16Frame(call)).toBe(call);
    expect(toOcpp16Frame(result)).toBe(result);
    expect(toOcpp16Frame(spacedResult)).toBe(spacedResult);
  });

  it('does not treat message type 40 or 4.5 as a CALLERROR', () => {
    const forty = '[40,"1","RpcFrameworkError","x",{}]';
    const fraction = '[4.5,"1","RpcFrameworkError","x",{}]';
    expect(toOcpp16Frame(forty)).toBe(forty);
    expect(toOcpp16Frame(fraction)).toBe(fraction);
  });

  it('leaves a CALLERROR whose code is not a string unchanged', () => {
    const frame = '[4, "1", 17, "x", {}]';
    expect(toOcpp16Frame(frame)).toBe(frame);
  });

  it.each([
    '[4, "1", "RpcFrameworkError", "x", {}',
    '[4, "1", "RpcFrameworkError", "x", {},]',
    "[4, '1', 'RpcFrameworkError', 'x', {}]",
    '[4,',
  ])('passes invalid JSON through unchanged: %s', (frame) => {
    expect(toOcpp16Frame(frame)).toBe(frame);
  });

  it('passes non-array and empty input through unchanged', () => {
    for (const frame of ['', 'hello', '{"4": "RpcFrameworkError"}', 'null', '4']) {
      expect(toOcpp16Frame(frame)).toBe(frame);
    }
  });
});

describe('toOcpp16Frame and inherited object keys', () => {
  it('leaves codes that merely match Object.prototype names alone', () => {
    for (const code of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const frame = JSON.stringify([4, '1', code, 'x', {}]);
      expect(toOcpp16Frame(frame)).toBe(frame);
    }
  });
});
