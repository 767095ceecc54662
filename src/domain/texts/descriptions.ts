// Human-readable reasons for the cardholder, in their language.
import type { Language } from '../money.js';

const REASONS: Record<string, { en: string; ar: string }> = {
  approved: { en: 'Approved', ar: 'تمت الموافقة' },
  refund_approved: { en: 'Refund on its way from the merchant', ar: 'مبلغ مسترد في الطريق من التاجر' },
  verified: { en: 'Card checked by the merchant (nothing charged)', ar: 'تحقق التاجر من البطاقة (دون أي خصم)' },
  approved_over_limit: { en: 'Approved using your over-limit allowance', ar: 'تمت الموافقة باستخدام سماح تجاوز الحد' },
  invalid_card: { en: 'Declined: this card number is not valid', ar: 'مرفوضة: رقم البطاقة غير صالح' },
  channel_atm_or_cash: { en: 'Blocked: ATM cash withdrawals are not allowed on this card', ar: 'محظورة: السحب النقدي من أجهزة الصراف غير مسموح بهذه البطاقة' },
  channel_card_present: { en: 'Blocked: this card cannot be used at shop terminals (chip, contactless or magstripe)', ar: 'محظورة: لا يمكن استخدام هذه البطاقة في أجهزة نقاط البيع' },
  channel_not_ecommerce: { en: 'Blocked: this card works only for online purchases', ar: 'محظورة: هذه البطاقة للمشتريات عبر الإنترنت فقط' },
  transaction_not_permitted: { en: 'Blocked: this kind of transaction is not allowed on this card', ar: 'محظورة: هذا النوع من العمليات غير مسموح' },
  mcc_blocked: { en: 'Blocked: purchases from this kind of merchant are not allowed', ar: 'محظورة: الشراء من هذا النوع من التجار غير مسموح' },
  card_lost: { en: 'Declined: the card was reported lost', ar: 'مرفوضة: تم الإبلاغ عن فقدان البطاقة' },
  card_stolen: { en: 'Declined: the card was reported stolen', ar: 'مرفوضة: تم الإبلاغ عن سرقة البطاقة' },
  card_frozen: { en: 'Declined: the card is frozen', ar: 'مرفوضة: البطاقة مجمدة' },
  card_blocked: { en: 'Declined: the card is blocked by the bank', ar: 'مرفوضة: البطاقة موقوفة من البنك' },
  expired_card: { en: 'Declined: wrong or expired expiry date', ar: 'مرفوضة: تاريخ الانتهاء غير صحيح أو منتهٍ' },
  cvv2_mismatch: { en: 'Declined: wrong security code (CVV2)', ar: 'مرفوضة: رمز الأمان غير صحيح' },
  cvv2_required: { en: 'Declined: the security code (CVV2) is required', ar: 'مرفوضة: رمز الأمان مطلوب' },
  unsupported_currency: { en: 'Declined: this currency is not supported', ar: 'مرفوضة: العملة غير مدعومة' },
  invalid_amount: { en: 'Declined: invalid amount', ar: 'مرفوضة: مبلغ غير صالح' },
  authentication_failed: { en: 'Declined: 3-D Secure authentication failed', ar: 'مرفوضة: فشل التحقق ثلاثي الأبعاد' },
  authentication_required: { en: 'Declined: 3-D Secure authentication is required', ar: 'مرفوضة: التحقق ثلاثي الأبعاد مطلوب' },
  over_limit: { en: 'Declined: over your credit limit', ar: 'مرفوضة: تتجاوز حدك الائتماني' },
  duplicate_transmission: { en: 'Declined: duplicate transmission', ar: 'مرفوضة: إرسال مكرر' },
};

export function describeReason(reason: string, language: Language): string {
  return REASONS[reason]?.[language] ?? reason;
}
