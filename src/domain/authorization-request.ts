// The fields of a network authorization the rules look at (SPEC §6), already validated for format.
export interface AuthorizationRequest {
  mti: string;
  pan: string;
  expiry: string;            // YYMM
  cvv2?: string;
  processingCode: string;    // 6 digits
  amount: number;            // minor units of currency
  currency: string;          // ISO 4217 numeric
  transmissionTime: string;
  stan: string;
  rrn: string;
  mcc: string;
  posEntryMode: string;      // 3 digits
  posConditionCode: string;  // 2 digits
  acquirerId: string;
  merchantId: string;
  merchantName: string;
  merchantCountry: string;
  terminalId?: string;
  terminalType?: string;
  pinPresent?: boolean;
  eci?: string;
  cavv?: string;
  /** Credential on file: the authorizationId of the purchase or verification that stored the card. */
  initialTransactionId?: string;
  /** The network's conversion to the cardholder's billing currency, in fils (ISO DE 6). */
  billingAmount?: number;
}
