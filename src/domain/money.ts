// Money is integer fils (1 KD = 1000 fils). Formatting only; never parse amounts from floats.
export type Language = 'en' | 'ar';

export function formatKd(fils: number, language: Language = 'en'): string {
  const negative = fils < 0;
  const abs = Math.abs(fils);
  // Thousands grouped (KD 1,500.000): a long row of digits is misread, and money is where it matters.
  const whole = String(Math.floor(abs / 1000)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${whole}.${String(abs % 1000).padStart(3, '0')}`;
  const signed = negative ? `-${text}` : text;
  return language === 'ar' ? `${signed} د.ك` : `KD ${signed}`;
}
