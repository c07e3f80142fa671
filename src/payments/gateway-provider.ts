import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { PaymentIntent, PaymentProvider, ProviderRefund, WebhookEvent } from './payment-provider.ts';
import { SIGNATURE_HEADER, verifyWebhookSignature } from './webhook-signature.ts';

export { signWebhook } from './webhook-signature.ts';

// The built-in provider: a plain JSON-over-HTTP gateway API in the style of Stripe and Razorpay
// (bearer key, Idempotency-Key, decimal-string amounts, HMAC-signed webhooks). simulators/payment-gateway.ts
// serves the same API for development and tests.

export interface GatewayProviderOptions {
  baseUrl: string;
  apiKey: string;
  webhookSecret: string;
  fetch?: typeof fetch;
  now?: () => Date;
  /** How far a webhook's signed timestamp may be from now, in seconds. */
  toleranceS?: number;
  /** Per request; a gateway that has not answered by then counts as unavailable. */
  timeoutMs?: number;
}

const decimal = z.string().regex(/^\d{1,12}(\.\d{1,4})?$/, 'a decimal amount');

const intentResponse = z.object({ id: z.string().min(1), payment_url: z.url(), status: z.string() });
const refundResponse = z.object({ id: z.string().min(1), status: z.string() });

const webhookBody = z.object({
  id: z.string().min(1).max(255),
  type: z.enum(['payment.succeeded', 'payment.failed', 'refund.succeeded', 'refund.failed']),
  data: z.object({
    payment_intent: z.string().min(1).optional(),
    refund: z.string().min(1).optional(),
    amount: decimal,
    currency: z.string().regex(/^[A-Za-z]{3}$/),
    method: z.string().min(1).max(64).optional(),
  }),
  created: z.number().int().nonnegative(),
});

export function createGatewayProvider(options: GatewayProviderOptions): PaymentProvider {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const toleranceS = options.toleranceS ?? 300;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function post(path: string, body: unknown, idempotencyKey: string): Promise<unknown> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new AppError('UNAVAILABLE', 'payment gateway unavailable: no answer', { cause: errorName(err) });
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 500 || res.status === 429) {
      throw new AppError('UNAVAILABLE', `payment gateway unavailable: HTTP ${res.status}`);
    }
    if (res.status >= 400) {
      // 400/422 say our request was wrong (amount, currency…); anything else (401, 403, 404, 409) is
      // our configuration or the gateway's state, which the driver cannot fix.
      const code = res.status === 400 || res.status === 422 ? 'VALIDATION_FAILED' : 'UNAVAILABLE';
      throw new AppError(code, `payment gateway refused the request: HTTP ${res.status}`, {
        gatewayStatus: res.status,
        gatewayError: gatewayMessage(text),
      });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AppError('UNAVAILABLE', 'payment gateway unavailable: answer is not JSON');
    }
  }

  function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
    const result = schema.safeParse(value);
    if (!result.success) throw new AppError('UNAVAILABLE', 'payment gateway unavailable: unexpected answer');
    return result.data;
  }

  return {
    name: 'gateway',

    async createIntent(req): Promise<PaymentIntent> {
      const body = {
        amount: req.amount,
        currency: req.currency,
        description: req.description,
        method: req.method,
        expires_at: Math.floor(req.expiresAt.getTime() / 1000),
        return_url: req.returnUrl,
        metadata: { order_id: req.orderId },
      };
      const key = `intent:${req.orderId}:${req.amount}:${req.currency}:${req.attempt ?? 1}`;
      const res = parsed(intentResponse, await post('/v1/payment_intents', body, key));
      return { intentId: res.id, paymentUrl: res.payment_url, status: 'pending' };
    },

    async refund(req): Promise<ProviderRefund> {
      const body = { payment_intent: req.intentId, amount: req.amount, currency: req.currency, reason: req.reason };
      const res = parsed(refundResponse, await post('/v1/refunds', body, req.idempotencyKey));
      const status = res.status === 'succeeded' || res.status === 'failed' ? res.status : 'pending';
      return { refundId: res.id, status };
    },

    parseWebhook(headers, rawBody): WebhookEvent {
      verifyWebhookSignature(options.webhookSecret, header(headers, SIGNATURE_HEADER), rawBody, now(), toleranceS);
      let json: unknown;
      try {
        json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
      } catch {
        throw new AppError('VALIDATION_FAILED', 'webhook body is not JSON');
      }
      const result = webhookBody.safeParse(json);
      if (!result.success) {
        throw new AppError('VALIDATION_FAILED', 'webhook body is not a gateway event', { issues: result.error.issues });
      }
      const { id, type, data, created } = result.data;
      const isPayment = type.startsWith('payment.');
      if (isPayment ? !data.payment_intent : !data.refund) {
        throw new AppError('VALIDATION_FAILED', `webhook ${type} without ${isPayment ? 'payment_intent' : 'refund'}`);
      }
      return {
        eventId: id,
        type,
        ...(data.payment_intent ? { intentId: data.payment_intent } : {}),
        ...(data.refund ? { refundId: data.refund } : {}),
        amount: data.amount,
        currency: data.currency.toUpperCase(),
        ...(data.method ? { method: data.method } : {}),
        occurredAt: new Date(created * 1000),
      };
    },
  };
}

/** Header lookup by lower-case name, whatever case the record was built with; the first of repeated ones. */
function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'Error';
}

function gatewayMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
