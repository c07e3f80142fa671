import { startPaymentGateway } from './payment-gateway.ts';

// `npm start`: the platform with demo data plus what it needs from outside to be tried end to end on
// one machine: a payment gateway, played by the simulator (open a payment_url and press Pay).
// Production runs `npm run serve` with PAYMENT_GATEWAY_URL pointing at a real gateway.

const port = Number(process.env.PORT ?? 8080);
const apiKey = process.env.PAYMENT_GATEWAY_API_KEY ?? 'demo-gateway-api-key';
const webhookSecret = process.env.PAYMENT_WEBHOOK_SECRET ?? 'demo-webhook-secret-0123456789';

if (!process.env.PAYMENT_GATEWAY_URL) {
  const gateway = await startPaymentGateway({
    port: Number(process.env.DEMO_GATEWAY_PORT ?? 8090),
    host: '127.0.0.1',
    apiKey,
    webhookSecret,
    webhookUrl: `http://127.0.0.1:${port}/v1/payments/webhook`,
    log: (line) => console.log(`[payment gateway] ${line}`),
  });
  process.env.PAYMENT_GATEWAY_URL = gateway.url;
  process.env.PAYMENT_GATEWAY_API_KEY = apiKey;
  process.env.PAYMENT_WEBHOOK_SECRET = webhookSecret;
  console.log(`[payment gateway] simulator at ${gateway.url} (pay at the payment_url an order gets)`);
}

await import('../src/main.ts');
