// Money is integer fils (1 KD = 1000 fils). Formatting only; never parse amounts from floats.
export type Language = 'en' | 'ar';

export function formatKd(fils: number, language: Language = 'en'): string {
  const negative = fils < 0;
  const abs = Math.abs(fils);
  const text = `${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
  const signed = negative ? `-${text}` : text;
  return language === 'ar' ? `${signed} د.ك` : `KD ${signed}`;
}
