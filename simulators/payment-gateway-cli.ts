import { parseArgs } from 'node:util';
import { startPaymentGateway } from './payment-gateway.ts';

// Runs the payment-gateway simulator for a local platform:
//   tsx simulators/payment-gateway-cli.ts --port 4010 --webhook-url http://127.0.0.1:8080/v1/payments/webhook --auto-pay
// and start the platform with PAYMENT_GATEWAY_URL=http://127.0.0.1:4010 and the same key and secret.

const usage = `Usage: payment-gateway-cli [options]
  --port <n>             listen port (env PORT; default 4010, 0 = random)
  --host <addr>          listen address (default 127.0.0.1)
  --api-key <key>        bearer key the platform sends (env PAYMENT_GATEWAY_API_KEY)
  --webhook-secret <s>   HMAC key of the webhooks (env PAYMENT_WEBHOOK_SECRET)
  --webhook-url <url>    where webhooks go (env PAYMENT_WEBHOOK_URL;
                         default http://127.0.0.1:8080/v1/payments/webhook)
  --auto-pay             pay every intent by itself
  --auto-pay-delay <ms>  ... after this delay (default 0)
  --fail-webhooks <n>    treat the first n webhook deliveries as lost (tests redelivery)
  -h, --help`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'api-key': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'webhook-url': { type: 'string' },
    'auto-pay': { type: 'boolean' },
    'auto-pay-delay': { type: 'string' },
    'fail-webhooks': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const env = process.env;
const int = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${name} must be a non-negative integer, got "${value}"\n\n${usage}`);
    process.exit(2);
  }
  return n;
};

// The defaults match the platform's development fallbacks (src/config.ts), so both start with no flags.
const gateway = await startPaymentGateway({
  port: int('--port', values.port ?? env.PORT, 4010),
  host: values.host ?? '127.0.0.1',
  apiKey: values['api-key'] ?? env.PAYMENT_GATEWAY_API_KEY ?? 'development-gateway-key',
  webhookSecret: values['webhook-secret'] ?? env.PAYMENT_WEBHOOK_SECRET ?? 'development-webhook-secret-0123',
  webhookUrl: values['webhook-url'] ?? env.PAYMENT_WEBHOOK_URL ?? 'http://127.0.0.1:8080/v1/payments/webhook',
  autoPay: values['auto-pay'] ? int('--auto-pay-delay', values['auto-pay-delay'], 0) : false,
  failWebhooksFirst: int('--fail-webhooks', values['fail-webhooks'], 0),
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
});
console.log(`payment gateway simulator on ${gateway.url} (payment pages at ${gateway.url}/pay/<intent id>)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log('closing');
    void gateway.close().then(() => process.exit(0));
  });
}
