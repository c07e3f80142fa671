/**
 * Vendor-specific DataTransfer handlers, keyed by vendorId. A charger's DataTransfer for a vendor
 * with no handler is recorded and answered UnknownVendorId, as OCPP 1.6 prescribes.
 */
export interface DataTransferReply {
  status: 'Accepted' | 'Rejected' | 'UnknownMessageId';
  data?: string;
}

export type DataTransferVendorHandler = (input: {
  chargePointId: string;
  messageId: string | undefined;
  data: string | undefined;
}) => Promise<DataTransferReply>;

export type DataTransferVendors = ReadonlyMap<string, DataTransferVendorHandler>;
