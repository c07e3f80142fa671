/**
 * ocpp-rpc answers frames it cannot parse with the OCPP 2.0.1 codes RpcFrameworkError and
 * MessageTypeNotSupported, which OCPP 1.6 does not have. A 1.6 charger gets the 1.6 equivalent:
 * FormationViolation (the frame is not a well-formed OCPP-J message) or ProtocolError.
 */
const OCPP16_CODE = new Map<unknown, string>([
  ['RpcFrameworkError', 'FormationViolation'],
  ['MessageTypeNotSupported', 'ProtocolError'],
]);

const CALLERROR_PREFIX = /^\s*\[\s*4\s*,/;

export function toOcpp16Frame(frame: string): string {
  if (!CALLERROR_PREFIX.test(frame)) return frame; // the common case costs one anchored regex test
  try {
    const message = JSON.parse(frame) as unknown[];
    const replacement = OCPP16_CODE.get(message[2]);
    if (!replacement) return frame;
    message[2] = replacement;
    return JSON.stringify(message);
  } catch {
    return frame;
  }
}

interface RawSender {
  sendRaw(frame: string): void;
}

/**
 * Installed as a client's own sendRaw: every frame ocpp-rpc sends passes toOcpp16Frame. One function
 * for all clients (`this` is the client) rather than a closure per connection.
 */
export function sendOcpp16Frame(this: RawSender, frame: string): void {
  (Object.getPrototypeOf(this) as RawSender).sendRaw.call(this, toOcpp16Frame(frame));
}
