// Amounts and names inside sentences. An amount never wraps away from its currency (a no-break
// space joins them), and inside Arabic text Latin names and amounts are direction-isolated
// (U+2068 … U+2069) so that a merchant's name or "12.500" cannot reorder the words around it.
// For plain strings: the API's texts and the pages' attributes and dictionary texts (the pages'
// JSX uses <bdi>, web/components.tsx).
import { formatKd, type Language } from '../money.js';

const FSI = '\u2068';
const PDI = '\u2069';

export const isolate = (text: string, lang: Language): string => (lang === 'ar' ? `${FSI}${text}${PDI}` : text);

/** "KD 1,500.000" with a no-break space; isolated in Arabic. */
export const kd = (fils: number, lang: Language): string => isolate(formatKd(fils, lang).replace(' ', '\u00a0'), lang);

/** A name from outside (a merchant's, a customer's) placed in a sentence of the reader's language. */
export const named = (text: string, lang: Language): string => isolate(text, lang);
