// The notification texts the API and the pages serve, in both languages: rendered at read time
// from a notification's kind and data (notification-text.ts). The English ones match what the
// services store in `message`.
import type { Language } from '../money.js';

const en = {
  purchaseApproved: (amount: string, merchant: string) => `Purchase of ${amount} at ${merchant} approved.`,
  overLimitUsed: (amount: string, merchant: string) => `You used your over-limit allowance: ${amount} at ${merchant}. Purchases above your limit will now be declined.`,
  blockedAttempt: (merchant: string, reason: string) => `Security alert: someone tried your card at ${merchant}. ${reason}`,
  frozenByGuard: (last4: string, failures: string) => `Your card ending ${last4} was frozen after ${failures} failed security-code or expiry checks in a row. If this was you, unfreeze it in online banking.`,
  cardIssued: (last4: string) => `Your Internet Shopping Card ending ${last4} is ready.`,
  replacementReady: (last4: string) => `Your replacement card ending ${last4} is ready.`,
  cardRevealed: (last4: string) => `The full number of your card ending ${last4} was shown in online banking.`,
  cardFrozen: (last4: string) => `Your card ending ${last4} is frozen. Purchases will be declined until you unfreeze it.`,
  cardActive: (last4: string) => `Your card ending ${last4} is active again.`,
  cardLost: (last4: string) => `Your card ending ${last4} was reported lost and can no longer be used. You can request a replacement.`,
  cardStolen: (last4: string) => `Your card ending ${last4} was reported stolen and can no longer be used. You can request a replacement.`,
  cardReplaced: (last4: string, newLast4: string) => `Your card ending ${last4} was replaced by a new card ending ${newLast4}. Use the new number from now on.`,
  cardCancelled: (last4: string) => `Your card ending ${last4} is cancelled and its card account closed.`,
  cardBlocked: (last4: string) => `The bank blocked your card ending ${last4}. Contact us if you did not expect this.`,
  limitChanged: (from: string, to: string) => `Your card limit changed from ${from} to ${to}.`,
  overLimitOn: 'You switched the over-limit allowance on.',
  overLimitOff: 'You switched the over-limit allowance off.',
  paymentPosted: (amount: string) => `Payment of ${amount} received. Thank you.`,
  refundPosted: (amount: string, merchant: string) => `Refund of ${amount} from ${merchant} credited to your card.`,
  newLogin: 'New sign-in to online banking.',
  newLoginOn: (browser: string, system: string) => `New sign-in to online banking: ${browser} on ${system}. Not you? Freeze your card and call us.`,
  newLoginOnOne: (device: string) => `New sign-in to online banking: ${device}. Not you? Freeze your card and call us.`,
  threeDsChallenge: (amount: string, merchant: string, last4: string) => `Approve a purchase of ${amount} at ${merchant} with your card ending ${last4}? Open online banking within 5 minutes to approve or decline.`,
};

export type Notices = typeof en;

const ar: Notices = {
  purchaseApproved: (amount: string, merchant: string) => `تمت الموافقة على شراء بمبلغ ${amount} لدى ${merchant}.`,
  overLimitUsed: (amount: string, merchant: string) => `استخدمت سماح تجاوز الحد: ${amount} لدى ${merchant}. من الآن تُرفض المشتريات التي تتجاوز حدك.`,
  blockedAttempt: (merchant: string, reason: string) => `تنبيه أمني: حاول أحدهم استخدام بطاقتك لدى ${merchant}. ${reason}`,
  frozenByGuard: (last4: string, failures: string) => `جُمّدت بطاقتك المنتهية بـ ${last4} بعد ${failures} محاولات متتالية برمز أمان أو تاريخ انتهاء خاطئ. إن كنت أنت، فألغِ التجميد من الخدمات المصرفية عبر الإنترنت.`,
  cardIssued: (last4: string) => `بطاقة التسوق عبر الإنترنت المنتهية بـ ${last4} جاهزة.`,
  replacementReady: (last4: string) => `بطاقتك البديلة المنتهية بـ ${last4} جاهزة.`,
  cardRevealed: (last4: string) => `عُرض الرقم الكامل لبطاقتك المنتهية بـ ${last4} في الخدمات المصرفية عبر الإنترنت.`,
  cardFrozen: (last4: string) => `بطاقتك المنتهية بـ ${last4} مجمّدة. تُرفض المشتريات حتى تلغي التجميد.`,
  cardActive: (last4: string) => `بطاقتك المنتهية بـ ${last4} فعّالة من جديد.`,
  cardLost: (last4: string) => `أُبلغ عن فقدان بطاقتك المنتهية بـ ${last4} ولم يعد استخدامها ممكنًا. يمكنك طلب بطاقة بديلة.`,
  cardStolen: (last4: string) => `أُبلغ عن سرقة بطاقتك المنتهية بـ ${last4} ولم يعد استخدامها ممكنًا. يمكنك طلب بطاقة بديلة.`,
  cardReplaced: (last4: string, newLast4: string) => `استُبدلت بطاقتك المنتهية بـ ${last4} ببطاقة جديدة تنتهي بـ ${newLast4}. استخدم الرقم الجديد من الآن.`,
  cardCancelled: (last4: string) => `أُلغيت بطاقتك المنتهية بـ ${last4} وأُغلق حساب البطاقة.`,
  cardBlocked: (last4: string) => `أوقف البنك بطاقتك المنتهية بـ ${last4}. تواصل معنا إن لم تكن تتوقع ذلك.`,
  limitChanged: (from: string, to: string) => `تغيّر حد بطاقتك من ${from} إلى ${to}.`,
  overLimitOn: 'فعّلت سماح تجاوز الحد.',
  overLimitOff: 'أوقفت سماح تجاوز الحد.',
  paymentPosted: (amount: string) => `استلمنا دفعة بمبلغ ${amount}. شكرًا لك.`,
  refundPosted: (amount: string, merchant: string) => `أُضيف إلى بطاقتك استرداد بمبلغ ${amount} من ${merchant}.`,
  newLogin: 'تسجيل دخول جديد إلى الخدمات المصرفية عبر الإنترنت.',
  newLoginOn: (browser: string, system: string) => `تسجيل دخول جديد إلى الخدمات المصرفية عبر الإنترنت من ${browser} على ${system}. لست أنت؟ جمّد بطاقتك واتصل بنا.`,
  newLoginOnOne: (device: string) => `تسجيل دخول جديد إلى الخدمات المصرفية عبر الإنترنت من ${device}. لست أنت؟ جمّد بطاقتك واتصل بنا.`,
  threeDsChallenge: (amount: string, merchant: string, last4: string) => `هل توافق على شراء بمبلغ ${amount} لدى ${merchant} ببطاقتك المنتهية بـ ${last4}؟ افتح الخدمات المصرفية عبر الإنترنت خلال 5 دقائق للموافقة أو الرفض.`,
};

const NOTICES: Record<Language, Notices> = { en, ar };

export const notices = (language: Language): Notices => NOTICES[language];
