// The seam a payment gateway plugs into (Stripe, Razorpay, PayMongo… or the built-in HTTP gateway):
// the services speak only these types, never a gateway's own payloads.

export interface PaymentIntentRequest {
  orderId: string;
  /** Decimal string in the currency's major unit, e.g. "128.64"; never a float. */
  amount: string;
  currency: string;
  method?: string;
  description: string;
  expiresAt: Date;
  returnUrl?: string;
  /**
   * Which try at paying this order (1 = first). Part of the idempotency key, so a retried call replays
   * the same intent while a new try after a failed payment gets a fresh one. Set by openIntent.
   */
  attempt?: number;
}

export interface PaymentIntent {
  intentId: string;
  paymentUrl: string;
  status: 'pending';
}

export type WebhookEventType = 'payment.succeeded' | 'payment.failed' | 'refund.succeeded' | 'refund.failed';

export interface WebhookEvent {
  eventId: string;
  type: WebhookEventType;
  /** Set on payment.* events (and, where the gateway says, on refund.* ones). */
  intentId?: string;
  /** Set on refund.* events. */
  refundId?: string;
  amount: string;
  currency: string;
  method?: string;
  occurredAt: Date;
}

export interface RefundRequest {
  intentId: string;
  amount: string;
  currency: string;
  reason: string;
  /** The same key for every retry of one refund, so the gateway pays it back once. */
  idempotencyKey: string;
}

export interface ProviderRefund {
  refundId: string;
  /** 'failed' only when the gateway refuses at once; most answer pending or succeeded. */
  status: 'pending' | 'succeeded' | 'failed';
}

export interface PaymentProvider {
  /** Stored in payment.provider and payment_event.provider; unique per gateway account. */
  readonly name: string;
  createIntent(req: PaymentIntentRequest): Promise<PaymentIntent>;
  /** Verifies the signature (throws AppError UNAUTHENTICATED on a bad/missing/stale one) and parses the event. */
  parseWebhook(headers: Record<string, string | string[] | undefined>, rawBody: Buffer | string): WebhookEvent;
  refund(req: RefundRequest): Promise<ProviderRefund>;
}
