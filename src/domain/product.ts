// The card product's data (SPEC §2), as the rest of the code sees it.
export interface Product {
  code: string;
  bin: string;
  allowedLimits: number[];
  overLimitMarginPercent: number;
  blockedMccs: string[];
  holdLifetimeDays: number;
  fxMarkupBps: number;
  threeDSecureThreshold: number | null;
  allowMailOrder: boolean;
  /** 3-D Secure is frictionless only below this billing amount, in fils (SPEC §7). */
  frictionlessCeiling: number;
}

export const DEFAULT_PRODUCT_CODE = 'internet-shopping';

export function defaultProduct(bin: string): Product {
  return {
    code: DEFAULT_PRODUCT_CODE,
    bin,
    allowedLimits: [100000, 200000],
    overLimitMarginPercent: 20,
    blockedMccs: ['6010', '6011', '6051', '4829', '7995'],
    holdLifetimeDays: 7,
    fxMarkupBps: 250,
    threeDSecureThreshold: null,
    allowMailOrder: false,
    frictionlessCeiling: 20000,
  };
}
