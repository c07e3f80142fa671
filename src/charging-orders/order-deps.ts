import type { ChargerGateway } from '../commands/charger-gateway.ts';
import type { Config } from '../config.ts';
import type { PaymentProvider } from '../payments/payment-provider.ts';

/** What the order service needs besides the database: the chargers, the payment gateway, settings, a clock. */
export interface OrderDeps {
  gateway: ChargerGateway;
  /** Undefined when no gateway is configured: payment initiation then answers UNAVAILABLE. */
  payments: PaymentProvider | undefined;
  orders: Config['orders'];
  /** The platform's support details, for CPOs that configured none. */
  support: Config['support'];
  now: () => Date;
}

/** Who asks: orders belong to the API client (driver app) or Beckn BAP that created them. */
export interface OrderClient {
  apiClientId: number | null;
  channel: 'rest' | 'beckn';
  /** The caller's own transaction/correlation id (X-Transaction-Id, Beckn transaction_id). */
  externalRef?: string | undefined;
}
